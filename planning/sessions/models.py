"""Assessment sessions (SAAT / pre-SAAT): models owned by the sessions area."""
