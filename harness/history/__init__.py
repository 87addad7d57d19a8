"""The run history: every run's summary kept, and the change points and creep found over it."""
