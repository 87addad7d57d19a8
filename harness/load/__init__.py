"""Load: Locust as a subprocess with the harness's plugin, and what it measured."""
