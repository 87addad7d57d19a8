"""``loadgate dashboards``: the JSON is the SDK's dashboard model (it reads back into it), it
queries exactly the series ``loadgate rules`` records, its burn lines are the policy's factors,
the output matches its golden files, and bad input is exit 2 with nothing written.

The panels' queries are run against a real Prometheus after a real run in
tests/e2e/test_dashboards_against_prometheus.py. After an intended change to the dashboards,
regenerate the golden files (tests/testdata/dashboards/, and tests/testdata/deploy/ whose
`grafana.yaml` holds them too) and review the diff:

    UPDATE_GOLDEN=1 python -m pytest tests/unit/test_dashboards.py tests/deploy -m "not e2e"
"""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models.dashboard import Dashboard
from grafana_foundation_sdk.models.prometheus import Dataquery

from harness.cli import main
from harness.dashboards.command import (
    DATASOURCE_FILE,
    LOAD_RUN_FILE,
    PROVIDER_FILE,
    SLO_OVERVIEW_FILE,
)
from harness.errors import EXIT_INVALID_INPUT, EXIT_PASS
from tests.conftest import REPO
from tests.deploy.golden import check_golden_folder

GOLDEN = REPO / "tests/testdata/dashboards"
# The golden files' input: test-only SLO files (a change to the shipped ones leaves them alone),
# an OpenSLO file of three SLOs and a Sloth spec of two services.
GOLDEN_SLOS = [REPO / "tests/testdata/slo/openslo-full.yaml", REPO / "tests/testdata/slo/sloth-two-services.yaml"]  # fmt: skip
RECORDED = re.compile(r"\b(slo:[a-z_]+:[a-z_0-9]+|sloth_slo_info)\b")


def dashboards(out: Path, *slo_files: Path, flags: tuple[str, ...] = ()) -> int:
    return main(["dashboards", *map(str, slo_files), "--out", str(out), *flags])


def panels(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in document["panels"] if p["type"] != "row"]


def exprs(document: dict[str, Any]) -> list[str]:
    return [t["expr"] for p in panels(document) for t in p["targets"]]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dashboards")
    assert dashboards(out, REPO / "slo/recommender.yaml") == EXIT_PASS
    return out


def test_the_output_matches_its_golden_files(tmp_path: Path) -> None:
    assert dashboards(tmp_path, *GOLDEN_SLOS) == EXIT_PASS

    check_golden_folder(tmp_path, GOLDEN)


@pytest.mark.parametrize("name", [SLO_OVERVIEW_FILE, LOAD_RUN_FILE])
def test_each_dashboard_reads_back_into_the_sdks_model_unchanged(written: Path, name: str) -> None:
    register_default_plugins()  # so a panel's queries decode as Prometheus queries, typed
    document = json.loads((written / name).read_text())

    model = Dashboard.from_json(document)

    assert json.loads(json.dumps(model, cls=JSONEncoder)) == document
    targets = [t for p in model.panels or [] for t in getattr(p, "targets", None) or []]
    assert targets and all(isinstance(t, Dataquery) for t in targets)


def test_the_overview_queries_only_series_the_rules_record_for_the_same_slos(
    written: Path, tmp_path: Path
) -> None:
    assert main(["rules", str(REPO / "slo/recommender.yaml"), "--out", str(tmp_path)]) == 0
    groups = yaml.safe_load((tmp_path / "slo-recording.yml").read_text())["groups"]
    recorded = {(r["record"], r["labels"]["sloth_id"]) for g in groups for r in g["rules"]}
    overview = json.loads((written / SLO_OVERVIEW_FILE).read_text())

    queried = set()
    for expr in exprs(overview):
        (sloth_id,) = set(re.findall(r'sloth_id="([^"]+)"', expr))
        queried |= {(name, sloth_id) for name in RECORDED.findall(expr)}

    assert queried, "the overview queries no recorded series"
    assert queried <= recorded, sorted(queried - recorded)
    # every SLO; for each its SLI over the 7 policy windows and its own, objective, budget and
    # budget remaining: 9 SLOs × 11 series
    assert len({sloth_id for _, sloth_id in queried}) == 9
    assert len(queried) == 9 * 11


