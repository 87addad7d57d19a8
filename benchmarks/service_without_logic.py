"""The reference service with its recommendation logic taken out: a diagnostic for
``service_throughput.py`` (variant ``home-nologic``), not a shipped path.

``recommender.home`` is replaced by the catalog's popular items, so a home request still parses
its parameters, reads the history, looks up the neighbours, answers ten items and goes through
every middleware and metric — everything but the ranking. Its requests/s against hello-world's
is the ceiling of home's ratio whatever the ranking costs.

    .venv/bin/python benchmarks/service_without_logic.py [the service's flags]
"""

from __future__ import annotations

from services_under_test.recommender import recommender, server
from services_under_test.recommender.catalog import Catalog


def popular_only(
    catalog: Catalog, history: list[int], neighbours_of: list[list[int]], n: int
) -> list[int]:
    return catalog.popular(None, n)


if __name__ == "__main__":
    recommender.home = popular_only
    server.main()
