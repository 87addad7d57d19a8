"""``loadgate deploy cloudformation``: a CloudFormation template that runs a scenario distributed
on ECS Fargate, and the scenario image it runs.

    Dockerfile, bundle/   the scenario image: loadgate's image with the scenario's files baked
                          in (bundle.py's layout, at image.BUNDLE_DIR). Fargate has no
                          ConfigMaps; an S3 object would need a task role that may read it and
                          a step that fetches it, where an image needs neither — and its digest
                          records exactly what ran.
    template.yaml         the stack: a cluster; a Cloud Map private DNS namespace; the master
                          service (one task: loadgate, and a Prometheus on localhost finding the
                          workers by DNS: task_prometheus.py); the worker service (N tasks);
                          a security group letting only the master's port and the exporters'
                          port through, between the stack's own tasks; a log group per role
                          with a retention; one execution role that may pull the image from its
                          repository and write the two log groups, and no task role at all.

The master is a service so that Cloud Map gives it a name the workers can reach (a task started
with RunTask cannot be registered). So that the service does not start the gate again when it
ends, the loadgate container is not essential: its exit code is the verdict, and the task stays
up (with its Prometheus) until the stack is deleted. One stack is one run.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.deploy.bundle import Bundle
from harness.deploy.ecs_tasks import master_task, ref, worker_task
from harness.deploy.image import BUNDLE_DIR, EXPORTER_PORT, MASTER_PORT
from harness.deploy.names import object_prefix
from harness.deploy.output import dump_yaml

__all__ = ["DOCKERFILE", "TEMPLATE", "CloudFormationOptions", "cloudformation_files", "template"]

TEMPLATE = "template.yaml"
DOCKERFILE = "Dockerfile"
BUNDLE_FOLDER = "bundle"
NAMESPACE = {"Fn::Sub": "${AWS::StackName}.internal"}  # the stack's own: two stacks never clash
RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                  2192, 2557, 2922, 3288, 3653]  # fmt: skip  # what CloudWatch Logs accepts


@dataclass(frozen=True)
class CloudFormationOptions:
    workers: int  # the WorkerCount parameter's default
    base_image: str  # what the scenario image is built FROM


def cloudformation_files(bundle: Bundle, options: CloudFormationOptions) -> dict[str, str]:
    files = {f"{BUNDLE_FOLDER}/{path}": text for path, text in bundle.files}
    files[DOCKERFILE] = dockerfile(bundle, options)
    head = (
        f"# loadgate deploy cloudformation {bundle.source} --workers {options.workers}\n"
        "# Build and push the scenario image (Dockerfile beside this file), then\n"
        "# aws cloudformation deploy --template-file template.yaml …: docs/distributed.md\n"
    )
    files[TEMPLATE] = dump_yaml([template(bundle, options)], head)
    return files


def dockerfile(bundle: Bundle, options: CloudFormationOptions) -> str:
    instructions = [
        ("FROM", options.base_image),
        ("COPY", f"{BUNDLE_FOLDER}/ {BUNDLE_DIR}/"),
    ]
    head = (
        f"# The scenario image for {bundle.source}: loadgate's image with the scenario's files\n"
        f"# baked in. Push it to the repository the template's ImageRepository names.\n"
    )
    return head + "".join(f"{word} {argument}\n" for word, argument in instructions)


def template(bundle: Bundle, options: CloudFormationOptions) -> dict[str, object]:
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"loadgate: the scenario {bundle.name} on ECS Fargate, a master and "
        "WorkerCount Locust workers; the loadgate container's exit code is the verdict.",
        "Parameters": _parameters(bundle, options),
        "Resources": {
            **_network(),
            **_logs_and_role(),
            "MasterTaskDefinition": master_task(),
            "WorkerTaskDefinition": worker_task(bundle),
            "MasterService": _service("MasterTaskDefinition", "MasterDiscovery", 1),
            "WorkerService": _service(
                "WorkerTaskDefinition", "WorkerDiscovery", ref("WorkerCount")
            ),
        },
        "Outputs": {
            "Cluster": {"Description": "the ECS cluster", "Value": ref("Cluster")},
            "MasterService": {
                "Description": "its task's loadgate container exits with the verdict",
                "Value": {"Fn::GetAtt": ["MasterService", "Name"]},
            },
            "MasterLogGroup": {"Description": "loadgate's report", "Value": ref("MasterLogGroup")},
            "WorkerLogGroup": {"Description": "the workers' logs", "Value": ref("WorkerLogGroup")},
        },
    }


def _parameters(bundle: Bundle, options: CloudFormationOptions) -> dict[str, object]:
    prefix = object_prefix(bundle.name)
    return {
        "ImageRepository": {
            "Type": "String",
            "Default": prefix,
            "Description": "the ECR repository, in this account and region, holding the "
            "scenario image (the Dockerfile beside this template); the execution role may "
            "pull from it and from nowhere else",
            "AllowedPattern": "^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$",
        },
        "ImageTag": {
            "Type": "String",
            "Description": "the scenario image's tag",
            "AllowedPattern": "^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$",
        },
        "WorkerCount": {
            "Type": "Number",
            "Default": options.workers,
            "MinValue": 1,
            "Description": "Locust workers, one task each; the master waits for all of them",
        },
        "Target": {
            "Type": "String",
            "Default": bundle.target_url,
            "AllowedPattern": "^https?://[^\\s/]+(/.*)?$",
            "Description": "the service the workers load; its /metrics is scraped too",
        },
        "VpcId": {"Type": "AWS::EC2::VPC::Id", "Description": "where the tasks run"},
        "SubnetIds": {
            "Type": "List<AWS::EC2::Subnet::Id>",
            "Description": "subnets of VpcId that reach the target, ECR and CloudWatch Logs",
        },
        "AssignPublicIp": {
            "Type": "String",
            "Default": "DISABLED",
            "AllowedValues": ["DISABLED", "ENABLED"],
            "Description": "ENABLED only in public subnets without a NAT gateway",
        },
        "LogRetentionInDays": {
            "Type": "Number",
            "Default": 30,
            "AllowedValues": RETENTION_DAYS,
            "Description": "how long the master's and the workers' logs are kept",
        },
    }


def _network() -> dict[str, object]:
    discovery = {
        "DnsConfig": {"DnsRecords": [{"Type": "A", "TTL": 10}], "RoutingPolicy": "MULTIVALUE"},
        "HealthCheckCustomConfig": {"FailureThreshold": 1},
        "NamespaceId": {"Fn::GetAtt": ["Namespace", "Id"]},
    }
    return {
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {}},
        "Namespace": {
            "Type": "AWS::ServiceDiscovery::PrivateDnsNamespace",
            "Properties": {"Name": NAMESPACE, "Vpc": ref("VpcId")},
        },
        "MasterDiscovery": {
            "Type": "AWS::ServiceDiscovery::Service",
            "Properties": {"Name": "master", **discovery},
        },
        "WorkerDiscovery": {
            "Type": "AWS::ServiceDiscovery::Service",
            "Properties": {"Name": "workers", **discovery},
        },
        "TaskSecurityGroup": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                # EC2 allows no apostrophe in these descriptions.
                "GroupDescription": "loadgate tasks: in, only from each other; out, anywhere "
                "(the target, ECR, CloudWatch Logs)",
                "VpcId": ref("VpcId"),
                "SecurityGroupEgress": [
                    {"IpProtocol": "-1", "CidrIp": "0.0.0.0/0", "Description": "any destination"}
                ],
            },
        },
        "MasterPortIngress": _ingress(MASTER_PORT, "the workers reach the Locust master"),
        "ExporterPortIngress": _ingress(EXPORTER_PORT, "Prometheus scrapes the workers"),
    }


def _ingress(port: int, why: str) -> dict[str, object]:
    """``port`` open to the stack's own tasks, and to nothing else."""
    group = {"Fn::GetAtt": ["TaskSecurityGroup", "GroupId"]}
    return {
        "Type": "AWS::EC2::SecurityGroupIngress",
        "Properties": {
            "GroupId": group,
            "SourceSecurityGroupId": group,
            "IpProtocol": "tcp",
            "FromPort": port,
            "ToPort": port,
            "Description": why,
        },
    }


