from __future__ import annotations

import pytest

from harness.plan.targets import check_target_url, is_loopback_host


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost"])
def test_loopback_hosts_are_allowed(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize(
    "host", ["10.0.0.1", "192.168.1.1", "8.8.8.8", "2001:db8::1", "example.invalid"]
)
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback_host(host)


def test_a_remote_target_is_refused_unless_explicitly_allowed() -> None:
    problem = check_target_url("http://10.0.0.1:8080", allow_remote=False)
    assert problem is not None and "--allow-remote" in problem
    assert check_target_url("http://10.0.0.1:8080", allow_remote=True) is None


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1", "127.0.0.1:8080", "http://", "http://127.0.0.1:99999"]
)
def test_malformed_urls_are_refused(url: str) -> None:
    assert check_target_url(url, allow_remote=True) is not None
