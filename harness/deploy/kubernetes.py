"""``loadgate deploy kubernetes``: the manifests that run a scenario distributed in a cluster.

    ConfigMap <name>-bundle     the scenario, its locustfile (and the modules it imports), its SLOs
    Service   <name>-master     where the workers find the master (Locust's port 5557)
    Job       <name>-workers    N Locust workers, loadgate's plugin beside the locustfile; each
                                exports its metrics on :9646 for the cluster's Prometheus
    Job       <name>-master     `loadgate run … --expect-workers N`: the gate; its exit status
                                is the verdict, its log the report
    PodMonitor <name>-workers   (podmonitor.yaml) the workers' scrape, for the Prometheus Operator
    ConfigMaps <name>-grafana-* (grafana.yaml) the dashboards and their datasource, for Grafana
                                (kubernetes_grafana.py)

The workers are a Job, not a Deployment: Locust workers exit when the master quits, and a
Deployment would restart them for ever (each holding its CPU), and would restart a worker that
dies mid-run into the running test, where Locust gives it users. A run missing a worker is
inconclusive either way (the master waits for every worker's results).

What runs in the Jobs' pods — the containers, their resources and lockdown — is
kubernetes_pods.py's; this module makes the objects around them and names them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from harness.deploy.bundle import Bundle
from harness.deploy.image import MASTER_PORT
from harness.deploy.kubernetes_grafana import GRAFANA, grafana_config_maps
from harness.deploy.kubernetes_pods import (
    MASTER_PORT_NAME,
    METRICS_PORT_NAME,
    Pod,
    master_pod,
    worker_pod,
)
from harness.deploy.names import object_prefix
from harness.deploy.output import dump_yaml
from harness.errors import InputError, Problem

__all__ = [
    "DEADLINE_MARGIN_S",
    "MANIFESTS",
    "POD_MONITOR",
    "KubernetesOptions",
    "kubernetes_files",
    "manifests",
    "pod_monitor",
]

MANIFESTS = "manifests.yaml"
POD_MONITOR = "podmonitor.yaml"  # apart: a cluster without the Prometheus Operator lacks its kind
# Beyond warm-up + window: pulling the image, the workers joining, the harness's own bound on
# Locust (60 s past the load), the SLO queries and the reports. A run still going then is stuck.
DEADLINE_MARGIN_S = 600
FINISHED_TTL_S = 86_400  # a finished run's Jobs and pods (and so its log) kept for a day
# The private Prometheus scrapes every second, and the plugin waits for one scrape after the
# load: at a cluster's usual 30 s the last seconds' counts would be lost, and a 5 s window would
# hold no rate at all.
SCRAPE_INTERVAL = "1s"
CONFIGMAP_MAX_BYTES = 1_000_000  # Kubernetes refuses a ConfigMap over 1 MiB, metadata included
KEY = re.compile(r"^[-._a-zA-Z0-9]{1,253}$")  # what a ConfigMap key may be


@dataclass(frozen=True)
class KubernetesOptions:
    workers: int
    prometheus_url: str  # the cluster's Prometheus: loadgate queries it, it scrapes the workers
    image: str
    namespace: str | None = None  # None: kubectl's current namespace
    pod_monitor_labels: tuple[tuple[str, str], ...] = ()  # what the Prometheus selects them by
    reports_claim: str | None = None  # a PersistentVolumeClaim for the reports; None: emptyDir


def kubernetes_files(bundle: Bundle, options: KubernetesOptions) -> dict[str, str]:
    """The files ``--out`` receives; ``InputError`` when the bundle cannot be a ConfigMap."""
    head = (
        f"# loadgate deploy kubernetes {bundle.source} --workers {options.workers}\n"
        "# kubectl apply -f this file (and podmonitor.yaml with the Prometheus Operator);\n"
        "# the master Job's exit status is the verdict: docs/distributed.md\n"
    )
    monitor_head = "# The workers' scrape, for the Prometheus Operator (docs/distributed.md)\n"
    grafana_head = (
        "# The dashboards and their datasource, for Grafana's sidecars or provisioning folders;\n"
        "# Prometheus needs the rules of `loadgate rules` for the same SLOs (docs/dashboards.md)\n"
    )
    prefix = object_prefix(bundle.name)
    namespace = _metadata(prefix, options, {})
    grafana = grafana_config_maps(
        bundle,
        options.prometheus_url,
        SCRAPE_INTERVAL,
        {k: v for k, v in namespace.items() if k == "namespace"},
        _labels(prefix, "grafana"),
    )
    return {
        MANIFESTS: dump_yaml(manifests(bundle, options), head),
        POD_MONITOR: dump_yaml([pod_monitor(bundle, options)], monitor_head),
        GRAFANA: dump_yaml(grafana, grafana_head),
    }


def manifests(bundle: Bundle, options: KubernetesOptions) -> list[dict[str, object]]:
    """In the order ``kubectl apply`` should create them: what the pods mount first."""
    prefix = object_prefix(bundle.name)
    return [
        _config_map(bundle, options, prefix),
        _master_service(options, prefix),
        _workers_job(bundle, options, prefix),
        _master_job(bundle, options, prefix),
    ]


def pod_monitor(bundle: Bundle, options: KubernetesOptions) -> dict[str, object]:
    prefix = object_prefix(bundle.name)
    labels = {**_labels(prefix, "worker"), **dict(options.pod_monitor_labels)}
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": _metadata(f"{prefix}-workers", options, labels),
        "spec": {
            "selector": {"matchLabels": _labels(prefix, "worker")},
            "podMetricsEndpoints": [
                {
                    "port": METRICS_PORT_NAME,
                    "path": "/metrics",
                    "interval": SCRAPE_INTERVAL,
                    "scrapeTimeout": SCRAPE_INTERVAL,
                }
            ],
        },
    }


def _config_map(bundle: Bundle, options: KubernetesOptions, prefix: str) -> dict[str, object]:
    data = {_key(path): text for path, text in bundle.files}
    size = sum(len(k.encode()) + len(v.encode()) for k, v in data.items())
    if size > CONFIGMAP_MAX_BYTES:
        raise InputError([Problem(bundle.source, "(the scenario's files)", f"{size} bytes "
                                  f"together; allowed: at most {CONFIGMAP_MAX_BYTES}, what one "
                                  "ConfigMap holds")])  # fmt: skip
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _metadata(f"{prefix}-bundle", options, _labels(prefix, "bundle")),
        "data": data,
    }


def _key(path: str) -> str:
    """A bundle path as a ConfigMap key (flat: ``locust/x.py`` → ``locust--x.py``); the volume's
    items put each back at its path."""
    key = path.replace("/", "--")
    if not KEY.match(key):
        raise InputError([Problem(path, "file name", f"{key!r} cannot be a ConfigMap key; "
                                  "allowed: letters, digits, '-', '_' and '.'")])  # fmt: skip
    return key


def _master_service(options: KubernetesOptions, prefix: str) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(f"{prefix}-master", options, _labels(prefix, "master")),
        "spec": {
            "type": "ClusterIP",
            "selector": _labels(prefix, "master"),
            "ports": [
                {
                    "name": MASTER_PORT_NAME,
                    "port": MASTER_PORT,
                    "targetPort": MASTER_PORT_NAME,
                    "protocol": "TCP",
                }
            ],
        },
    }


def _workers_job(bundle: Bundle, options: KubernetesOptions, prefix: str) -> dict[str, object]:
    labels = _labels(prefix, "worker")
    pod = worker_pod(
        bundle,
        options.image,
        labels,
        master_host=f"{prefix}-master",
        bundle_volume=_bundle_volume(bundle, prefix),
    )
    return _job(f"{prefix}-workers", options, labels, bundle, pod, options.workers)


def _master_job(bundle: Bundle, options: KubernetesOptions, prefix: str) -> dict[str, object]:
    labels = _labels(prefix, "master")
    pod = master_pod(
        bundle,
        options.image,
        labels,
        prometheus_url=options.prometheus_url,
        workers=options.workers,
        reports_claim=options.reports_claim,
        bundle_volume=_bundle_volume(bundle, prefix),
    )
    return _job(f"{prefix}-master", options, labels, bundle, pod, 1)


def _job(
    name: str,
    options: KubernetesOptions,
    labels: dict[str, str],
    bundle: Bundle,
    pod: Pod,
    pods: int,
) -> dict[str, object]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _metadata(name, options, labels),
        "spec": {
            # One attempt: a retried master would be a second run, a retried worker would join
            # the first one late.
            "backoffLimit": 0,
            "completions": pods,
            "parallelism": pods,
            "activeDeadlineSeconds": math.ceil(bundle.load_s) + DEADLINE_MARGIN_S,
            "ttlSecondsAfterFinished": FINISHED_TTL_S,
            "template": pod,
        },
    }


def _bundle_volume(bundle: Bundle, prefix: str) -> dict[str, object]:
    """The ConfigMap as the pods mount it, each key back at its path in the bundle."""
    items = [{"key": _key(path), "path": path} for path, _ in bundle.files]
    return {"name": "bundle", "configMap": {"name": f"{prefix}-bundle", "items": items}}


def _metadata(name: str, options: KubernetesOptions, labels: dict[str, str]) -> dict[str, object]:
    metadata: dict[str, object] = {"name": name, "labels": labels}
    if options.namespace is not None:
        metadata["namespace"] = options.namespace
    return metadata


def _labels(prefix: str, component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": "loadgate",
        "app.kubernetes.io/instance": prefix,
        "app.kubernetes.io/component": component,
    }
