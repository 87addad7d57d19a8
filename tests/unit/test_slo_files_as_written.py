"""SLO files as the ecosystem writes them (#15): what Sloth's and OpenSLO's own examples do, in
fixtures of our own that use the same features."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import InputError
from harness.slo.generate import render_yaml
from harness.slo.loader import load_slo_files
from harness.slo.policy import DEFAULT_POLICY, load_policy, prom_duration
from harness.slo.rules import alert_rules, recording_rules
from tests.conftest import write

SLI = """\
apiVersion: openslo/v1
kind: SLI
metadata:
  name: checkout-errors
spec:
  ratioMetric:
    counter: true
    bad:
      metricSource:
        type: Prometheus
        spec:
          query: sum(increase(http_requests_total{route="/checkout", code=~"5.."}[{{window}}]))
    total:
      metricSource:
        type: Prometheus
        spec:
          query: sum(increase(http_requests_total{route="/checkout"}[{{window}}]))
"""
SLO_USING_SLI = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
spec:
  service: shop
  indicatorRef: checkout-errors
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
"""
LATENCY_SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-fast
spec:
  service: shop
  indicator:
    metadata:
      name: checkout-fast
    spec:
      thresholdMetric:
        metricSource:
          type: Prometheus
          spec:
            query: http_request_duration_seconds{route="/checkout"}
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - op: lte
      value: 0.25
      target: 0.99
"""


def line_of(text: str, needle: str) -> int:
    """The 1-based line of ``needle`` in ``text``: where an error about it must point."""
    return text[: text.index(needle)].count("\n") + 1


def test_validate_resolves_an_indicator_ref_to_an_sli_in_another_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sli = write(tmp_path / "sli.yaml", SLI)
    slo = write(tmp_path / "slo.yaml", SLO_USING_SLI)

    assert main(["validate", str(slo), str(sli)]) == 0, capsys.readouterr().err
    assert "1 SLO(s) and 0 scenario(s) in 2 file(s)" in capsys.readouterr().out


def test_validate_still_refuses_an_indicator_ref_no_file_defines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sli = write(tmp_path / "sli.yaml", SLI.replace("checkout-errors", "cart-errors"))
    slo = write(tmp_path / "slo.yaml", SLO_USING_SLI)

    assert main(["validate", str(slo), str(sli)]) == 2
    err = capsys.readouterr().err
    assert "spec.indicatorRef: 'checkout-errors' is not a known SLI; allowed: cart-errors" in err
    assert str(slo) in err


def test_loading_the_files_together_gives_the_slo_its_sli(tmp_path: Path) -> None:
    sli = write(tmp_path / "sli.yaml", SLI)
    slo = write(tmp_path / "slo.yaml", SLO_USING_SLI)

    [loaded] = load_slo_files([slo, sli])

    assert loaded.bad_query is not None and 'code=~"5.."' in loaded.bad_query


@pytest.mark.parametrize(("duration", "days"), [("1w", 7), ("2w", 14), ("4w", 28), ("1M", 30)])
def test_openslo_duration_shorthand_sets_the_slo_window(
    duration: str, days: int, tmp_path: Path
) -> None:
    path = write(tmp_path / "slo.yaml", SLI + "---\n" + SLO_USING_SLI.replace("28d", duration))

    [slo] = load_slo_files([path])

    assert slo.time_window_s == days * 86400


def test_a_one_month_slo_alerts_on_the_policy_windows_as_written(tmp_path: Path) -> None:
    """A month is the policy's 30 days: 14.4× over 1h/5m pages, no window is rescaled."""
    path = write(tmp_path / "slo.yaml", SLI + "---\n" + SLO_USING_SLI.replace("28d", "1M"))
    [slo] = load_slo_files([path])

    policy = load_policy(DEFAULT_POLICY).scaled_to(slo.time_window_s)
    records = [rule["record"] for rule in recording_rules(slo, policy)["rules"]]

    assert [prom_duration(w) for w in policy.windows()] == [
        "5m",
        "30m",
        "1h",
        "2h",
        "6h",
        "1d",
        "3d",
    ]
    assert "slo:sli_error:ratio_rate1h" in records


