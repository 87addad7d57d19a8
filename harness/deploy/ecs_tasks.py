"""The ECS task definitions of ``loadgate deploy cloudformation``'s template: the master task
(loadgate, and its Prometheus on localhost) and a worker's task (one Locust process).

Every container runs as the image's numeric user on a read-only root filesystem with every
capability dropped, and has its CPU and memory; what it writes goes to the task's scratch
volumes. Sizes are Fargate's (CPU units, MiB): a worker is one Locust process, one core; the
master task holds loadgate (with Locust's master and the report's charts) and Prometheus.
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
from harness.deploy.task_prometheus import ENV_TARGET, ENV_WORKERS, LISTEN
from harness.values.client_metrics import ENV_METRICS_ADDR, ENV_METRICS_PORTS, ENV_PARAMETERS

__all__ = ["MASTER_HOST", "WORKERS_HOST", "master_task", "ref", "worker_task"]

MASTER_HOST = {"Fn::Sub": "master.${AWS::StackName}.internal"}  # Cloud Map's names
WORKERS_HOST = {"Fn::Sub": "workers.${AWS::StackName}.internal"}
IMAGE = {"Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/${ImageRepository}:${ImageTag}"}  # fmt: skip
USER = f"{USER_ID}:{USER_ID}"
WORKER_TASK = ("1024", "2048")
MASTER_TASK = ("1024", "2048")
LOADGATE_SHARE = (768, 1536)
PROMETHEUS_SHARE = (256, 512)


def master_task() -> dict[str, object]:
    prometheus = _container(
        "prometheus",
        PROMETHEUS_SHARE,
        "MasterLogGroup",
        # Both set: an entry point without a command could still be given the image's CMD.
        entry_point=["python"],
        command=["-m", "harness.deploy.task_prometheus"],
        environment={ENV_TARGET: ref("Target"), ENV_WORKERS: WORKERS_HOST},
        mounts={"prometheus-tmp": TMP_DIR},
    )
    prometheus["HealthCheck"] = {
        "Command": ["CMD", "python", "-m", "harness.deploy.task_prometheus", "--ready"],
        "Interval": 5,
        "Timeout": 3,
        "Retries": 6,
        "StartPeriod": 10,
    }
    command: list[object] = [
        "run", f"{BUNDLE_DIR}/{SCENARIO_FILE}",
        "--target", ref("Target"),
        "--prometheus-url", f"http://{LISTEN}",
        "--allow-remote",
        "--expect-workers", ref("WorkerCount"),
        "--master-bind", f"0.0.0.0:{MASTER_PORT}",
        "--out", REPORTS_DIR,
        "--no-live",
    ]  # fmt: skip
    loadgate = _container(
        "loadgate",
        LOADGATE_SHARE,
        "MasterLogGroup",
        entry_point=["loadgate"],
        command=command,
        mounts={"tmp": TMP_DIR, "reports": REPORTS_DIR},
        ports=(MASTER_PORT,),
    )
    # Not essential: when the gate ends, the task (and Prometheus) stays up, and the service does
    # not start another run. Prometheus must answer before loadgate asks it anything.
    loadgate["Essential"] = False
    loadgate["DependsOn"] = [{"ContainerName": "prometheus", "Condition": "HEALTHY"}]
    return _task(
        "master", MASTER_TASK, [prometheus, loadgate], ["tmp", "reports", "prometheus-tmp"]
    )


def worker_task(bundle: Bundle) -> dict[str, object]:
    environment: dict[str, object] = {
        ENV_METRICS_ADDR: "0.0.0.0",
        ENV_METRICS_PORTS: str(EXPORTER_PORT),
    }
    if bundle.parameters is not None:  # the master sends its workers the seed, not these
        environment[ENV_PARAMETERS] = bundle.parameters
    command: list[object] = [
        "-f", f"{PLUGIN},{BUNDLE_DIR}/{bundle.locustfile}",
        "--worker", "--master-host", MASTER_HOST, "--master-port", str(MASTER_PORT),
    ]  # fmt: skip
    worker = _container(
        "locust-worker",
        (int(WORKER_TASK[0]), int(WORKER_TASK[1])),
        "WorkerLogGroup",
        entry_point=["python", "-m", "locust"],
        command=command,
        environment=environment,
        mounts={"tmp": TMP_DIR},
        ports=(EXPORTER_PORT,),
    )
    return _task("workers", WORKER_TASK, [worker], ["tmp"])


def _container(
    name: str,
    share: tuple[int, int],
    log_group: str,
    *,
    entry_point: list[str],
    command: list[object] | None = None,
    environment: dict[str, object] | None = None,
    mounts: dict[str, str],
    ports: tuple[int, ...] = (),
) -> dict[str, object]:
    container: dict[str, object] = {
        "Name": name,
        "Image": IMAGE,
        "Essential": True,
        "EntryPoint": entry_point,
        "User": USER,
        "ReadonlyRootFilesystem": True,
        "LinuxParameters": {"Capabilities": {"Drop": ["ALL"]}},
        "Cpu": share[0],
        "Memory": share[1],
        "MountPoints": [
            {"SourceVolume": volume, "ContainerPath": path, "ReadOnly": False}
            for volume, path in sorted(mounts.items())
        ],
        "LogConfiguration": {
            "LogDriver": "awslogs",
            "Options": {
                "awslogs-group": ref(log_group),
                "awslogs-region": ref("AWS::Region"),
                "awslogs-stream-prefix": name,
            },
        },
    }
    if ports:
        container["PortMappings"] = [{"ContainerPort": port, "Protocol": "tcp"} for port in ports]
    if command is not None:
        container["Command"] = command
    if environment:
        container["Environment"] = [
            {"Name": key, "Value": value} for key, value in sorted(environment.items())
        ]
    return container


def _task(
    role: str, size: tuple[str, str], containers: list[dict[str, object]], volumes: list[str]
) -> dict[str, object]:
    return {
        "Type": "AWS::ECS::TaskDefinition",
        "Properties": {
            "Family": {"Fn::Sub": f"${{AWS::StackName}}-{role}"},
            "RequiresCompatibilities": ["FARGATE"],
            "NetworkMode": "awsvpc",
            "Cpu": size[0],
            "Memory": size[1],
            "RuntimePlatform": {"OperatingSystemFamily": "LINUX", "CpuArchitecture": "X86_64"},
            "ExecutionRoleArn": {"Fn::GetAtt": ["ExecutionRole", "Arn"]},
            "ContainerDefinitions": containers,
            # Scratch space on the task's ephemeral storage; the image's VOLUMEs give each its
            # owner, so the non-root user may write there.
            "Volumes": [{"Name": name} for name in sorted(volumes)],
        },
    }


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}
