"""``loadgate deploy kubernetes``: valid objects and locked-down containers for the shipped CI
scenario; the gate wired as the master of N workers, and the golden files, for the test-only
TINY scenario with 3 workers."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.deploy.image import BUNDLE_DIR, PLUGIN
from harness.deploy.kubernetes import DEADLINE_MARGIN_S, MANIFESTS, POD_MONITOR
from harness.deploy.kubernetes_grafana import GRAFANA
from tests.deploy.conftest import (
    CI,
    KUBERNETES_FLAGS,
    PROMETHEUS,
    TARGET,
    by_kind,
    deploy,
    documents,
)
from tests.deploy.golden import GOLDEN, check_golden_folder
from tests.deploy.lockdown import kubernetes_containers, problems
from tests.deploy.schemas import schema_errors


def everything(out: Path) -> list[dict[str, Any]]:
    return documents(out / MANIFESTS) + documents(out / POD_MONITOR) + documents(out / GRAFANA)


def job(out: Path, component: str) -> dict[str, Any]:
    (found,) = [
        j
        for j in by_kind(documents(out / MANIFESTS), "Job")
        if j["metadata"]["labels"]["app.kubernetes.io/component"] == component
    ]
    return found


def container(out: Path, component: str) -> dict[str, Any]:
    (only,) = job(out, component)["spec"]["template"]["spec"]["containers"]
    return only


def test_the_output_matches_its_golden_files(tiny_kubernetes_out: Path) -> None:
    check_golden_folder(tiny_kubernetes_out, GOLDEN / "kubernetes")


def test_every_object_is_valid_against_its_schema(kubernetes_out: Path) -> None:
    docs = everything(kubernetes_out)

    assert sorted(d["kind"] for d in docs) == [
        *["ConfigMap"] * 3,  # the bundle; Grafana's dashboards and datasource
        *["Job", "Job", "PodMonitor", "Service"],
    ]
    assert {f"{d['kind']} {d['metadata']['name']}": schema_errors(d) for d in docs} == {
        f"{d['kind']} {d['metadata']['name']}": [] for d in docs
    }


@pytest.mark.parametrize(
    ("kind", "change"),
    [
        ("Job", lambda d: d["spec"]["template"]["spec"]["containers"][0].update(cpu="1")),
        ("Service", lambda d: d["spec"]["ports"][0].update(port="five")),
        ("PodMonitor", lambda d: d["spec"]["podMetricsEndpoints"][0].update(intervall="1s")),
        ("PodMonitor", lambda d: d["spec"].pop("selector")),
    ],
    ids=["a misplaced field", "a string for a port", "a misspelt PodMonitor field", "no selector"],
)
def test_the_schema_check_finds_a_broken_object(
    kubernetes_out: Path, kind: str, change: Any
) -> None:
    broken = copy.deepcopy(by_kind(everything(kubernetes_out), kind)[0])
    change(broken)

    assert schema_errors(broken) != []


def test_every_container_is_locked_down_and_sized(kubernetes_out: Path) -> None:
    containers = kubernetes_containers(everything(kubernetes_out))

    assert len(containers) == 2
    assert [p for c in containers for p in problems(c)] == []


def test_the_lockdown_check_finds_a_container_that_is_not(kubernetes_out: Path) -> None:
    docs = copy.deepcopy(documents(kubernetes_out / MANIFESTS))
    (worker,) = [d for d in by_kind(docs, "Job") if d["metadata"]["name"].endswith("-workers")]
    pod = worker["spec"]["template"]["spec"]
    del pod["securityContext"]["runAsUser"]
    pod["containers"][0]["securityContext"] = {"readOnlyRootFilesystem": False}
    del pod["containers"][0]["resources"]["limits"]

    found = [p for c in kubernetes_containers(docs) for p in problems(c)]

    assert found == [
        f"Job loadgate-ci-workers → locust-worker: {problem}"
        for problem in (
            "runs as None: not a numeric non-root user",
            "its root filesystem is writable",
            "may escalate privileges",
            "keeps capabilities",
            "has no cpu set",
            "has no memory set",
        )
    ]


def test_the_master_gates_the_scenario_with_n_workers_against_the_clusters_prometheus(
    tiny_kubernetes_out: Path,
) -> None:
    master = container(tiny_kubernetes_out, "master")

    assert master["command"] == [
        "loadgate", "run", f"{BUNDLE_DIR}/scenario.yaml", "--target", TARGET,
        "--prometheus-url", PROMETHEUS, "--allow-remote", "--expect-workers", "3",
        "--master-bind", "0.0.0.0:5557", "--out", "/reports", "--no-live",
    ]  # fmt: skip
    spec = job(tiny_kubernetes_out, "master")["spec"]
    assert (spec["backoffLimit"], spec["completions"], spec["parallelism"]) == (0, 1, 1)
    assert spec["activeDeadlineSeconds"] == 5 + 20 + DEADLINE_MARGIN_S  # TINY: warm-up, window


def test_the_workers_find_the_master_by_its_service_and_export_for_the_podmonitor(
    tiny_kubernetes_out: Path,
) -> None:
    docs = everything(tiny_kubernetes_out)
    (service,) = by_kind(docs, "Service")
    (monitor,) = by_kind(docs, "PodMonitor")
    worker = container(tiny_kubernetes_out, "worker")
    pod = job(tiny_kubernetes_out, "worker")["spec"]["template"]

    assert job(tiny_kubernetes_out, "worker")["spec"]["parallelism"] == 3
    assert (
        worker["command"][worker["command"].index("--master-host") + 1]
        == service["metadata"]["name"]
    )
    assert worker["command"][4] == f"{PLUGIN},{BUNDLE_DIR}/locust/browse.py"
    assert (
        service["spec"]["selector"]
        == job(tiny_kubernetes_out, "master")["spec"]["template"]["metadata"]["labels"]
    )
    env = {e["name"]: e["value"] for e in worker["env"]}
    assert (env["LOADGATE_METRICS_ADDR"], env["LOADGATE_METRICS_PORTS"]) == ("0.0.0.0", "9646")
    assert env["LOADGATE_PARAMETERS"] == '{"think_time_s": 0.5}'  # TINY's load.parameters
    assert monitor["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    assert monitor["spec"]["podMetricsEndpoints"][0]["port"] == worker["ports"][0]["name"]
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == "9646"


def test_the_bundle_is_mounted_where_the_scenario_expects_its_files(
    tiny_kubernetes_out: Path,
) -> None:
    (config,) = by_kind(documents(tiny_kubernetes_out / MANIFESTS), "ConfigMap")
    volume = job(tiny_kubernetes_out, "worker")["spec"]["template"]["spec"]["volumes"][0]

    paths = {item["path"] for item in volume["configMap"]["items"]}
    assert {item["key"] for item in volume["configMap"]["items"]} == set(config["data"])
    # pages.py: not named by the scenario, carried because the locustfile imports it
    assert paths == {"scenario.yaml", "slo/availability.yaml", "locust/browse.py", "locust/pages.py"}  # fmt: skip


def test_namespace_labels_and_a_claim_for_the_reports(tmp_path: Path) -> None:
    deploy(
        "kubernetes", CI, tmp_path, *KUBERNETES_FLAGS, "--namespace", "load-tests",
        "--pod-monitor-label", "release=kube-prometheus-stack", "--reports-claim", "loadgate-reports",
        "--image", "registry.example/loadgate:1.0", workers="1",
    )  # fmt: skip

    docs = everything(tmp_path)
    assert {d["metadata"].get("namespace") for d in docs} == {"load-tests"}
    (monitor,) = by_kind(docs, "PodMonitor")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    volumes = job(tmp_path, "master")["spec"]["template"]["spec"]["volumes"]
    assert {
        "name": "reports",
        "persistentVolumeClaim": {"claimName": "loadgate-reports"},
    } in volumes
    assert container(tmp_path, "worker")["image"] == "registry.example/loadgate:1.0"
    assert job(tmp_path, "worker")["spec"]["completions"] == 1
    assert [schema_errors(d) for d in docs] == [[]] * len(docs)


def test_grafana_gets_the_scenarios_dashboards_and_the_clusters_prometheus(
    kubernetes_out: Path,
) -> None:
    dashboards, datasource = documents(kubernetes_out / GRAFANA)

    assert dashboards["metadata"]["labels"]["grafana_dashboard"] == "1"
    overview = json.loads(dashboards["data"]["slo-overview.json"])
    rows = [p["title"] for p in overview["panels"] if p["type"] == "row"]
    assert len(rows) == 9  # the CI scenario's SLOs (slo/recommender.yaml), a row each
    assert json.loads(dashboards["data"]["load-run.json"])["uid"] == "loadgate-load-run"
    assert datasource["metadata"]["labels"]["grafana_datasource"] == "1"
    source = yaml.safe_load(datasource["data"]["loadgate.yaml"])["datasources"][0]
    assert (source["uid"], source["url"]) == ("loadgate-prometheus", PROMETHEUS)
