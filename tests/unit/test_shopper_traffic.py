"""The shop's traffic model (scenarios/locustfiles/shoppers.py): its draws follow the laws it
states, with fixed seeds, judged by goodness-of-fit tests; its checks and its parameters."""

from __future__ import annotations

import math
import random
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

# The traffic model is imported by name from its folder, as the locustfile beside it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenarios" / "locustfiles"))
import shoppers
from shoppers import TrafficParameters

DEFAULTS = TrafficParameters()
# A fit this unlikely under the stated law fails the test. The seeds are fixed, so a pass is
# stable; each test also shows that a slightly different law would have been rejected.
P_MIN = 0.001


def plan(parameters: TrafficParameters, seed: int, sessions: int) -> Iterator[shoppers.Session]:
    """The sessions one Locust user starts, one after another. Their pages are not viewed: who
    shops, and for how many pages, does not depend on them."""
    planner = shoppers.SessionPlanner(parameters, random.Random(seed))
    for _ in range(sessions):
        yield planner.start()


def pages(parameters: TrafficParameters, seed: int, sessions: int) -> list[list[shoppers.Page]]:
    planner = shoppers.SessionPlanner(parameters, random.Random(seed))
    result = []
    for _ in range(sessions):
        session = planner.start()
        result.append([session.next_page() for _ in range(session.pages)])
    return result


def zipf_law(n: int, exponent: float) -> np.ndarray:
    weights = np.arange(1, n + 1, dtype=np.float64) ** -exponent
    return weights / weights.sum()


def fit(draws: list[int], law: np.ndarray, minimum: float = 20.0) -> float:
    """The chi-square p-value of draws of 0..len(law)-1 against ``law``; neighbouring values are
    binned until each bin expects ``minimum`` draws (the long tail makes a few wide bins)."""
    expected = law * len(draws)
    edges, running = [0], 0.0
    for value, count in enumerate(expected):
        running += count
        if running >= minimum:
            edges.append(value + 1)
            running = 0.0
    # The last bin runs to the end: drop the edge at the end, or merge the short rest into it.
    edges.pop()
    observed = np.add.reduceat(np.bincount(draws, minlength=len(law)), edges)
    expected_bins = np.add.reduceat(expected, edges)
    assert expected_bins.min() >= 5
    return float(stats.chisquare(observed, expected_bins).pvalue)


@pytest.mark.parametrize("exponent", [DEFAULTS.user_zipf, 1.4])
def test_shoppers_of_the_user_base_follow_the_stated_zipf_law(exponent: float) -> None:
    parameters = TrafficParameters(user_zipf=exponent)
    drawn = [s.shopper for s in plan(parameters, seed=1, sessions=30_000) if s.origin == "zipf"]

    assert len(drawn) > 20_000
    assert fit(drawn, zipf_law(parameters.users, exponent)) > P_MIN
    assert fit(drawn, zipf_law(parameters.users, exponent + 0.05)) < 1e-6


@pytest.mark.parametrize("exponent", [DEFAULTS.item_zipf, 0.7])
def test_items_follow_the_stated_zipf_law(exponent: float) -> None:
    parameters = TrafficParameters(item_zipf=exponent)
    items = [p.item for s in pages(parameters, 2, 12_000) for p in s if p.item is not None]

    assert len(items) > 20_000
    assert fit(items, zipf_law(parameters.items, exponent)) > P_MIN
    assert fit(items, zipf_law(parameters.items, exponent + 0.05)) < 1e-6


def test_zipf_draws_stay_inside_the_id_range() -> None:
    rng = random.Random(3)
    assert {shoppers.zipf(3, 0.0, rng) for _ in range(300)} == {0, 1, 2}
    assert {shoppers.zipf(1, 1.0, rng) for _ in range(10)} == {0}
    assert {shoppers.zipf(10, 5000.0, rng) for _ in range(10)} == {0}  # steep: no overflow