def test_an_slo_window_that_is_no_duration_says_what_is_allowed(tmp_path: Path) -> None:
    text = SLI + "---\n" + SLO_USING_SLI.replace("28d", "1 month")
    path = write(tmp_path / "slo.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    [problem] = caught.value.problems
    assert problem.source == str(path)
    assert problem.field == "slo 'checkout-availability' → spec.timeWindow[0].duration"
    assert problem.message.startswith("'1 month' is not a duration such as 28d, 4w or 1M")
    assert problem.line == line_of(text, "- duration")


@pytest.mark.parametrize(
    "objective",
    [
        "- op: gt\n      value: 0.95\n      target: 0.999",  # a threshold we must not read
        "- op: lte\n      target: 0.999",  # op without value: no threshold asked for
        "- value: 10\n      targetPercent: 99.9",
    ],
)
def test_op_and_value_on_a_ratio_objective_are_ignored(objective: str, tmp_path: Path) -> None:
    """OpenSLO: op and value apply to threshold metrics only, and its examples write them anyway."""
    text = SLI + "---\n" + SLO_USING_SLI.replace("- target: 0.999", objective)
    assert text != SLI + "---\n" + SLO_USING_SLI
    path = write(tmp_path / "slo.yaml", text)

    [slo] = load_slo_files([path])

    assert slo.objective == pytest.approx(0.999)
    assert slo.latency is None and slo.bad_query is not None


def test_op_on_a_threshold_objective_is_still_read(tmp_path: Path) -> None:
    text = LATENCY_SLO.replace("op: lte", "op: gt")
    path = write(tmp_path / "slo.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    [problem] = caught.value.problems
    assert problem.field == "slo 'checkout-fast' → spec.objectives[0].op"
    assert problem.message == "'gt' is not allowed; allowed: lt, lte (requests faster than value)"
    assert problem.line == line_of(text, "op: gt")


def as_list(*documents: str) -> str:
    """Documents as items of one YAML list, the OpenSLO Go SDK's layout."""
    return "".join(
        "- " + "\n".join(("  " + line) if line else line for line in doc.splitlines())[2:] + "\n"
        for doc in documents
    )


SERVICE = "apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: shop\nspec: {}\n"


def test_a_file_that_is_a_list_of_objects_is_read_as_those_objects(tmp_path: Path) -> None:
    path = write(tmp_path / "slos.yaml", as_list(SERVICE, SLI, SLO_USING_SLI, LATENCY_SLO))

    slos = load_slo_files([path])

    assert [s.name for s in slos] == ["checkout-availability", "checkout-fast"]
    assert slos[0].bad_query is not None and slos[1].latency is not None
    text = path.read_text()
    assert slos[1].line == line_of(text, "name: checkout-fast")


def test_problems_in_a_list_item_name_the_item_and_its_line(tmp_path: Path) -> None:
    text = as_list(SERVICE, SLI, SLO_USING_SLI.replace("target: 0.999", "target: 99.9"))
    path = write(tmp_path / "slos.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    [problem] = caught.value.problems
    assert problem.source == str(path)
    assert problem.field == "[2] → slo 'checkout-availability' → spec.objectives[0].target"
    assert problem.message.startswith("99.9 is out of range; allowed: a ratio above 0 and below 1")
    assert problem.line == line_of(text, "target: 99.9")


def item_line(text: str, item: int, offset: int = 0) -> int:
    """The line ``offset`` lines into the ``item``-th item of a list document."""
    starts = [i for i, line in enumerate(text.splitlines(), 1) if line.startswith("- ")]
    return starts[item] + offset


@pytest.mark.parametrize(
    ("text", "field", "message", "line"),
    [
        (
            as_list(SLI, SLI),
            "[1] → metadata.name",
            "SLI name 'checkout-errors' is already defined",
            (1, 3),
        ),
        (as_list(SLI) + "- just text\n", "[1] → (document)", "is not a mapping; allowed: ", (1, 0)),
        (
            as_list(SERVICE.replace("openslo/v1", "openslo/v2")),
            "[0] → apiVersion",
            "'openslo/v2' is not supported; allowed: openslo/v1",
            (0, 0),
        ),
        ("- []\n", "[0] → (document)", "is an empty list; allowed: a list of objects", (0, 0)),
    ],
    ids=["a duplicate name", "an item that is no mapping", "a wrong apiVersion", "an empty list"],
)
def test_the_envelope_of_a_list_item_names_the_item(
    text: str, field: str, message: str, line: tuple[int, int], tmp_path: Path
) -> None:
    path = write(tmp_path / "slos.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    [problem] = caught.value.problems
    assert (problem.field, problem.line) == (field, item_line(text, *line))
    assert message in problem.message


SLOTH = """\
version: prometheus/v1
service: shop
labels:
  owner: payments
  critical: true
slos:
  - name: checkout-availability
    objective: 99.9
    labels:
      paged: false
      tier: 1
    sli:
      events:
        error_query: sum(rate(http_requests_total{route="/checkout", code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{route="/checkout"}[{{.window}}]))
    alerting:
      name: CheckoutAvailability
"""


def test_sloth_label_values_true_and_false_are_written_as_sloth_writes_them(
    tmp_path: Path,
) -> None:
    [slo] = load_slo_files([write(tmp_path / "sloth.yaml", SLOTH)])
    policy = load_policy(DEFAULT_POLICY).scaled_to(slo.time_window_s)

    labels = recording_rules(slo, policy)["rules"][0]["labels"]
    rendered = render_yaml(recording_rules(slo, policy))

    assert labels == {
        "owner": "payments",
        "critical": "true",
        "paged": "false",
        "tier": "1",
        "sloth_id": "shop-checkout-availability",
        "sloth_service": "shop",
        "sloth_slo": "checkout-availability",
        "sloth_window": "5m",
        "loadgate_slo": "shop-checkout-availability",
        "loadgate_service": "shop",
    }
    assert "critical: 'true'" in rendered and "True" not in rendered


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("True", "True"),  # PyYAML: the bool True, written back as 'true'
        ("yes", "yes"),  # YAML 1.1: a bool too
        ("1.50", "1.50"),  # a float, 1.5
        ("0x1F", "0x1F"),  # an int, 31
        ("2024-01-01", "2024-01-01"),  # a date: was refused
        ("'quoted'", "quoted"),  # quotes are YAML's, not the value's
        ("1e3", "1e3"),
    ],
)
def test_sloth_label_values_are_written_as_the_spec_writes_them(
    written: str, value: str, tmp_path: Path
) -> None:
    """Sloth reads labels with Go's yaml.v2 into map[string]string, which keeps each scalar's
    text: the value in Sloth's rules is the one written, whatever YAML 1.1 would read it as."""
    text = SLOTH.replace("  critical: true", f"  critical: {written}")
    [slo] = load_slo_files([write(tmp_path / "sloth.yaml", text)])
    policy = load_policy(DEFAULT_POLICY).scaled_to(slo.time_window_s)

    assert slo.labels["critical"] == value
    assert recording_rules(slo, policy)["rules"][0]["labels"]["critical"] == value
    assert alert_rules(slo, policy)["rules"][-1]["labels"]["critical"] == value  # SLIMissing


@pytest.mark.parametrize(
    ("old", "new", "field", "value"),
    [
        ("  critical: true", "  critical: [a, b]", "labels.critical", "['a', 'b']"),
        ("      tier: 1", "      tier:", "slos[0].labels.tier", "None"),
    ],
)
def test_a_sloth_label_value_that_is_no_scalar_is_refused(
    old: str, new: str, field: str, value: str, tmp_path: Path
) -> None:
    text = SLOTH.replace(old, new)
    path = write(tmp_path / "sloth.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    [problem] = caught.value.problems
    assert problem.field.endswith(field)
    assert problem.message == (
        f"{value} is not allowed; allowed: a label value (a string, number, true or false)"
    )
    assert problem.line == line_of(text, new.strip())


PLUGIN_CHAIN = """\
slo_plugins:
  chain:
    - id: sloth.dev/core/debug/v1
    - id: sloth.dev/contrib/denominator_corrected_rules/v1
"""


@pytest.mark.parametrize(
    ("text", "field", "what"),
    [
        (
            SLOTH.replace("slos:\n", PLUGIN_CHAIN + "slos:\n"),
            "slo_plugins",
            "the plugin chain sloth.dev/core/debug/v1, sloth.dev/contrib/denominator_corrected_rules/v1",
        ),
        (
            SLOTH.replace(
                "    sli:\n",
                "    plugins:\n      chain:\n        - id: sloth.dev/core/debug/v1\n    sli:\n",
            ),
            "slo 'shop-checkout-availability' → slos[0].plugins",
            "the plugin chain sloth.dev/core/debug/v1",
        ),
    ],
    ids=["for every SLO of the spec", "for one SLO"],
)
def test_sloth_slo_plugins_are_refused_not_ignored(
    text: str, field: str, what: str, tmp_path: Path
) -> None:
    path = write(tmp_path / "sloth.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    [problem] = caught.value.problems
    assert (problem.source, problem.field) == (str(path), field)
    assert problem.message.startswith(f"{what} is not supported: loadgate does not run Sloth's")
    assert f"allowed: no {field.rsplit('.', 1)[-1]}" in problem.message
    assert problem.line == line_of(text, "chain:")  # (a mapping's line is where its value starts)


def test_an_unknown_top_level_sloth_field_is_refused(tmp_path: Path) -> None:
    text = SLOTH.replace("labels:\n  owner", "label:\n  owner")
    path = write(tmp_path / "sloth.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    [problem] = caught.value.problems
    assert problem.field == "label"
    assert problem.message.startswith("unknown field; allowed here: labels, service, slo_period")


def named(name: str, sli_name: str = "checkout-errors") -> str:
    """The SLI and the SLO using it, the SLO called ``name`` and the SLI ``sli_name``."""
    return (
        SLI.replace("name: checkout-errors", f"name: {sli_name}")
        + "---\n"
        + SLO_USING_SLI.replace("name: checkout-availability", f"name: {name}").replace(
            "indicatorRef: checkout-errors", f"indicatorRef: {sli_name}"
        )
    )


LONGEST = ".".join(["a" * 63] * 4)  # 255 characters: four 63-character labels and three dots


@pytest.mark.parametrize(
    "name", ["shop.checkout-availability", "v1.checkout.2xx", "a" * 64, LONGEST, "a"]
)
def test_openslo_names_are_rfc_1123_subdomains_up_to_255_characters(
    name: str, tmp_path: Path
) -> None:
    assert len(LONGEST) == 255
    path = write(tmp_path / "slo.yaml", named(name, sli_name=f"sli.{name}"[:255]))

    [slo] = load_slo_files([path])

    assert slo.name == name


def test_dots_in_an_slo_name_do_not_reach_its_alert_names(tmp_path: Path) -> None:
    [slo] = load_slo_files([write(tmp_path / "slo.yaml", named("shop.checkout-availability"))])
    policy = load_policy(DEFAULT_POLICY).scaled_to(slo.time_window_s)

    names = [rule["alert"] for rule in alert_rules(slo, policy)["rules"]]

    assert names[0] == "ShopCheckoutAvailabilityBurnRatePage"
    assert all(re.fullmatch(r"[a-zA-Z_:][a-zA-Z0-9_:]*", name) for name in names), names


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("a" * 256, f"{'a' * 60!r}… (256 characters)"),
        ("shop..checkout", "'shop..checkout'"),
        ("shop.-checkout", "'shop.-checkout'"),
        (".shop", "'.shop'"),
        ("shop.", "'shop.'"),
        ("Shop.Checkout", "'Shop.Checkout'"),
        ("shop/checkout", "'shop/checkout'"),
        ("shop|checkout", "'shop|checkout'"),
    ],
)
def test_other_openslo_names_are_refused_saying_what_is_allowed(
    name: str, shown: str, tmp_path: Path
) -> None:
    text = named(name)
    path = write(tmp_path / "slo.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    [problem] = caught.value.problems
    assert (problem.source, problem.field) == (str(path), "metadata.name")
    assert problem.message == (
        f"{shown} is not allowed; allowed: lowercase letters, digits, '-' and '.' (an RFC 1123 "
        "subdomain such as shop.checkout-errors: each part between dots starts and ends with a "
        "letter or digit), 1 to 255 characters"
    )
    assert problem.line == line_of(text, f"name: {name}")