def test_the_burn_lines_are_the_policys_factors_for_the_slos_window(written: Path) -> None:
    overview = json.loads((written / SLO_OVERVIEW_FILE).read_text())
    burn = next(p for p in panels(overview) if p["title"] == "Burn rate per alert window")

    steps = burn["fieldConfig"]["defaults"]["thresholds"]["steps"]

    # slo/recommender.yaml's SLOs are 28-day ones: Sloth's 13.44× and 5.6× pages, 2.8× and
    # 0.93× tickets (docs/slo.md)
    assert [(s["value"], s["color"]) for s in steps[1:]] == [
        (0.933333, "orange"), (2.8, "orange"), (5.6, "red"), (13.44, "red"),
    ]  # fmt: skip
    assert [t["legendFormat"] for t in burn["targets"]] == ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]  # fmt: skip


def test_the_load_run_dashboard_marks_warm_up_and_window_and_covers_every_side(
    written: Path,
) -> None:
    document = json.loads((written / LOAD_RUN_FILE).read_text())

    marks = {a["name"]: a["expr"] for a in document["annotations"]["list"]}
    assert marks == {
        "warm-up": 'max(loadgate_client_phase{phase="warmup"}) == 1',
        "measured window": 'max(loadgate_client_phase{phase="window"}) == 1',
    }
    queries = "\n".join(exprs(document))
    for series in (
        "loadgate_client_request_duration_seconds_bucket",
        "http_server_request_duration_seconds_bucket",
        "loadgate_client_dropped_iterations_total",
        "loadgate_client_process_cpu_seconds_total",
        "loadgate_client_checks_total",
        "sum by (le, side)",
    ):
        assert series in queries
    assert all(p["datasource"]["uid"] == "${datasource}" for p in panels(document))


def test_provisioning_points_grafana_at_the_prometheus_and_the_folder(tmp_path: Path) -> None:
    code = dashboards(
        tmp_path, REPO / "slo/recommender.yaml",
        flags=("--prometheus-url", "http://prometheus:9090/", "--scrape-interval", "15s",
               "--dashboards-path", "/srv/dashboards"),
    )  # fmt: skip

    assert code == EXIT_PASS
    source = yaml.safe_load((tmp_path / DATASOURCE_FILE).read_text())["datasources"][0]
    assert (source["uid"], source["url"], source["jsonData"]["timeInterval"]) == (
        "loadgate-prometheus", "http://prometheus:9090", "15s",
    )  # fmt: skip
    provider = yaml.safe_load((tmp_path / PROVIDER_FILE).read_text())["providers"][0]
    assert provider["options"]["path"] == "/srv/dashboards"
    # a Grafana server runs as its own user: the files are readable by others
    assert all(
        (tmp_path / name).stat().st_mode & stat.S_IROTH
        for name in (SLO_OVERVIEW_FILE, LOAD_RUN_FILE, DATASOURCE_FILE, PROVIDER_FILE)
    )


def test_a_missing_slo_file_and_bad_flags_are_exit_2_said_together_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = dashboards(
        out, tmp_path / "nowhere.yaml",
        flags=("--prometheus-url", "prometheus:9090", "--scrape-interval", "often",
               "--dashboards-path", "dashboards"),
    )  # fmt: skip

    assert code == EXIT_INVALID_INPUT
    err = capsys.readouterr().err
    assert "invalid input (4 problem(s)):" in err
    assert f"{tmp_path / 'nowhere.yaml'}: file: cannot be read" in err
    assert "command line: --prometheus-url: 'prometheus:9090' is not allowed; allowed: an http(s) URL" in err  # fmt: skip
    assert "command line: --scrape-interval: 'often' is not allowed; allowed: a duration" in err
    assert "command line: --dashboards-path: 'dashboards' is not allowed; allowed: an absolute path" in err  # fmt: skip
    assert not out.exists()


def test_an_out_that_cannot_be_written_is_exit_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    code = dashboards(blocker / "out", REPO / "slo/recommender.yaml")

    assert code == EXIT_INVALID_INPUT
    err = capsys.readouterr().err
    assert f"command line: --out: cannot write '{blocker / 'out' / SLO_OVERVIEW_FILE}'" in err
