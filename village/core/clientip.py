"""The address of the person making a request, as rate limits and lockouts must see it.

Behind a reverse proxy every request comes from the proxy's address; the proxy appends the
address it received the request from to ``X-Forwarded-For``. That header is believed only as far
as the proxies Village trusts (``VILLAGE_TRUSTED_PROXIES``, addresses or networks): reading it
from the right, the first address that is not a trusted proxy is the client. Anything further to
the left was written by the client itself and is ignored, so nobody chooses their own address.
Without trusted proxies the header is ignored entirely and ``REMOTE_ADDR`` is the client.

Rate limits and lockouts count by ``client_key``, not by the full address: one IPv6 client
holds a whole /64 (its provider hands out networks of that size), so every address of a /64
counts as one client. IPv4 addresses, and IPv4 addresses written as IPv6 (``::ffff:a.b.c.d``),
count one by one.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.conf import settings
from django.core import checks
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

#: The prefix length that counts as one IPv6 client.
IPV6_CLIENT_PREFIX = 64
#: The key of every client whose address is unknown (a server listening on a unix socket gets
#: none): they share one limit rather than escaping all of them. No real client has it.
UNKNOWN_CLIENT = "0.0.0.0"  # noqa: S104  (a key, not an interface to bind)
#: Trusting a network this wide (or wider) as proxies lets most of the Internet choose its own
#: address in ``X-Forwarded-For``.
WIDEST_SENSIBLE_PROXY_PREFIX = {4: 9, 6: 33}

_BRACKETED = re.compile(r"^\[(?P<address>[^\]]+)\](?::\d+)?$")
_IPV4_WITH_PORT = re.compile(r"^(?P<address>\d{1,3}(?:\.\d{1,3}){3}):\d+$")


@cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """The networks of ``VILLAGE_TRUSTED_PROXIES`` (checked when the settings were read)."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "VILLAGE_TRUSTED_PROXIES", ())))


def _unmapped(address: Address) -> Address:
    """An IPv4 address written as IPv6 (``::ffff:10.0.0.2``) is that IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _address(text: str) -> Address | None:
    """The address in ``text``, which may carry a port (``1.2.3.4:5678``, ``[2001:db8::1]:443``)
    as some proxies write it; ``None`` when it is not an address."""
    text = text.strip()
    for pattern in (_BRACKETED, _IPV4_WITH_PORT):
        match = pattern.match(text)
        if match:
            text = match.group("address")
            break
    try:
        return _unmapped(ipaddress.ip_address(text))
    except ValueError:
        return None


def _trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address in network for network in networks)


def _client_address(request: HttpRequest) -> Address | None:
    """The client's address: ``REMOTE_ADDR``, or behind trusted proxies the right-most address
    of ``X-Forwarded-For`` that is not one of them; ``None`` when it is unknown."""
    remote = _address(request.META.get("REMOTE_ADDR", "") or "")
    networks = trusted_proxies()
    if remote is None or not _trusted(remote, networks):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # a hop that is not an address: believe nothing further left
        if not _trusted(address, networks):
            return address
        remote = address
    return remote


def key_for_address(address: Address | None) -> str:
    """The rate-limit key of ``address``: itself for IPv4, the start of its /64 for IPv6
    (written as an address, so it fits wherever an address is stored), ``UNKNOWN_CLIENT``
    for none."""
    if address is None:
        return UNKNOWN_CLIENT
    if isinstance(address, ipaddress.IPv6Address):
        network = ipaddress.IPv6Network((address.packed, IPV6_CLIENT_PREFIX), strict=False)
        return str(network.network_address)
    return str(address)


def client_key(request: HttpRequest) -> str:
    """The key every rate limit and lockout counts the request's client by; never empty."""
    return key_for_address(_client_address(request))


@checks.register(checks.Tags.security)
def check_trusted_proxies(**kwargs: Any) -> list[checks.CheckMessage]:
    """Warn when ``VILLAGE_TRUSTED_PROXIES`` trusts a whole swathe of the Internet."""
    return [
        checks.Warning(
            f"VILLAGE_TRUSTED_PROXIES trusts {network}, a network of /{network.prefixlen} or "
            "wider: anyone in it can choose their own address in X-Forwarded-For and get "
            "around the sign-in lockout and the rate limits.",
            hint="List only the addresses (or small networks) of your own reverse proxies.",
            id="village.W001",
        )
        for network in trusted_proxies()
        if network.prefixlen < WIDEST_SENSIBLE_PROXY_PREFIX[network.version]
    ]
