"""Other machines, made on this one: Linux network namespaces joined by veth pairs to a bridge.

Each host is a network namespace with its own interfaces and addresses (10.77.0.0/24, which exists
only inside the namespaces made here), plugged by a veth pair into a bridge that lives in one more
namespace, the switch. Nothing is added to the machine's own network: the test's process cannot
even reach these addresses, so everything that talks to a host runs inside one (``Host.command``).
All of it goes when ``Network.close`` kills every process left in the namespaces and deletes them.

Making namespaces needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN); ``why_not_available`` says why
they cannot be made here, so a test can skip with that reason instead of passing silently.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field

SUBNET_PREFIX = "10.77.0."
IP = shutil.which("ip") or "/usr/sbin/ip"
POLL_BOUND_S = 30.0  # how long a host waits for a URL to answer before it gives up


@dataclass(frozen=True)
class Host:
    netns: str
    address: str

    def command(self, argv: list[str]) -> list[str]:
        """``argv`` run inside this host's network namespace (same files, users and clock)."""
        return [IP, "netns", "exec", self.netns, *argv]

    def python(self, *argv: str) -> list[str]:
        return self.command([sys.executable, *argv])

    def fetch(self, url: str, timeout_s: float = POLL_BOUND_S) -> str:
        """GET ``url`` from this host, retried until it answers 200 (bounded by ``timeout_s``)."""
        script = (
            "import sys, time, urllib.request\n"
            "deadline = time.monotonic() + float(sys.argv[2])\n"
            "while True:\n"
            "    try:\n"
            "        with urllib.request.urlopen(sys.argv[1], timeout=2) as answer:\n"
            "            sys.stdout.write(answer.read().decode()); break\n"
            "    except OSError:\n"
            "        if time.monotonic() > deadline: raise\n"
            "        time.sleep(0.05)\n"
        )
        done = subprocess.run(
            self.python("-c", script, url, str(timeout_s)),
            capture_output=True, text=True, timeout=timeout_s + 10, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"{self.netns} could not GET {url}: {done.stderr[-800:]}"
        return done.stdout


@dataclass
class Network:
    """A switch and the hosts plugged into it; ``close`` removes all of them."""

    prefix: str
    hosts: dict[str, Host] = field(default_factory=dict)

    @property
    def switch(self) -> str:
        return f"{self.prefix}-switch"

    def open(self, roles: list[str]) -> Network:
        try:
            _ip("netns", "add", self.switch)
            _ip("-n", self.switch, "link", "add", "br0", "type", "bridge")
            _ip("-n", self.switch, "link", "set", "br0", "up")
            for number, role in enumerate(roles, start=1):
                self.hosts[role] = self._plug(role, f"{SUBNET_PREFIX}{number}", number)
        except BaseException:
            self.close()
            raise
        return self

    def _plug(self, role: str, address: str, number: int) -> Host:
        host = Host(f"{self.prefix}-{role}", address)
        _ip("netns", "add", host.netns)
        port = f"port{number}"  # the switch's end of the cable
        _ip("-n", self.switch, "link", "add", port, "type", "veth", "peer", "name", "eth0",
            "netns", host.netns)  # fmt: skip
        _ip("-n", self.switch, "link", "set", port, "master", "br0")
        _ip("-n", self.switch, "link", "set", port, "up")
        _ip("-n", host.netns, "addr", "add", f"{address}/24", "dev", "eth0")
        _ip("-n", host.netns, "link", "set", "eth0", "up")
        _ip("-n", host.netns, "link", "set", "lo", "up")  # Prometheus and Locust use loopback too
        return host

    def close(self) -> None:
        names = [host.netns for host in self.hosts.values()] + [self.switch]
        for netns in names:
            for pid in _pids_in(netns):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        for netns in names:
            subprocess.run([IP, "netns", "delete", netns], capture_output=True, check=False)
        self.hosts.clear()


def _ip(*argv: str) -> None:
    done = subprocess.run([IP, *argv], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise OSError(f"ip {' '.join(argv)}: {done.stderr.strip()}")


def _pids_in(netns: str) -> list[int]:
    done = subprocess.run([IP, "netns", "pids", netns], capture_output=True, text=True, check=False)
    return [int(pid) for pid in done.stdout.split()]


def why_not_available() -> str | None:
    """Why network namespaces cannot be made here, or None if they can."""
    if not sys.platform.startswith("linux"):
        return f"network namespaces are Linux's; this is {sys.platform}"
    if os.geteuid() != 0:
        return "making network namespaces needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN)"
    if not os.path.exists(IP):
        return "iproute2's `ip` is not installed"
    probe = Network(f"lgprobe{os.getpid()}")
    try:
        probe.open(["a"])
    except OSError as error:
        return f"this machine refuses network namespaces: {error}"
    finally:
        probe.close()
    return None
