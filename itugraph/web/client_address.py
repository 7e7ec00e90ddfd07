"""Who a request comes from: the peer's address, or, behind a trusted reverse proxy, the
address that proxy saw (``X-Forwarded-For``).

Per-client limits (``rate_limit.py``, ``client_slots.py``) key on this. ``X-Forwarded-For``
is a header any client can write, so it is read only when the peer is one of
``ITUGRAPH_TRUSTED_PROXIES``, and then from the right: each trusted proxy appends the
address it saw, so the rightmost address that is not itself a trusted proxy is the client;
what a client put further left is never believed. IPv6 clients are keyed by their /64
network, the block one subscriber gets: a client cannot escape a limit by walking through
its 2^64 addresses.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str | Iterable[str]) -> frozenset[str]:
    """Addresses or networks (``10.0.0.1``, ``10.0.0.0/8``, ``fd00::/8``), space-separated or
    a collection, normalised; ``ValueError`` naming the first one that is neither.

    >>> sorted(parse_networks("10.0.0.1 fd00::/8"))
    ['10.0.0.1/32', 'fd00::/8']
    """
    items = text.split() if isinstance(text, str) else list(text)
    try:
        return frozenset(str(ipaddress.ip_network(item, strict=False)) for item in items)
    except ValueError as exc:
        raise ValueError(f"not an IP address or network: {exc}") from None


@functools.lru_cache(maxsize=8)
def _networks(trusted: frozenset[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def _is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, trusted: frozenset[str]) -> bool:
    return any(address in network for network in _networks(trusted))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def client_address(environ: Mapping[str, Any], trusted: frozenset[str]) -> str:
    """The client's address for the WSGI request ``environ`` (the peer's, unless the peer is
    a trusted proxy; a malformed forwarded chain stops at the last address it can believe)."""
    peer = str(environ.get("REMOTE_ADDR") or "")
    current = _address(peer)
    if not trusted or current is None or not _is_trusted(current, trusted):
        return peer
    forwarded = str(environ.get("HTTP_X_FORWARDED_FOR") or "")
    for hop in reversed([item for item in forwarded.split(",") if item.strip()]):
        seen = _address(hop)
        if seen is None:
            break
        current = seen
        if not _is_trusted(seen, trusted):
            break
    return str(current)


def client_key(address: str) -> str:
    """The key limits count under: the address, or an IPv6 address's /64 network.

    >>> client_key("2001:db8:1:2:aaaa::1"), client_key("192.0.2.7")
    ('2001:db8:1:2::/64', '192.0.2.7')
    """
    parsed = _address(address)
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return address
