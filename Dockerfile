# loadgate's image: the harness, Locust and loadgate's Locust plugin, and Prometheus, run by a
# non-root user. `loadgate deploy` (docs/distributed.md) runs it as the master (`loadgate run`)
# and as the Locust workers, at the paths harness/deploy/image.py names; tests/deploy/test_image.py
# holds the two together.
#
#   docker build -t loadgate:dev .

# Prometheus's two static binaries, from its project's own image at a pinned version: the master
# task on ECS runs it beside loadgate, and `loadgate run` without --prometheus-url starts its own.
FROM quay.io/prometheus/prometheus:v2.53.2 AS prometheus

FROM python:3.11.14-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

COPY --from=prometheus /bin/prometheus /bin/promtool /usr/local/bin/

WORKDIR /opt/loadgate
# Exactly the versions, and the hashes, the tests passed with (the lock holds every dependency,
# hence --no-deps); in a layer of its own, rebuilt only when a pin changes. The lock includes the
# dev extras: one lock is what `make` installs too.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
# Then loadgate itself, installed as `make install` installs it: editable, from this source tree
# (so the SLO policies and scenarios beside the package are where the code looks for them), built
# with the setuptools the lock pins (no build isolation: nothing is fetched unpinned). The plugin
# is then harness/deploy/image.py's PLUGIN. Compiled now: at run time the tree is read-only.
COPY pyproject.toml README.md ./
COPY harness ./harness
COPY services_under_test ./services_under_test
COPY slo ./slo
COPY scenarios ./scenarios
RUN pip install --no-deps --no-build-isolation --editable .
RUN python -m compileall -q harness services_under_test scenarios

# A numeric user, so Kubernetes can check runAsNonRoot without reading /etc/passwd.
RUN groupadd --system --gid 10001 loadgate
RUN useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin loadgate
# The only writable places under a read-only root filesystem: reports and temporary files. As
# VOLUMEs, ECS Fargate gives its bind mounts their owner and mode (Kubernetes mounts emptyDirs).
RUN install --directory --owner=10001 --group=10001 --mode=0755 /reports
VOLUME ["/tmp", "/reports"]
USER 10001:10001
WORKDIR /reports

ENTRYPOINT ["loadgate"]
CMD ["--help"]
