"""``loadgate dashboards SLO… --out DIR``: the SLO overview and the load-run dashboard as Grafana
JSON, with the provisioning files that load them, each file written atomically.

    DIR/dashboards/slo-overview.json           per SLO: SLI, budget, burn rates, firing alerts
    DIR/dashboards/load-run.json               client vs server, generator health, quality, duet
    DIR/provisioning/datasources/loadgate.yaml the Prometheus they read (uid loadgate-prometheus)
    DIR/provisioning/dashboards/loadgate.yaml  a file provider reading --dashboards-path
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from harness.dashboards.load_run import load_run_dashboard
from harness.dashboards.panels import dashboard_json
from harness.dashboards.provisioning import datasource_yaml, provider_yaml
from harness.dashboards.slo_overview import slo_overview_dashboard
from harness.durations import DURATION_HELP, parse_duration
from harness.errors import COMMAND_LINE, EXIT_PASS, InputError, Problem
from harness.run_folder import write_atomically
from harness.slo.loader import load_slo_files
from harness.slo.policy import DEFAULT_POLICY, BurnPolicy, load_policy, prom_duration
from harness.values.slo import SLO

__all__ = [
    "DATASOURCE_FILE",
    "LOAD_RUN_FILE",
    "PROVIDER_FILE",
    "SLO_OVERVIEW_FILE",
    "DashboardFiles",
    "add_dashboards_parser",
    "dashboard_texts",
    "run_dashboards",
    "write_dashboards",
]

SLO_OVERVIEW_FILE = "dashboards/slo-overview.json"
LOAD_RUN_FILE = "dashboards/load-run.json"
DATASOURCE_FILE = "provisioning/datasources/loadgate.yaml"
PROVIDER_FILE = "provisioning/dashboards/loadgate.yaml"
DEFAULT_PROMETHEUS_URL = "http://127.0.0.1:9090"
DEFAULT_DASHBOARDS_PATH = "/var/lib/grafana/dashboards/loadgate"
# loadgate's own Prometheus and the PodMonitor of `loadgate deploy kubernetes` scrape every second.
DEFAULT_SCRAPE_INTERVAL = "1s"


@dataclass(frozen=True)
class DashboardFiles:
    written: tuple[Path, ...]


def add_dashboards_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "dashboards",
        help="write Grafana dashboards (SLO overview, load run) and their provisioning files",
        description="Write an SLO overview built on the recording rules `loadgate rules` writes "
        "for the same SLO files and policy, a load-run dashboard, and Grafana provisioning files "
        "(a Prometheus datasource, a dashboard provider) into --out. docs/dashboards.md",
        epilog="exit codes: 0 written · 2 invalid input (an SLO or policy file, a flag, an --out "
        "that cannot be written)",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="OpenSLO or Sloth SLO files")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the files into")
    parser.add_argument(
        "--policy",
        type=Path,
        default=DEFAULT_POLICY,
        help="burn-rate policy whose windows and factors the burn panels show; give the one "
        "`loadgate rules` used (default: slo/policies/google-30d.yaml)",
    )
    parser.add_argument(
        "--prometheus-url",
        default=DEFAULT_PROMETHEUS_URL,
        metavar="URL",
        help="the Prometheus Grafana queries, with the rules loaded (default "
        f"{DEFAULT_PROMETHEUS_URL})",
    )
    parser.add_argument(
        "--scrape-interval",
        default=DEFAULT_SCRAPE_INTERVAL,
        metavar="DURATION",
        help="that Prometheus's scrape interval, for Grafana's $__rate_interval (default "
        f"{DEFAULT_SCRAPE_INTERVAL}, loadgate's own)",
    )
    parser.add_argument(
        "--dashboards-path",
        default=DEFAULT_DASHBOARDS_PATH,
        metavar="PATH",
        help="where the Grafana server will find the JSON files: the provider reads this folder "
        f"(default {DEFAULT_DASHBOARDS_PATH})",
    )


def dashboard_texts(slos: Sequence[SLO], policy: BurnPolicy) -> dict[str, str]:
    """Each dashboard's file name (``slo-overview.json``, ``load-run.json``) → its JSON."""
    return {
        PurePosixPath(SLO_OVERVIEW_FILE).name: dashboard_json(slo_overview_dashboard(slos, policy)),
        PurePosixPath(LOAD_RUN_FILE).name: dashboard_json(load_run_dashboard()),
    }


