"""Which hosts the harness may send load to.

A load tool must not hammer a production host because of a typo, so only loopback targets are
allowed unless the user passes ``--allow-remote``.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

__all__ = ["check_grpc_target", "check_target_url", "is_loopback_host"]


def check_target_url(url: str, *, allow_remote: bool) -> str | None:
    """``None`` if ``url`` is an acceptable target, else what is wrong with it and what is allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http(s) URL; allowed: e.g. http://127.0.0.1:8080"
    try:
        _ = parts.port
    except ValueError:
        return f"{url!r} has an invalid port"
    if not allow_remote and not is_loopback_host(parts.hostname):
        return (
            f"{parts.hostname!r} is not a loopback address; load is sent only to 127.0.0.0/8, ::1 "
            "or localhost unless you pass --allow-remote"
        )
    return None


def check_grpc_target(target: str, *, allow_remote: bool) -> str | None:
    """``None`` if ``target`` (``host:port``, as gRPC dials it) is acceptable, else why not."""
    allowed = "allowed: host:port, e.g. 127.0.0.1:50051"
    host, _, port = target.rpartition(":")
    if not host or "/" in target or not port.isdigit() or not 1 <= int(port) <= 65535:
        return f"{target!r} is not a gRPC address; {allowed}"
    if not allow_remote and not is_loopback_host(host):
        return (
            f"{host!r} is not a loopback address; load is sent only to 127.0.0.0/8, ::1 "
            "or localhost unless you pass --allow-remote"
        )
    return None


def is_loopback_host(host: str) -> bool:
    """True when every address ``host`` names is loopback. Unresolvable names are not."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(
        ipaddress.ip_address(str(address).split("%")[0]).is_loopback for address in addresses
    )
