"""Planning ahead (issue 13): who could go before a bulletin is published (`candidates`), the
strength forecast (`forecast`), assessment sessions (`sessions`) and the standing talent pool
(`pool`). Imports roster and below; nothing below imports it."""
