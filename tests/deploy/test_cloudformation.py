"""``loadgate deploy cloudformation``: a template cfn-lint finds nothing in (informational
findings included), locked-down containers, least-privilege IAM, the network closed but for the
two ports the run needs, the scenario image, for the shipped CI scenario; the gate's wiring and
the golden files, for the test-only TINY scenario."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.api import ManualArgs, lint

from harness.deploy.cloudformation import DOCKERFILE, TEMPLATE
from harness.deploy.image import BUNDLE_DIR, PLUGIN
from tests.deploy.conftest import CI, CLOUDFORMATION_FLAGS, TARGET, deploy
from tests.deploy.golden import GOLDEN, check_golden_folder
from tests.deploy.lockdown import ecs_containers, problems


def template(out: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((out / TEMPLATE).read_text())
    return loaded


def findings(text: str) -> list[str]:
    """cfn-lint's findings (errors, warnings and informational ones), one line each."""
    return [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in lint(text, config=ManualArgs(include_checks=["I"]))]  # fmt: skip


def of_type(out: Path, kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template(out)["Resources"].items() if r["Type"] == kind}


def test_the_output_matches_its_golden_files(tiny_cloudformation_out: Path) -> None:
    check_golden_folder(tiny_cloudformation_out, GOLDEN / "cloudformation")


def test_cfn_lint_finds_nothing(cloudformation_out: Path) -> None:
    assert findings((cloudformation_out / TEMPLATE).read_text()) == []


def test_cfn_lint_finds_a_broken_template(cloudformation_out: Path) -> None:
    broken = copy.deepcopy(template(cloudformation_out))
    broken["Resources"]["WorkerTaskDefinition"]["Properties"]["Cpu"] = "3000"  # not a Fargate size
    del broken["Resources"]["TaskSecurityGroup"]["Properties"]["GroupDescription"]

    found = findings(yaml.safe_dump(broken))

    assert any("3000" in f for f in found), found
    assert any("GroupDescription" in f for f in found), found


def test_every_container_is_locked_down_and_sized(cloudformation_out: Path) -> None:
    containers = ecs_containers(template(cloudformation_out))

    assert [c.where for c in containers] == [
        "MasterTaskDefinition → prometheus",
        "MasterTaskDefinition → loadgate",
        "WorkerTaskDefinition → locust-worker",
    ]
    assert [p for c in containers for p in problems(c)] == []


def test_the_lockdown_check_finds_a_container_that_is_not(cloudformation_out: Path) -> None:
    broken = copy.deepcopy(template(cloudformation_out))
    (worker,) = broken["Resources"]["WorkerTaskDefinition"]["Properties"]["ContainerDefinitions"]
    worker.update(User="root", ReadonlyRootFilesystem=False, Privileged=True, Memory=0)
    del worker["LinuxParameters"]

    assert [p for c in ecs_containers(broken) for p in problems(c)] == [
        f"WorkerTaskDefinition → locust-worker: {problem}"
        for problem in (
            "runs as 'root': not a numeric non-root user",
            "its root filesystem is writable",
            "may escalate privileges",
            "keeps capabilities",
            "has no memory set",
        )
    ]


def test_the_execution_role_may_pull_the_image_and_write_its_logs_and_nothing_more(
    cloudformation_out: Path,
) -> None:
    (role,) = of_type(cloudformation_out, "AWS::IAM::Role").values()
    (policy,) = role["Properties"]["Policies"]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    tasks = of_type(cloudformation_out, "AWS::ECS::TaskDefinition").values()

    assert {sid: (s["Action"], s["Resource"]) for sid, s in statements.items()} == {
        "RegistryLogin": ("ecr:GetAuthorizationToken", "*"),  # AWS has no narrower resource
        "PullTheScenarioImage": (
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            {"Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/${ImageRepository}"},
        ),
        "WriteItsOwnLogs": (
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [{"Fn::GetAtt": ["MasterLogGroup", "Arn"]}, {"Fn::GetAtt": ["WorkerLogGroup", "Arn"]}],
        ),
    }  # fmt: skip
    assert all(s["Effect"] == "Allow" for s in statements.values())
    assert all("TaskRoleArn" not in t["Properties"] for t in tasks)  # the tasks call no AWS API


