"""Personal data kept by apps above privacy (welfare, ledger...): privacy must not import them, so each
registers, in its AppConfig.ready(), what anonymisation must erase and what the Privacy Act archive
must hold:

    from privacy.hooks import register_archive_section, register_officer_eraser
    register_officer_eraser("welfare", welfare.services.officer_welfare_erase)
    register_archive_section("welfare", welfare.archive.section)

An eraser is called as eraser(officer_id=int) inside officer_anonymise's transaction.

An archive section provider is called as provider(officer, user) and returns an `ArchiveSection`, or
None when `user` may read nothing of it. It shows only what `user` may read (the app's visibility and
need-to-know rules, as its pages), in a fixed number of queries whatever the number of rows; its
labels are in the active language. `data` goes into record.json under the section's key, its tables
into report.html, its files into the ZIP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_ERASERS: dict[str, object] = {}
_ARCHIVE_SECTIONS: dict[str, object] = {}


def register_officer_eraser(name: str, eraser) -> None:
    _ERASERS[name] = eraser


def officer_erasers() -> list:
    return list(_ERASERS.values())


@dataclass
class ArchiveLink:
    """A table cell that opens a file of the ZIP (`path`); `missing` once the file was not found."""

    text: str
    path: str
    missing: bool = False


@dataclass
class ArchiveTable:
    """A table of the report. A cell is text, a date or a moment (shown in the reader's language, in
    Ottawa time), a yes/no (bool), None (a dash) or an `ArchiveLink`."""

    caption: str
    columns: list[str]
    rows: list[list[Any]]
    empty: str = ""


@dataclass
class ArchiveSection:
    key: str  # record.json's key and the report's anchor: lower-case ASCII
    title: str
    data: Any  # JSON-serialisable (DjangoJSONEncoder: dates, decimals)
    tables: list[ArchiveTable] = field(default_factory=list)
    note: str = ""
    # (an object with a FileField `file`, its path in the ZIP); a path is also an ArchiveLink's
    files: list[tuple[Any, str]] = field(default_factory=list)


def register_archive_section(name: str, provider) -> None:
    _ARCHIVE_SECTIONS[name] = provider


def archive_sections(officer, user) -> list[ArchiveSection]:
    """The sections the registered apps have for `officer`, as `user` may read them, in registration order."""
    return [section for provider in _ARCHIVE_SECTIONS.values() if (section := provider(officer, user))]
