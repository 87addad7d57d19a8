"""``loadgate deploy kubernetes``: the manifests that run a scenario distributed in a cluster.

    ConfigMap <name>-bundle     the scenario, its locustfile (and the modules it imports), its SLOs
    Service   <name>-master     where the workers find the master (Locust's port 5557)
    Job       <name>-workers    N Locust workers, loadgate's plugin beside the locustfile; each
                                exports its metrics on :9646 for the cluster's Prometheus
    Job       <name>-master     `loadgate run … --expect-workers N`: the gate; its exit status
                                is the verdict, its log the report
    PodMonitor <name>-workers   (podmonitor.yaml) the workers' scrape, for the Prometheus Operator

The workers are a Job, not a Deployment: Locust workers exit when the master quits, and a
Deployment would restart them for ever (each holding its CPU), and would restart a worker that
dies mid-run into the running test, where Locust gives it users. A run missing a worker is
inconclusive either way (the master waits for every worker's results).

Every container runs as the image's numeric user, with a read-only root filesystem, no
privilege escalation, no capabilities and the runtime's seccomp profile (the Pod Security
Standards' "restricted" level); what it writes goes to emptyDirs. Requests equal limits for the
workers' CPU: a throttled load generator measures its own waiting, and one core is what a Locust
process uses — loadgate judges a worker above 90 % of it as saturated anyway.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from harness.deploy.bundle import SCENARIO_FILE, Bundle
from harness.deploy.image import (
    BUNDLE_DIR,
    EXPORTER_PORT,
    MASTER_PORT,
    PLUGIN,
    REPORTS_DIR,
    TMP_DIR,
    USER_ID,
)
from harness.deploy.names import object_prefix
from harness.deploy.output import dump_yaml
from harness.errors import InputError, Problem
from harness.values.client_metrics import ENV_METRICS_ADDR, ENV_METRICS_PORTS, ENV_PARAMETERS

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

WORKER_RESOURCES = {"cpu": "1", "memory": "512Mi"}  # requests = limits: a Guaranteed pod
MASTER_REQUESTS = {"cpu": "500m", "memory": "1Gi"}
MASTER_LIMITS = {"cpu": "2", "memory": "1Gi"}  # the report's charts are rendered in a burst
SCRATCH = {"emptyDir": {"sizeLimit": "1Gi"}}


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
    return {
        MANIFESTS: dump_yaml(manifests(bundle, options), head),
        POD_MONITOR: dump_yaml([pod_monitor(bundle, options)], monitor_head),
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
                    "port": "metrics",
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
                    "name": "locust-master",
                    "port": MASTER_PORT,
                    "targetPort": "locust-master",
                    "protocol": "TCP",
                }
            ],
        },
    }


def _workers_job(bundle: Bundle, options: KubernetesOptions, prefix: str) -> dict[str, object]:
    labels = _labels(prefix, "worker")
    env = {ENV_METRICS_ADDR: "0.0.0.0", ENV_METRICS_PORTS: str(EXPORTER_PORT)}
    if bundle.parameters is not None:  # the master sends its workers the seed, not these
        env[ENV_PARAMETERS] = bundle.parameters
    command = [
        "python", "-m", "locust",
        "-f", f"{PLUGIN},{BUNDLE_DIR}/{bundle.locustfile}",
        "--worker", "--master-host", f"{prefix}-master", "--master-port", str(MASTER_PORT),
    ]  # fmt: skip
    worker: dict[str, object] = {
        "name": "locust-worker",
        "image": options.image,
        "imagePullPolicy": "IfNotPresent",
        "command": command,
        "env": [{"name": k, "value": v} for k, v in sorted(env.items())],
        "ports": [{"name": "metrics", "containerPort": EXPORTER_PORT, "protocol": "TCP"}],
        "resources": {"requests": WORKER_RESOURCES, "limits": WORKER_RESOURCES},
        "securityContext": _container_security(),
        "volumeMounts": [
            {"name": "bundle", "mountPath": BUNDLE_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": TMP_DIR},
        ],
    }
    pod = _pod(labels, [worker], [_bundle_volume(bundle, prefix), {"name": "tmp", **SCRATCH}])
    pod["metadata"]["annotations"] = {  # for a Prometheus that scrapes by annotation
        "prometheus.io/scrape": "true",
        "prometheus.io/port": str(EXPORTER_PORT),
        "prometheus.io/path": "/metrics",
    }
    pod["spec"]["topologySpreadConstraints"] = [  # one node's CPU is not all workers' limit
        {
            "maxSkew": 1,
            "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": labels},
        }
    ]
    return _job(f"{prefix}-workers", options, labels, bundle, pod, options.workers)


def _master_job(bundle: Bundle, options: KubernetesOptions, prefix: str) -> dict[str, object]:
    labels = _labels(prefix, "master")
    command = [
        "loadgate", "run", f"{BUNDLE_DIR}/{SCENARIO_FILE}",
        "--target", bundle.target_url,
        "--prometheus-url", options.prometheus_url,
        "--allow-remote",
        "--expect-workers", str(options.workers),
        "--master-bind", f"0.0.0.0:{MASTER_PORT}",
        "--out", REPORTS_DIR,
        "--no-live",
    ]  # fmt: skip
    master: dict[str, object] = {
        "name": "loadgate",
        "image": options.image,
        "imagePullPolicy": "IfNotPresent",
        "command": command,
        "ports": [{"name": "locust-master", "containerPort": MASTER_PORT, "protocol": "TCP"}],
        "resources": {"requests": MASTER_REQUESTS, "limits": MASTER_LIMITS},
        "securityContext": _container_security(),
        # A failed gate's last log lines (its reasons) become the pod's termination message.
        "terminationMessagePolicy": "FallbackToLogsOnError",
        "volumeMounts": [
            {"name": "bundle", "mountPath": BUNDLE_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": TMP_DIR},
            {"name": "reports", "mountPath": REPORTS_DIR},
        ],
    }
    reports: dict[str, object] = {"name": "reports", **SCRATCH}
    if options.reports_claim is not None:
        reports = {"name": "reports", "persistentVolumeClaim": {"claimName": options.reports_claim}}
    volumes: list[dict[str, object]] = [
        _bundle_volume(bundle, prefix),
        {"name": "tmp", **SCRATCH},
        reports,
    ]
    pod = _pod(labels, [master], volumes)
    # SIGTERM is Ctrl-C to loadgate: it stops Locust, which waits for a last scrape, then
    # writes what was measured. The default 30 s can cut that short.
    pod["spec"]["terminationGracePeriodSeconds"] = 60
    return _job(f"{prefix}-master", options, labels, bundle, pod, 1)


def _job(
    name: str,
    options: KubernetesOptions,
    labels: dict[str, str],
    bundle: Bundle,
    pod: dict[str, dict[str, object]],
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


def _pod(
    labels: dict[str, str], containers: list[dict[str, object]], volumes: list[dict[str, object]]
) -> dict[str, dict[str, object]]:
    return {
        "metadata": {"labels": labels},
        "spec": {
            "restartPolicy": "Never",
            "automountServiceAccountToken": False,  # nothing here talks to the Kubernetes API
            "enableServiceLinks": False,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": USER_ID,
                "runAsGroup": USER_ID,
                "fsGroup": USER_ID,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": containers,
            "volumes": volumes,
        },
    }


def _container_security() -> dict[str, object]:
    return {
        "runAsNonRoot": True,
        "runAsUser": USER_ID,
        "runAsGroup": USER_ID,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def _bundle_volume(bundle: Bundle, prefix: str) -> dict[str, object]:
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
