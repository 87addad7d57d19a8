"""The rules every container of a deployment must follow, written once and applied to both
outputs: the Kubernetes pods' containers and the ECS task definitions' containers are first read
into the same ``Container`` view, then judged by one function.

Rules: a numeric, non-root user (and, in Kubernetes, runAsNonRoot, so the kubelet refuses an
image that would run as root); a read-only root filesystem; no privilege escalation; every
capability dropped; the runtime's default seccomp profile (Kubernetes; Fargate applies its own);
CPU and memory given (Kubernetes: requests and limits both).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Container:
    where: str  # e.g. "Job loadgate-ci-master → loadgate"
    user: object  # the numeric uid it runs as, or whatever was written
    non_root_enforced: bool | None  # runAsNonRoot (None: the platform has no such setting)
    read_only_root: bool
    no_privilege_escalation: bool
    drops_all_capabilities: bool
    seccomp_default: bool | None  # None: not the platform's to set (Fargate)
    cpu: tuple[object, ...]  # every CPU figure it must have (request and limit, or ECS's Cpu)
    memory: tuple[object, ...]


def problems(container: Container) -> list[str]:
    found = []
    if (
        not isinstance(container.user, int)
        or isinstance(container.user, bool)
        or container.user == 0
    ):
        found.append(f"runs as {container.user!r}: not a numeric non-root user")
    if container.non_root_enforced is False:
        found.append("runAsNonRoot is not set")
    if not container.read_only_root:
        found.append("its root filesystem is writable")
    if not container.no_privilege_escalation:
        found.append("may escalate privileges")
    if not container.drops_all_capabilities:
        found.append("keeps capabilities")
    if container.seccomp_default is False:
        found.append("has no RuntimeDefault seccomp profile")
    for what, figures in (("cpu", container.cpu), ("memory", container.memory)):
        if not figures or any(f in (None, "", 0, "0") for f in figures):
            found.append(f"has no {what} set")
    return [f"{container.where}: {p}" for p in found]


def kubernetes_containers(documents: list[dict[str, Any]]) -> list[Container]:
    """Every container (and init container) of every pod template in ``documents``."""
    found = []
    for document in documents:
        template = document.get("spec", {}).get("template")
        if template is None:
            continue
        pod = template["spec"]
        pod_context = pod.get("securityContext", {})
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            context = {**pod_context, **container.get("securityContext", {})}
            resources = container.get("resources", {})
            requests, limits = resources.get("requests", {}), resources.get("limits", {})
            found.append(
                Container(
                    where=f"{document['kind']} {document['metadata']['name']} → {container['name']}",
                    user=context.get("runAsUser"),
                    non_root_enforced=context.get("runAsNonRoot") is True,
                    read_only_root=container.get("securityContext", {}).get(
                        "readOnlyRootFilesystem"
                    )
                    is True,
                    no_privilege_escalation=context.get("allowPrivilegeEscalation") is False
                    and context.get("privileged") is not True,
                    drops_all_capabilities="ALL" in context.get("capabilities", {}).get("drop", []),
                    seccomp_default=context.get("seccompProfile", {}).get("type")
                    == "RuntimeDefault",
                    cpu=(requests.get("cpu"), limits.get("cpu")),
                    memory=(requests.get("memory"), limits.get("memory")),
                )
            )
    return found


def ecs_containers(template: Mapping[str, Any]) -> list[Container]:
    """Every container of every ECS task definition in ``template``."""
    found = []
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::ECS::TaskDefinition":
            continue
        for container in resource["Properties"]["ContainerDefinitions"]:
            user, _, _ = str(container.get("User", "")).partition(":")
            capabilities = container.get("LinuxParameters", {}).get("Capabilities", {})
            found.append(
                Container(
                    where=f"{name} → {container['Name']}",
                    user=int(user) if user.isdigit() else container.get("User"),
                    non_root_enforced=None,
                    read_only_root=container.get("ReadonlyRootFilesystem") is True,
                    # Fargate refuses privileged containers; ECS has no other escalation switch.
                    no_privilege_escalation=container.get("Privileged") is not True,
                    drops_all_capabilities="ALL" in capabilities.get("Drop", []),
                    seccomp_default=None,
                    cpu=(container.get("Cpu"),),
                    memory=(container.get("Memory"),),
                )
            )
    return found