def test_cold_and_returning_shares_are_as_stated_and_their_ids_as_described() -> None:
    count = 20_000
    planner = shoppers.SessionPlanner(DEFAULTS, random.Random(4))
    cold = returning = 0
    recent: list[int] = []  # this Locust user's last 50 distinct shoppers, oldest first
    for _ in range(count):
        session = planner.start()
        if session.origin == "cold":
            cold += 1
            assert DEFAULTS.users <= session.shopper <= 2**31 - 1
        elif session.origin == "returning":
            returning += 1
            assert session.shopper in recent
        else:
            assert 0 <= session.shopper < DEFAULTS.users
        recent = [s for s in recent if s != session.shopper][-(DEFAULTS.returning_memory - 1) :]
        recent.append(session.shopper)

    def within_binomial(observed: int, trials: int, share: float) -> bool:
        return abs(observed - trials * share) <= 4 * math.sqrt(trials * share * (1 - share))

    assert within_binomial(cold, count, DEFAULTS.cold_share)
    # The first session has no one to bring back: it draws afresh.
    assert within_binomial(returning, count - 1, DEFAULTS.returning_share)
    assert not within_binomial(returning, count - 1, DEFAULTS.returning_share + 0.02)


def test_the_first_session_draws_afresh_when_everyone_would_return() -> None:
    parameters = TrafficParameters(cold_share=0.0, returning_share=1.0)
    sessions = list(plan(parameters, seed=5, sessions=10))
    assert sessions[0].origin == "zipf"
    assert all(s.origin == "returning" and s.shopper == sessions[0].shopper for s in sessions[1:])


def test_session_pages_follow_the_stated_geometric_law() -> None:
    lengths = [s.pages for s in plan(DEFAULTS, seed=6, sessions=20_000)]
    mean = DEFAULTS.session_pages.mean  # type: ignore[union-attr]
    leave = 1 / mean
    longest = max(lengths)
    law = np.array([(1 - leave) ** (k - 1) * leave for k in range(1, longest + 1)])
    law[-1] += 1 - law.sum()  # the tail beyond the longest seen
    shifted = [k - 1 for k in lengths]  # pages 1, 2, … as 0, 1, …

    assert min(lengths) >= 1
    assert fit(shifted, law) > P_MIN
    assert np.mean(lengths) == pytest.approx(mean, abs=4 * math.sqrt(1 - leave) / leave / 141)
    slower = np.array([(1 - 1 / 6.6) ** (k - 1) / 6.6 for k in range(1, longest + 1)])
    slower[-1] += 1 - slower.sum()
    assert fit(shifted, slower) < 1e-6


@pytest.mark.parametrize(
    ("law", "values"),
    [
        (shoppers.ConstantPages(3), {3}),
        (shoppers.UniformPages(2, 4), {2, 3, 4}),
        (shoppers.GeometricPages(1.0), {1}),
    ],
)
def test_other_session_lengths_take_exactly_their_values(
    law: shoppers.ConstantPages | shoppers.UniformPages | shoppers.GeometricPages,
    values: set[int],
) -> None:
    rng = random.Random(7)
    assert {law.draw(rng) for _ in range(300)} == values


def test_think_times_follow_the_stated_exponential_law() -> None:
    planner = shoppers.SessionPlanner(DEFAULTS, random.Random(8))
    times = [planner.think_time() for _ in range(20_000)]
    mean = DEFAULTS.think_time.mean_s  # type: ignore[union-attr]

    assert stats.kstest(times, "expon", args=(0, mean)).pvalue > P_MIN
    assert stats.kstest(times, "expon", args=(0, mean * 1.1)).pvalue < 1e-6


def test_other_think_times_stay_in_their_range() -> None:
    rng = random.Random(9)
    uniform = [shoppers.UniformThink(0.2, 0.5).draw(rng) for _ in range(1000)]
    assert 0.2 <= min(uniform) < 0.21 and 0.49 < max(uniform) <= 0.5
    assert shoppers.ConstantThink(0.25).draw(rng) == 0.25