def _logs_and_role() -> dict[str, object]:
    def log_group(role: str) -> dict[str, object]:
        return {
            "Type": "AWS::Logs::LogGroup",
            # Said, not defaulted: a run's logs go with its stack (read the verdict first). Kept,
            # the named group would stop the next stack of that name from being created.
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": {
                "LogGroupName": {"Fn::Sub": f"/loadgate/${{AWS::StackName}}/{role}"},
                "RetentionInDays": ref("LogRetentionInDays"),
            },
        }

    repository = "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/${ImageRepository}"  # fmt: skip
    statements = [
        {  # AWS offers no narrower resource for the registry login token
            "Sid": "RegistryLogin",
            "Effect": "Allow",
            "Action": "ecr:GetAuthorizationToken",
            "Resource": "*",
        },
        {
            "Sid": "PullTheScenarioImage",
            "Effect": "Allow",
            "Action": [
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
            ],
            "Resource": {"Fn::Sub": repository},
        },
        {
            "Sid": "WriteItsOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [
                {"Fn::GetAtt": ["MasterLogGroup", "Arn"]},
                {"Fn::GetAtt": ["WorkerLogGroup", "Arn"]},
            ],
        },
    ]
    trust = {
        "Effect": "Allow",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {  # only ECS, acting for this account (the confused deputy)
            "StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")},
            "ArnLike": {
                "aws:SourceArn": {
                    "Fn::Sub": "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*"
                }
            },
        },
    }
    return {
        "MasterLogGroup": log_group("master"),
        "WorkerLogGroup": log_group("workers"),
        "ExecutionRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust]},
                "Policies": [
                    {
                        "PolicyName": "pull-the-scenario-image-and-write-its-logs",
                        "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                    }
                ],
            },
        },
    }


def _service(task: str, discovery: str, count: object) -> dict[str, object]:
    return {
        "Type": "AWS::ECS::Service",
        "Properties": {
            "Cluster": ref("Cluster"),
            "LaunchType": "FARGATE",
            "TaskDefinition": ref(task),
            "DesiredCount": count,
            # Never two masters, nor a second set of workers, not even during an update.
            "DeploymentConfiguration": {"MaximumPercent": 100, "MinimumHealthyPercent": 0},
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {
                    "Subnets": ref("SubnetIds"),
                    "SecurityGroups": [{"Fn::GetAtt": ["TaskSecurityGroup", "GroupId"]}],
                    "AssignPublicIp": ref("AssignPublicIp"),
                }
            },
            "ServiceRegistries": [{"RegistryArn": {"Fn::GetAtt": [discovery, "Arn"]}}],
        },
    }
