"""Sources of audit events: DataStorage over HTTP, and export files."""