def test_every_session_lands_on_the_home_page_and_then_pages_follow_the_weights() -> None:
    sessions = pages(DEFAULTS, seed=10, sessions=6_000)
    later = Counter(p.kind for s in sessions for p in s[1:])
    # A purchase with an empty cart is a view: the two share their weights.
    cells = ["home", "product", "trending", "add_to_cart"]
    weights = [shoppers.PAGE_WEIGHTS[kind] for kind in cells]
    weights.append(shoppers.PAGE_WEIGHTS["view"] + shoppers.PAGE_WEIGHTS["purchase"])
    observed = [later[kind] for kind in cells] + [later["view"] + later["purchase"]]
    expected = np.array(weights) / sum(weights) * sum(observed)

    assert shoppers.PAGE_WEIGHTS == {
        "home": 10, "product": 6, "trending": 3, "view": 5, "add_to_cart": 2, "purchase": 1
    }  # fmt: skip
    assert all(s[0] == shoppers.Page("home") for s in sessions)
    assert sum(observed) > 20_000
    assert stats.chisquare(observed, expected).pvalue > P_MIN
    assert later["purchase"] > 0 and later["trending"] > 0


def test_a_purchase_buys_the_cart_newest_first_and_an_empty_cart_makes_it_a_view() -> None:
    purchases = 0
    for session in pages(DEFAULTS, seed=11, sessions=3_000):
        cart: list[int] = []
        for page in session:
            if page.kind == "add_to_cart":
                cart = [page.item, *cart][:5]  # type: ignore[list-item]
            elif page.kind == "purchase":
                assert page.bought == tuple(cart) and cart
                cart, purchases = [], purchases + 1
            elif page.kind == "trending":
                assert -1 <= page.category < DEFAULTS.categories  # type: ignore[operator]
    assert purchases > 50


def test_the_same_seed_plans_the_same_sessions_and_another_seed_others() -> None:
    def trace(seed: int) -> list[object]:
        planner = shoppers.SessionPlanner(DEFAULTS, random.Random(seed))
        result: list[object] = []
        for _ in range(200):
            session = planner.start()
            result.append((session.shopper, session.origin, session.pages))
            while not session.over:
                result += [session.next_page(), planner.think_time()]
        return result

    assert trace(12) == trace(12)
    assert trace(12) != trace(13)


def test_a_ci_run_asks_for_more_than_500_distinct_shoppers() -> None:
    # 20 Locust users, 75 sessions each: a 45 s CI run at ~200 page views/s, ~6 pages a session.
    # Expected with the defaults: about 760 distinct shoppers (~685 Zipf-drawn, ~75 cold).
    distinct = []
    for seed in range(5):
        shoppers_seen = {
            s.shopper for user in range(20) for s in plan(DEFAULTS, seed * 100 + user, 75)
        }
        distinct.append(len(shoppers_seen))

    assert min(distinct) >= 500
    assert np.mean(distinct) == pytest.approx(760, abs=40)


GOOD_BODY = {
    "items": [
        {"item_id": i, "category": 3, "price_cents": 999, "in_stock": True} for i in range(10)
    ],
    "degraded": False,
    "fallbacks": [],
}


def with_items(**change: object) -> dict[str, object]:
    """The good body with its first item changed."""
    items = [dict(item) for item in GOOD_BODY["items"]]  # type: ignore[attr-defined]
    items[0].update(change)
    return {**GOOD_BODY, "items": items}


def test_a_full_distinct_in_stock_answer_passes_every_check() -> None:
    assert shoppers.check_recommendations(10, GOOD_BODY) == dict.fromkeys(shoppers.CHECKS, True)
    assert shoppers.CHECKS == ("full", "distinct", "in_stock", "not_degraded")


@pytest.mark.parametrize(
    ("body", "failed"),
    [
        ({**GOOD_BODY, "items": GOOD_BODY["items"][:9]}, "full"),  # type: ignore[index]
        (with_items(item_id=1), "distinct"),
        (with_items(in_stock=False), "in_stock"),
        (with_items(in_stock="yes"), "in_stock"),
        ({**GOOD_BODY, "items": [{"item_id": i} for i in range(10)]}, "in_stock"),  # no field
        ({**GOOD_BODY, "degraded": True}, "not_degraded"),
    ],
)
def test_each_defect_fails_exactly_its_check(body: object, failed: str) -> None:
    outcome = shoppers.check_recommendations(10, body)
    assert outcome == {check: check != failed for check in shoppers.CHECKS}


