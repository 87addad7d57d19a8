"""Local fakes of external services, for tests that must not reach the internet."""
