"""Use cases: validate, import, sync, filters, timeline, export, named queries."""
