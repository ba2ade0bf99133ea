"""Where a webhook may go: public http(s) addresses only, checked after DNS and connected to as checked.

A URL is refused when any address its host resolves to is loopback, private, link-local (cloud metadata
at 169.254.169.254), multicast, reserved or otherwise not global, including IPv4 written as a decimal
or octal number (the resolver turns `2130706433` and `0177.0.0.1` into 127.0.0.1, and the check runs
on what it returns) and IPv4 mapped into IPv6. The check runs when the endpoint is saved and again
before every attempt; the attempt then connects to the address that passed (pinned), so a DNS answer
that changes between the check and the connection (rebinding) cannot redirect it. Redirects are never
followed. `webhooks_allow_private_targets` lifts the address rule and allows http in production, for
tests and self-hosters whose receiver sits on their own network.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from duespark.settings import Settings

MAX_URL_LENGTH = 2000
# (host, port) -> the addresses it resolves to; socket.getaddrinfo in production, a table in tests.
Resolver = Callable[[str, int], list[str]]


class TargetRefused(Exception):
    """Why a URL may not receive webhooks, in words for the user."""


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str  # as written (the Host header and the TLS server name)
    port: int
    address: str  # the checked address the connection goes to

    @property
    def pinned_url(self) -> str:
        """The URL with the checked address in place of the host name."""
        parts = urlsplit(self.url)
        address = f"[{self.address}]" if ":" in self.address else self.address
        netloc = f"{address}:{self.port}"
        path = parts.path or "/"
        return f"{self.scheme}://{netloc}{path}" + (f"?{parts.query}" if parts.query else "")

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def parse_url(url: str, settings: Settings) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL the rules accept before resolving; TargetRefused otherwise."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"The URL is longer than {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise TargetRefused("The URL must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused("The URL is not valid") from None
    scheme = parts.scheme.lower()
    allowed = ("http", "https") if settings.webhooks_allow_http else ("https",)
    if scheme not in allowed:
        raise TargetRefused("The URL must start with https://" if scheme == "http" else "The URL must be http(s)")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("The URL must not contain a user name or password")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise TargetRefused("The URL has no host")
    if parts.fragment:
        raise TargetRefused("The URL must not contain a #fragment")
    return scheme, host, port or (443 if scheme == "https" else 80)


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback)


def resolve_target(url: str, settings: Settings, resolver: Resolver = system_resolver) -> Target:
    """The URL's target with a checked address to connect to, or TargetRefused."""
    scheme, host, port = parse_url(url, settings)
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError):
        raise TargetRefused(f"The host {host} could not be resolved") from None
    if not addresses:
        raise TargetRefused(f"The host {host} could not be resolved")
    if not settings.webhooks_allow_private_targets:
        # Every address must be public: a name that also resolves to a private one is refused outright.
        refused = [a for a in addresses if not _is_public(a)]
        if refused:
            raise TargetRefused(f"The host {host} resolves to a private or reserved address ({refused[0]})")
    return Target(url=url, scheme=scheme, host=host, port=port, address=addresses[0])
