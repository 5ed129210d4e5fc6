"""Getting events in: batches and their one tally, rows, the two lanes, worker processes,
NDJSON spans, import from files and sync from DataStorage."""
