"""The pod templates of ``loadgate deploy kubernetes``'s Jobs: a worker's pod (one Locust process)
and the master's pod (``loadgate run``) — their containers' commands, resources, lockdown and
volumes. kubernetes.py puts them in the Jobs and names what they refer to (the master's Service,
the scenario's files as a volume).

Every container runs as the image's numeric user, with a read-only root filesystem, no
privilege escalation, no capabilities and the runtime's seccomp profile (the Pod Security
Standards' "restricted" level); what it writes goes to emptyDirs. Requests equal limits for the
workers' CPU: a throttled load generator measures its own waiting, and one core is what a Locust
process uses — loadgate judges a worker above 90 % of it as saturated anyway.
"""

from __future__ import annotations

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
from harness.values.client_metrics import ENV_METRICS_ADDR, ENV_METRICS_PORTS, ENV_PARAMETERS

__all__ = ["MASTER_PORT_NAME", "METRICS_PORT_NAME", "Pod", "master_pod", "worker_pod"]

# The containers' named ports: the master's Service and the workers' PodMonitor refer to them.
MASTER_PORT_NAME = "locust-master"
METRICS_PORT_NAME = "metrics"

WORKER_RESOURCES = {"cpu": "1", "memory": "512Mi"}  # requests = limits: a Guaranteed pod
MASTER_REQUESTS = {"cpu": "500m", "memory": "1Gi"}
MASTER_LIMITS = {"cpu": "2", "memory": "1Gi"}  # the report's charts are rendered in a burst
SCRATCH = {"emptyDir": {"sizeLimit": "1Gi"}}
# SIGTERM is Ctrl-C to loadgate: it stops Locust, which waits for a last scrape, then writes
# what was measured. The default 30 s can cut that short.
MASTER_GRACE_S = 60

Pod = dict[str, dict[str, object]]  # a pod template: its metadata and its spec


def worker_pod(
    bundle: Bundle,
    image: str,
    labels: dict[str, str],
    *,
    master_host: str,
    bundle_volume: dict[str, object],
) -> Pod:
    """A Locust worker, loadgate's plugin beside the locustfile, connecting to ``master_host``
    and exporting its metrics on :9646 for the cluster's Prometheus."""
    env = {ENV_METRICS_ADDR: "0.0.0.0", ENV_METRICS_PORTS: str(EXPORTER_PORT)}
    if bundle.parameters is not None:  # the master sends its workers the seed, not these
        env[ENV_PARAMETERS] = bundle.parameters
    command = [
        "python", "-m", "locust",
        "-f", f"{PLUGIN},{BUNDLE_DIR}/{bundle.locustfile}",
        "--worker", "--master-host", master_host, "--master-port", str(MASTER_PORT),
    ]  # fmt: skip
    worker: dict[str, object] = {
        "name": "locust-worker",
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "command": command,
        "env": [{"name": k, "value": v} for k, v in sorted(env.items())],
        "ports": [{"name": METRICS_PORT_NAME, "containerPort": EXPORTER_PORT, "protocol": "TCP"}],
        "resources": {"requests": WORKER_RESOURCES, "limits": WORKER_RESOURCES},
        "securityContext": _container_security(),
        "volumeMounts": [
            {"name": "bundle", "mountPath": BUNDLE_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": TMP_DIR},
        ],
    }
    pod = _pod(labels, [worker], [bundle_volume, {"name": "tmp", **SCRATCH}])
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
    return pod


def master_pod(
    bundle: Bundle,
    image: str,
    labels: dict[str, str],
    *,
    prometheus_url: str,
    workers: int,
    reports_claim: str | None,
    bundle_volume: dict[str, object],
) -> Pod:
    """``loadgate run … --expect-workers N``, the gate: its exit status is the verdict, its log
    the report, its run folder on ``reports_claim`` (None: an emptyDir)."""
    command = [
        "loadgate", "run", f"{BUNDLE_DIR}/{SCENARIO_FILE}",
        "--target", bundle.target_url,
        "--prometheus-url", prometheus_url,
        "--allow-remote",
        "--expect-workers", str(workers),
        "--master-bind", f"0.0.0.0:{MASTER_PORT}",
        "--out", REPORTS_DIR,
        "--no-live",
    ]  # fmt: skip
    master: dict[str, object] = {
        "name": "loadgate",
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "command": command,
        "ports": [{"name": MASTER_PORT_NAME, "containerPort": MASTER_PORT, "protocol": "TCP"}],
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
    if reports_claim is not None:
        reports = {"name": "reports", "persistentVolumeClaim": {"claimName": reports_claim}}
    pod = _pod(labels, [master], [bundle_volume, {"name": "tmp", **SCRATCH}, reports])
    pod["spec"]["terminationGracePeriodSeconds"] = MASTER_GRACE_S
    return pod


def _pod(
    labels: dict[str, str], containers: list[dict[str, object]], volumes: list[dict[str, object]]
) -> Pod:
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
