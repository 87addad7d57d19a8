"""The real components a run needs, started and stopped by the harness."""
