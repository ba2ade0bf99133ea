"""SSRF: which URLs may receive webhooks, checked after DNS resolution, and the pinned connection."""

from __future__ import annotations

import pytest

from duespark.outgoing_webhooks.targets import TargetRefused, resolve_target, system_resolver
from duespark.settings import Settings

PUBLIC = "93.184.215.14"


def strict(**overrides) -> Settings:
    return Settings(env="production", secret_keys=["x" * 40], **overrides)


def table(answers: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise OSError("no such host")
        return answers[host]

    return resolve


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://127.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.7/hook",
        "https://172.16.5.4/hook",
        "https://192.168.1.1/hook",
        "https://100.64.0.1/hook",  # carrier-grade NAT
        "https://0.0.0.0/hook",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://[fd00::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::ffff:169.254.169.254]/hook",
        "https://localhost/hook",
        "https://2130706433/hook",  # 127.0.0.1 as one decimal number
        "https://0177.0.0.1/hook",  # octal
        "https://0x7f.0.0.1/hook",  # hex
        "https://017700000001/hook",  # octal, one number
        "https://127.1/hook",  # short form
        "https://224.0.0.1/hook",  # multicast
    ],
)
def test_private_loopback_metadata_and_odd_forms_are_refused_after_resolution(url: str) -> None:
    with pytest.raises(TargetRefused, match=r"private or reserved|could not be resolved"):
        resolve_target(url, strict(), system_resolver)


def test_a_name_resolving_to_a_private_address_is_refused_even_beside_a_public_one() -> None:
    resolver = table({"hooks.evil.test": [PUBLIC, "10.1.2.3"], "internal.corp.test": ["10.0.0.5"]})
    with pytest.raises(TargetRefused, match=r"10\.1\.2\.3"):
        resolve_target("https://hooks.evil.test/x", strict(), resolver)
    with pytest.raises(TargetRefused, match=r"10\.0\.0\.5"):
        resolve_target("https://internal.corp.test/x", strict(), resolver)


def test_a_public_name_is_pinned_to_the_checked_address_keeping_host_and_path() -> None:
    target = resolve_target(
        "https://hooks.acme.test:8443/in/duespark?key=1", strict(), table({"hooks.acme.test": [PUBLIC]})
    )
    assert target.pinned_url == f"https://{PUBLIC}:8443/in/duespark?key=1"
    assert target.host_header == "hooks.acme.test:8443"
    assert target.host == "hooks.acme.test"
    v6 = resolve_target("https://hooks.acme.test/", strict(), table({"hooks.acme.test": ["2606:4700::1111"]}))
    assert v6.pinned_url == "https://[2606:4700::1111]:443/"
    assert v6.host_header == "hooks.acme.test"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.acme.test/x", "https://"),
        ("ftp://hooks.acme.test/x", "http"),
        ("file:///etc/passwd", "http"),
        ("gopher://hooks.acme.test/x", "http"),
        ("https://user:pw@hooks.acme.test/x", "user name"),
        ("https:///x", "no host"),
        ("https://hooks.acme.test:99999/x", "not valid"),
        ("https://hooks.acme.test/x#frag", "fragment"),
        ("https://hooks.acme.test/a b", "spaces"),
        ("https://hooks.acme.test/\r\nHost: x", "spaces"),
        ("https://" + "a" * 2000 + ".test/", "longer"),
        ("https://unknown.invalid/x", "could not be resolved"),
    ],
)
def test_malformed_or_non_https_urls_are_refused_in_production(url: str, message: str) -> None:
    with pytest.raises(TargetRefused, match=message):
        resolve_target(url, strict(), table({"hooks.acme.test": [PUBLIC]}))


def test_the_setting_allows_http_and_private_targets_for_tests_and_self_hosters() -> None:
    allowing = strict(webhooks_allow_private_targets=True)
    target = resolve_target("http://127.0.0.1:9000/hook", allowing, system_resolver)
    assert target.pinned_url == "http://127.0.0.1:9000/hook"
    # Outside production plain http is allowed, but private addresses are not.
    development = Settings(env="development", secret_keys=["x" * 40])
    with pytest.raises(TargetRefused, match="private"):
        resolve_target("http://127.0.0.1:9000/hook", development, system_resolver)
    assert resolve_target("http://hooks.acme.test/", development, table({"hooks.acme.test": [PUBLIC]}))
