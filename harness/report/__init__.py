"""Report sinks: the same run, explained to people (terminal) and machines (result.json)."""
