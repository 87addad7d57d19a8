"""The run history: each run's summary kept across runs (a store), and what is read from it —
series of one number per run, their change points and creep (docs/history.md)."""
