"""Fill Redis with the catalog's generated user histories.

``python -m services_under_test.recommender.load_store --store redis://127.0.0.1:6379/0``
"""

from __future__ import annotations

import argparse
import asyncio
import time

from services_under_test.recommender.catalog import build_catalog
from services_under_test.recommender.settings import Settings
from services_under_test.recommender.store import RedisStore


async def load(url: str, seed: int, items: int, users: int) -> None:
    started = time.perf_counter()
    catalog = build_catalog(seed=seed, items=items, users=users, categories=Settings.categories)
    store = RedisStore(url, catalog, timeout_s=10.0)
    try:
        cleared = await store.clear()
        written = await store.load_histories()
    finally:
        await store.close()
    print(
        f"cleared {cleared} keys, wrote {written} user histories in {time.perf_counter() - started:.1f}s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services_under_test.recommender.load_store")
    parser.add_argument("--store", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--seed", type=int, default=Settings.seed)
    parser.add_argument("--items", type=int, default=Settings.items)
    parser.add_argument("--users", type=int, default=Settings.users)
    args = parser.parse_args()
    asyncio.run(load(args.store, args.seed, args.items, args.users))


if __name__ == "__main__":
    main()
