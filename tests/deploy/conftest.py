"""``loadgate deploy``'s output, made once per session: the command line parsed as the CLI parses
it, the files written as it writes them. The locustfile check is left out here (it loads Locust
in a subprocess; test_command.py runs it).

Two scenarios: the shipped CI scenario, which must deploy (valid objects, locked-down
containers, a template cfn-lint passes), and TINY, a test-only scenario that the golden files
and the tests of particular values (its files, its durations, its parameters) are made from — so
that a change to the shipped locustfiles, SLOs or scenarios leaves those alone."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.cli import build_parser
from harness.deploy.command import run_deploy
from tests.conftest import REPO

CI = REPO / "scenarios/ci.yaml"
TINY = REPO / "tests/testdata/deploy/scenario/tiny.yaml"
TARGET = "http://recommender.shop.svc:8080"
PROMETHEUS = "http://prometheus-operated.monitoring.svc:9090"
# The golden files' command lines (tests/testdata/deploy/README.md says how to regenerate them).
KUBERNETES_FLAGS = ("--target", TARGET, "--prometheus-url", PROMETHEUS)
CLOUDFORMATION_FLAGS = ("--target", TARGET)


def deploy(platform: str, scenario: Path, out: Path, *flags: str, workers: str = "3") -> list[str]:
    """Run ``loadgate deploy PLATFORM SCENARIO --workers N --out OUT FLAGS``; what it said."""
    args = build_parser().parse_args(
        ["deploy", platform, str(scenario), "--workers", workers, "--out", str(out), *flags]
    )
    said: list[str] = []
    run_deploy(args, said.append, probe=None)
    return said


@pytest.fixture(scope="session")
def kubernetes_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped CI scenario's manifests, with 3 workers."""
    out = tmp_path_factory.mktemp("kubernetes")
    deploy("kubernetes", CI, out, *KUBERNETES_FLAGS)
    return out


@pytest.fixture(scope="session")
def cloudformation_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped CI scenario's template and scenario image, with 3 workers."""
    out = tmp_path_factory.mktemp("cloudformation")
    deploy("cloudformation", CI, out, *CLOUDFORMATION_FLAGS)
    return out


@pytest.fixture(scope="session")
def tiny_kubernetes_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """TINY's manifests, with 3 workers: what the golden files hold."""
    out = tmp_path_factory.mktemp("tiny-kubernetes")
    deploy("kubernetes", TINY, out, *KUBERNETES_FLAGS)
    return out


@pytest.fixture(scope="session")
def tiny_cloudformation_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """TINY's template and scenario image, with 3 workers: what the golden files hold."""
    out = tmp_path_factory.mktemp("tiny-cloudformation")
    deploy("cloudformation", TINY, out, *CLOUDFORMATION_FLAGS)
    return out


def documents(path: Path) -> list[dict[str, object]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def by_kind(docs: list[dict[str, object]], kind: str) -> list[dict[str, object]]:
    return [d for d in docs if d["kind"] == kind]
