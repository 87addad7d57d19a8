"""loadgate: a load-testing and reliability harness for recommendation services.

Data flow, one package per stage:

    scenario YAML ─► plan ─► stack (service, Prometheus) ─► load (Locust + plugin)
        ─► RunResult ─► slo (SLIs from Prometheus) ─► gate (Verdict) ─► report

Only ``harness.load.plugin`` imports Locust, and only inside Locust's own processes.
"""

__version__ = "0.1.0"
