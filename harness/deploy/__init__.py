"""``loadgate deploy``: what runs a scenario distributed, written from data — Kubernetes
manifests or a CloudFormation template for ECS Fargate — for the user to apply.

    scenario ─► bundle.py (checked as its master will run it; its files under one folder)
             ─► kubernetes.py | cloudformation.py (plain dicts) ─► output.py (YAML, atomically)

What runs is apart from the objects around it: the pod templates in ``kubernetes_pods.py``, the
ECS task definitions in ``ecs_tasks.py``.

``image.py`` names the paths of loadgate's image (the Dockerfile) that both rely on;
``task_prometheus.py`` runs inside the ECS master task; ``command.py`` is the command line.
"""

# Nothing imported here: task_prometheus.py runs as `python -m` in a container (and as its
# health check, every few seconds), where importing the plan and both generators would only
# cost time. The command line imports harness.deploy.command.
__all__: list[str] = []
