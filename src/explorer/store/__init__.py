"""The DuckDB cache: schema, batched upserts, typed payload views."""
