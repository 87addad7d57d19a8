"""Services the harness loads: the reference recommendation service and its dependencies."""