def write_dashboards(
    slos: Sequence[SLO],
    policy: BurnPolicy,
    out: Path,
    prometheus_url: str,
    scrape_interval: str,
    dashboards_path: str,
) -> DashboardFiles:
    dashboards = dashboard_texts(slos, policy)
    files = {
        SLO_OVERVIEW_FILE: dashboards[PurePosixPath(SLO_OVERVIEW_FILE).name],
        LOAD_RUN_FILE: dashboards[PurePosixPath(LOAD_RUN_FILE).name],
        DATASOURCE_FILE: datasource_yaml(prometheus_url, scrape_interval),
        PROVIDER_FILE: provider_yaml(dashboards_path),
    }
    written = []
    for name, text in files.items():
        path = out / name
        try:
            write_atomically(path, text)
            # Read by another user (the Grafana server's): not the temporary file's 0600.
            path.chmod(0o644)
        except OSError as exc:
            raise InputError(
                [Problem(COMMAND_LINE, "--out", f"cannot write {str(path)!r}: {exc.strerror}; "
                         "allowed: a folder this user can create and write")]
            ) from None  # fmt: skip
        written.append(path)
    return DashboardFiles(tuple(written))


def run_dashboards(args: argparse.Namespace, say: Callable[[str], None]) -> int:
    """Every input checked first (all problems at once), then the files written."""
    problems = _flag_problems(args)
    slos: tuple[SLO, ...] = ()
    policy: BurnPolicy | None = None
    try:
        slos = load_slo_files(args.paths)
    except InputError as exc:
        problems += exc.problems
    try:
        policy = load_policy(args.policy)
    except InputError as exc:
        problems += exc.problems
    if problems or policy is None:
        raise InputError(problems)
    files = write_dashboards(
        slos,
        policy,
        args.out,
        args.prometheus_url.rstrip("/"),
        prom_duration(parse_duration(args.scrape_interval)),
        args.dashboards_path,
    )
    say(f"wrote dashboards for {len(slos)} SLO(s), policy {policy.name}:")
    for path in files.written:
        say(f"  {path}")
    say(
        "Prometheus must load the rules of `loadgate rules` for the same SLO files and policy; "
        "Grafana: copy provisioning/ into /etc/grafana/provisioning/ and dashboards/*.json "
        f"into {args.dashboards_path} (docs/dashboards.md)"
    )
    return EXIT_PASS


def _flag_problems(args: argparse.Namespace) -> list[Problem]:
    problems = []
    url = urlsplit(args.prometheus_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        problems.append(Problem(COMMAND_LINE, "--prometheus-url", f"{args.prometheus_url!r} is "
                                "not allowed; allowed: an http(s) URL with a host, e.g. "
                                "http://prometheus:9090"))  # fmt: skip
    try:
        if parse_duration(args.scrape_interval) < 1:
            raise ValueError("at least 1s")
    except ValueError:
        problems.append(Problem(COMMAND_LINE, "--scrape-interval", f"{args.scrape_interval!r} "
                                f"is not allowed; allowed: {DURATION_HELP}, at least 1s"))  # fmt: skip
    if not PurePosixPath(args.dashboards_path).is_absolute():
        problems.append(Problem(COMMAND_LINE, "--dashboards-path", f"{args.dashboards_path!r} "
                                "is not allowed; allowed: an absolute path on the Grafana "
                                "server, e.g. /var/lib/grafana/dashboards/loadgate"))  # fmt: skip
    return problems