@pytest.mark.parametrize(
    "body",
    [
        None,
        "not json",
        [1, 2],
        {"degraded": False},
        {"items": {}, "degraded": False},
        {"items": [1, 2], "degraded": False},
        {"items": [{"id": 1}], "degraded": False},
        {"items": [{"item_id": True}], "degraded": False},
        {"items": GOOD_BODY["items"]},
        {"items": GOOD_BODY["items"], "degraded": "no"},
    ],
)
def test_a_body_of_another_shape_fails_every_check(body: object) -> None:
    assert shoppers.check_recommendations(10, body) == dict.fromkeys(shoppers.CHECKS, False)


def test_parameters_default_as_documented_and_parse_every_law() -> None:
    assert TrafficParameters.from_mapping({}) == DEFAULTS
    assert TrafficParameters.from_environment({}) == DEFAULTS
    assert (DEFAULTS.users, DEFAULTS.user_zipf, DEFAULTS.cold_share) == (100_000, 1.0, 0.05)
    assert (DEFAULTS.returning_share, DEFAULTS.returning_memory) == (0.2, 50)
    assert (DEFAULTS.items, DEFAULTS.item_zipf, DEFAULTS.categories) == (50_000, 1.1, 40)
    assert (DEFAULTS.path_prefix, DEFAULTS.page_size) == ("/v1", 10)
    assert DEFAULTS.session_pages == shoppers.GeometricPages(6)
    assert DEFAULTS.think_time == shoppers.ExponentialThink(0.1)

    parsed = TrafficParameters.from_environment(
        {
            "LOADGATE_PARAMETERS": '{"users": 5000, "user_zipf": 0, "path_prefix": "",'
            ' "session_pages": {"distribution": "uniform", "min": 2, "max": 4},'
            ' "think_time": {"distribution": "constant", "value_s": 0}}'
        }
    )
    assert (parsed.users, parsed.user_zipf, parsed.path_prefix) == (5000, 0.0, "")
    assert parsed.session_pages == shoppers.UniformPages(2, 4)
    assert parsed.think_time == shoppers.ConstantThink(0.0)
    assert TrafficParameters.from_mapping(
        {
            "session_pages": {"distribution": "constant", "value": 1},
            "think_time": {"distribution": "uniform", "min_s": 0.1, "max_s": 0.1},
        }
    ) == TrafficParameters(
        session_pages=shoppers.ConstantPages(1), think_time=shoppers.UniformThink(0.1, 0.1)
    )


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"users": 0}, "users: 0 is not allowed; allowed: a whole number from 1 to 10,000,000"),
        ({"users": 2.5}, "users: 2.5 is not allowed; allowed: a whole number from 1"),
        ({"users": True}, "users: True is not allowed; allowed: a whole number"),
        ({"items": 10**8}, "items: 100000000 is not allowed; allowed: a whole number from 1"),
        ({"user_zipf": -1}, "user_zipf: -1 is not allowed; allowed: a number ≥ 0"),
        ({"item_zipf": float("nan")}, "item_zipf: nan is not allowed; allowed: a number ≥ 0"),
        ({"item_zipf": 10**400}, "item_zipf: 1000"),
        ({"cold_share": 1.5}, "cold_share: 1.5 is not allowed; allowed: a number from 0 to 1"),
        ({"returning_share": "x"}, "returning_share: 'x' is not allowed; allowed: a number from"),
        (
            {"returning_memory": 0},
            "returning_memory: 0 is not allowed; allowed: a whole number ≥ 1",
        ),
        ({"categories": 0}, "categories: 0 is not allowed; allowed: a whole number ≥ 1"),
        ({"page_size": None}, "page_size: None is not allowed; allowed: a whole number ≥ 1"),
        ({"path_prefix": "v1"}, "path_prefix: 'v1' is not allowed; allowed: a path such as /v1"),
        ({"path_prefix": "/v1/"}, "path_prefix: '/v1/' is not allowed"),
        (
            {"cold_share": 0.5, "returning_share": 0.6},
            "cold_share + returning_share: 1.1 is not allowed; allowed: at most 1",
        ),
        (
            {"session_pages": 6},
            "session_pages: 6 is not allowed; allowed: a mapping with a distribution, one of "
            "geometric {mean: a number ≥ 1}, constant {value: a whole number ≥ 1}, "
            "uniform {min: a whole number ≥ 1, max: a whole number ≥ 1, min ≤ max}",
        ),
        (
            {"session_pages": {"distribution": "poisson", "mean": 6}},
            "session_pages.distribution: 'poisson' is not allowed; allowed: one of geometric",
        ),
        (
            {"session_pages": {"distribution": "geometric", "mean": 0.5}},
            "session_pages.mean: 0.5 is not allowed; allowed: a number ≥ 1",
        ),
        (
            {"session_pages": {"distribution": "constant", "value": 2.5}},
            "session_pages.value: 2.5 is not allowed; allowed: a whole number ≥ 1",
        ),
        (
            {"session_pages": {"distribution": "uniform", "min": 4, "max": 2}},
            "session_pages: {'distribution': 'uniform', 'min': 4, 'max': 2} is not allowed; "
            "allowed: uniform {min: a whole number ≥ 1, max: a whole number ≥ 1, min ≤ max}",
        ),
        (
            {"session_pages": {"distribution": "geometric", "average": 6}},
            "session_pages: geometric takes mean; unknown: average; missing: mean",
        ),
        (
            {"think_time": {"distribution": "exponential", "mean_s": 0}},
            "think_time.mean_s: 0 is not allowed; allowed: a number > 0",
        ),
        (
            {"think_time": {"distribution": "uniform", "min_s": -1, "max_s": 1}},
            "think_time.min_s: -1 is not allowed; allowed: a number ≥ 0",
        ),
        (
            {"think_time": {"distribution": "constant", "value_s": -0.1}},
            "think_time.value_s: -0.1 is not allowed; allowed: a number ≥ 0",
        ),
        (
            {"think_time": {"distribution": "normal"}},
            "think_time.distribution: 'normal' is not allowed; allowed: one of "
            "exponential {mean_s: a number > 0}, uniform {min_s: a number ≥ 0, max_s: a number ≥ 0,"
            " min_s ≤ max_s}, constant {value_s: a number ≥ 0}",
        ),
        (
            {"usres": 5, "seed": 1},
            "unknown parameters seed, usres; allowed: users, user_zipf, cold_share, "
            "returning_share, returning_memory, items, item_zipf, categories, path_prefix, "
            "page_size, session_pages, think_time",
        ),
    ],
)
def test_a_bad_parameter_is_refused_naming_it_and_what_is_allowed(
    data: dict[str, object], said: str
) -> None:
    with pytest.raises(ValueError) as refused:
        TrafficParameters.from_mapping(data)
    assert said in str(refused.value)


def test_every_bad_parameter_is_named_at_once() -> None:
    with pytest.raises(ValueError) as refused:
        TrafficParameters.from_mapping({"users": 0, "page_size": 0, "colour": "red"})
    message = str(refused.value)
    assert "users: 0" in message and "page_size: 0" in message and "colour" in message


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("{users: 5}", "LOADGATE_PARAMETERS: not valid JSON"),
        ("[1, 2]", "LOADGATE_PARAMETERS: [1, 2] is not allowed; allowed: a JSON object"),
        ('{"users": -5}', "LOADGATE_PARAMETERS: users: -5 is not allowed"),
    ],
)
def test_the_environment_variable_is_a_json_object_of_parameters(text: str, said: str) -> None:
    with pytest.raises(ValueError) as refused:
        TrafficParameters.from_environment({"LOADGATE_PARAMETERS": text})
    assert said in str(refused.value)
