"""Soak mode: hours of load watched like production (burn-rate alerts, paging, leaks)."""
