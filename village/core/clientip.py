"""The address of the person making a request, as rate limits and lockouts must see it.

Behind a reverse proxy every request comes from the proxy's address; the proxy appends the
address it received the request from to ``X-Forwarded-For``. That header is believed only as far
as the proxies Village trusts (``VILLAGE_TRUSTED_PROXIES``, addresses or networks): reading it
from the right, the first address that is not a trusted proxy is the client. Anything further to
the left was written by the client itself and is ignored, so nobody chooses their own address.
Without trusted proxies the header is ignored entirely and ``REMOTE_ADDR`` is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"VILLAGE_TRUSTED_PROXIES holds something that is not an address or network: {error}"
        ) from None


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "VILLAGE_TRUSTED_PROXIES", ())))


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind trusted proxies the right-most address
    of ``X-Forwarded-For`` that is not one of them."""
    remote = _address(request.META.get("REMOTE_ADDR", "") or "")
    networks = trusted_proxies()
    if remote is None or not _trusted(remote, networks):
        return str(remote) if remote else None
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # a hop that is not an address: believe nothing further left
        if not _trusted(address, networks):
            return str(address)
        remote = address
    return str(remote)
