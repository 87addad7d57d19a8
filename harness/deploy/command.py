"""``loadgate deploy kubernetes|cloudformation SCENARIO --workers N --out DIR``: the command
line, checked before anything is written (every problem at once, exit 2), and its output.

Nothing is deployed: the files are written for ``kubectl apply`` or ``aws cloudformation
deploy``, which the user runs (docs/distributed.md).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from harness.deploy.bundle import read_bundle
from harness.deploy.cloudformation import TEMPLATE, CloudFormationOptions, cloudformation_files
from harness.deploy.image import DEFAULT_IMAGE
from harness.deploy.kubernetes import MANIFESTS, POD_MONITOR, KubernetesOptions, kubernetes_files
from harness.deploy.kubernetes_grafana import GRAFANA
from harness.deploy.names import object_prefix
from harness.deploy.output import write_files
from harness.deploy.task_prometheus import LISTEN
from harness.errors import COMMAND_LINE, EXIT_PASS, InputError, Problem
from harness.load.locustfile_check import check_locustfile
from harness.plan import Probe

__all__ = ["add_deploy_parser", "run_deploy"]

EPILOG = "exit codes: 0 written · 2 invalid input (a flag, the scenario, its files)"
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
DNS_NAME = re.compile(r"^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$")
LABEL_KEY = re.compile(r"^([a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?$")  # fmt: skip
LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?)?$")


def add_deploy_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    deploy = commands.add_parser(
        "deploy",
        help="write what runs a scenario distributed: Kubernetes manifests, or a CloudFormation "
        "template for ECS Fargate (docs/distributed.md)",
        description="Write the files that run a scenario with N Locust workers and loadgate as "
        "their master, gating against a Prometheus there. Nothing is deployed: apply them.",
    )
    platforms = deploy.add_subparsers(dest="platform", required=True, metavar="PLATFORM")
    kubernetes = platforms.add_parser(
        "kubernetes",
        help="ConfigMaps, the workers' Job, the master's Job and Service, a PodMonitor",
        description="Write manifests.yaml (the scenario's files in a ConfigMap, N Locust "
        "workers in a Job, loadgate as the master in a Job whose exit status is the verdict, "
        "a Service for the master's port) and podmonitor.yaml (the workers' scrape, for the "
        "Prometheus Operator) into --out.",
        epilog=EPILOG,
    )
    _common(kubernetes, "loadgate's image, as the cluster pulls it")
    kubernetes.add_argument(
        "--prometheus-url",
        metavar="URL",
        help="the cluster's Prometheus, which loadgate queries and which must scrape the workers "
        "(required), e.g. http://prometheus-operated.monitoring.svc:9090",
    )
    kubernetes.add_argument("--namespace", help="every object's namespace (default: kubectl's)")
    kubernetes.add_argument(
        "--pod-monitor-label",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a label for the PodMonitor, as your Prometheus selects them (e.g. "
        "release=kube-prometheus-stack); repeatable",
    )
    kubernetes.add_argument(
        "--reports-claim",
        metavar="NAME",
        help="a PersistentVolumeClaim to keep the run folder on (default: an emptyDir, gone "
        "with the pod; the report is in the master's log either way)",
    )
    cloudformation = platforms.add_parser(
        "cloudformation",
        help="a template for ECS Fargate, and the scenario image's Dockerfile",
        description="Write template.yaml (a cluster, the master service with loadgate and a "
        "Prometheus, N worker tasks, Cloud Map, log groups, a least-privilege execution role), "
        "and Dockerfile and bundle/ (the scenario image: loadgate's image with the scenario's "
        "files) into --out.",
        epilog=EPILOG,
    )
    _common(cloudformation, "loadgate's image, which the scenario image is built FROM")


def _common(parser: argparse.ArgumentParser, image: str) -> None:
    parser.add_argument("scenario", type=Path, help="the scenario file to run")
    parser.add_argument(
        "--workers", type=int, required=True, help="Locust workers to start (≥ 1), one core each"
    )
    parser.add_argument("--out", type=Path, required=True, help="the folder to write into")
    parser.add_argument(
        "--target",
        metavar="URL",
        help="the service to load, as the workers reach it (default: the scenario's target.url)",
    )
    parser.add_argument("--image", default=DEFAULT_IMAGE, help=f"{image} (default {DEFAULT_IMAGE})")


def run_deploy(
    args: argparse.Namespace,
    say: Callable[[str], None],
    probe: Probe | None = check_locustfile,
) -> int:
    """Check the flags and the scenario, write the files, say what they are and what next."""
    kubernetes = args.platform == "kubernetes"
    problems = _flag_problems(args, kubernetes)
    prometheus_url = args.prometheus_url if kubernetes else f"http://{LISTEN}"
    try:
        bundle = read_bundle(args.scenario, args.workers, args.target, prometheus_url or "", probe)
    except InputError as exc:
        raise InputError([*problems, *exc.problems]) from None
    if problems:
        raise InputError(problems)
    if kubernetes:
        options = KubernetesOptions(
            workers=args.workers,
            prometheus_url=prometheus_url.rstrip("/"),
            image=args.image,
            namespace=args.namespace,
            pod_monitor_labels=tuple(sorted(_label(text) for text in args.pod_monitor_label)),
            reports_claim=args.reports_claim,
        )
        files = kubernetes_files(bundle, options)
        master = f"{object_prefix(bundle.name)}-master"
        then = [
            f"kubectl apply -f {args.out / MANIFESTS} -f {args.out / POD_MONITOR}  "
            "# the PodMonitor only with the Prometheus Operator",
            f"kubectl apply -f {args.out / GRAFANA}  # dashboards, with `loadgate rules` loaded "
            "(docs/dashboards.md)",
            f"kubectl logs --follow --pod-running-timeout=10m job/{master}  # the report",
            f"kubectl get pod -l job-name={master} -o jsonpath="
            "'{.items[0].status.containerStatuses[0].state.terminated.exitCode}'  # the verdict",
        ]
    else:
        files = cloudformation_files(bundle, CloudFormationOptions(args.workers, args.image))
        image = f"<account>.dkr.ecr.<region>.amazonaws.com/{object_prefix(bundle.name)}:<tag>"
        then = [
            f"docker build -t {image} {args.out}  # FROM {args.image}: build that first",
            f"docker push {image}",
            f"aws cloudformation deploy --template-file {args.out / TEMPLATE} --stack-name "
            "<name> --capabilities CAPABILITY_IAM --parameter-overrides ImageTag=<tag> "
            "VpcId=<vpc> SubnetIds=<subnet,…>",
        ]
    written = write_files(args.out, files)
    say(
        f"wrote {len(written)} file(s) for {bundle.name} with {args.workers} worker(s) into {args.out}"
    )
    for note in bundle.notes:
        say(f"note: {note}")
    say("next (docs/distributed.md):")
    for line in then:
        say(f"  {line}")
    return EXIT_PASS


def _flag_problems(args: argparse.Namespace, kubernetes: bool) -> list[Problem]:
    problems = []
    if not args.image or any(c.isspace() for c in args.image):
        problems.append(Problem(COMMAND_LINE, "--image", f"{args.image!r} is not allowed; "
                                "allowed: an image reference, e.g. registry/loadgate:1.0"))  # fmt: skip
    if not kubernetes:
        return problems
    url = args.prometheus_url
    if url is None:
        problems.append(Problem(COMMAND_LINE, "--prometheus-url", "is required: the cluster's "
                                "Prometheus, which loadgate queries and which scrapes the "
                                "workers, e.g. http://prometheus-operated.monitoring.svc:9090"))  # fmt: skip
    elif urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        problems.append(Problem(COMMAND_LINE, "--prometheus-url", f"{url!r} is not allowed; "
                                "allowed: an http(s) URL"))  # fmt: skip
    if args.namespace is not None and not DNS_LABEL.match(args.namespace):
        problems.append(Problem(COMMAND_LINE, "--namespace", f"{args.namespace!r} is not allowed; "
                                "allowed: a DNS label (a-z, 0-9, '-'; at most 63)"))  # fmt: skip
    if args.reports_claim is not None and not DNS_NAME.match(args.reports_claim):
        problems.append(Problem(COMMAND_LINE, "--reports-claim", f"{args.reports_claim!r} is not "
                                "allowed; allowed: a PersistentVolumeClaim's name"))  # fmt: skip
    for text in args.pod_monitor_label:
        key, equals, value = text.partition("=")
        if not equals or not LABEL_KEY.match(key) or not LABEL_VALUE.match(value):
            problems.append(Problem(COMMAND_LINE, "--pod-monitor-label", f"{text!r} is not "
                                    "allowed; allowed: KEY=VALUE, a Kubernetes label"))  # fmt: skip
    return problems


def _label(text: str) -> tuple[str, str]:
    key, _, value = text.partition("=")
    return key, value
