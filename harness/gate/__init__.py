"""The gate: measured facts ─► a verdict with reasons a person understands."""