def test_only_the_master_port_and_the_exporters_are_open_and_only_between_the_tasks(
    cloudformation_out: Path,
) -> None:
    rules = of_type(cloudformation_out, "AWS::EC2::SecurityGroupIngress").values()
    group = {"Fn::GetAtt": ["TaskSecurityGroup", "GroupId"]}

    assert sorted((r["Properties"]["FromPort"], r["Properties"]["ToPort"]) for r in rules) == [
        (5557, 5557),
        (9646, 9646),
    ]
    assert all(r["Properties"]["SourceSecurityGroupId"] == group for r in rules)
    (security_group,) = of_type(cloudformation_out, "AWS::EC2::SecurityGroup").values()
    assert "SecurityGroupIngress" not in security_group["Properties"]


def test_the_master_gates_the_target_parameter_with_worker_count_workers(
    tiny_cloudformation_out: Path,
) -> None:
    doc = template(tiny_cloudformation_out)
    master = doc["Resources"]["MasterTaskDefinition"]["Properties"]["ContainerDefinitions"]
    prometheus, loadgate = master
    (worker,) = doc["Resources"]["WorkerTaskDefinition"]["Properties"]["ContainerDefinitions"]
    command = loadgate["Command"]

    assert command[command.index("--expect-workers") + 1] == {"Ref": "WorkerCount"}
    assert command[command.index("--target") + 1] == {"Ref": "Target"}
    assert command[command.index("--prometheus-url") + 1] == "http://127.0.0.1:9090"
    assert doc["Parameters"]["WorkerCount"]["Default"] == 3
    assert doc["Parameters"]["Target"]["Default"] == TARGET
    assert doc["Resources"]["WorkerService"]["Properties"]["DesiredCount"] == {"Ref": "WorkerCount"}
    # The gate ends; the task does not, so the service never starts a second run.
    assert (loadgate["Essential"], prometheus["Essential"]) == (False, True)
    assert loadgate["DependsOn"] == [{"ContainerName": "prometheus", "Condition": "HEALTHY"}]
    assert worker["Command"][1] == f"{PLUGIN},{BUNDLE_DIR}/locust/browse.py"
    assert worker["Command"][worker["Command"].index("--master-host") + 1] == {
        "Fn::Sub": "master.${AWS::StackName}.internal"
    }
    env = {e["Name"]: e["Value"] for e in prometheus["Environment"]}
    assert env["LOADGATE_PROMETHEUS_WORKERS"] == {"Fn::Sub": "workers.${AWS::StackName}.internal"}


def test_the_scenario_image_is_the_base_image_with_the_bundle(tmp_path: Path) -> None:
    deploy("cloudformation", CI, tmp_path, *CLOUDFORMATION_FLAGS, "--image", "registry.example/loadgate:1.0")  # fmt: skip

    lines = [
        ln for ln in (tmp_path / DOCKERFILE).read_text().splitlines() if not ln.startswith("#")
    ]
    assert lines == ["FROM registry.example/loadgate:1.0", f"COPY bundle/ {BUNDLE_DIR}/"]
    assert (tmp_path / "bundle/scenario.yaml").is_file()


@pytest.mark.parametrize("workers", ["1", "12"])
def test_the_worker_count_is_the_parameters_default(tmp_path: Path, workers: str) -> None:
    deploy("cloudformation", CI, tmp_path, *CLOUDFORMATION_FLAGS, workers=workers)

    assert template(tmp_path)["Parameters"]["WorkerCount"]["Default"] == int(workers)
