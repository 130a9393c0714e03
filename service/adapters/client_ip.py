"""The caller's address from ``X-Forwarded-For`` and the peer, given the trusted proxies.

Each proxy appends the address it received the request from, so the chain reads
``client, proxy1, proxy2`` and the peer is the last hop. Only the hops our own proxies
appended can be believed: walking from the right, every hop inside a trusted network is
one of ours, and the first that is not is the caller (the *rightmost untrusted* hop).
Whatever stands left of it, the client wrote itself. With no trusted proxies the caller
is the peer (or, where a gateway logs only the header, its rightmost entry).

Entries may carry a port (``203.0.113.7:5123``, ``[2001:db8::1]:443``); an entry that is no
address (``unknown``, RFC 7239's ``_hidden``) where the caller should be gives None: the
field is then not known, the event still counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import Any

Address = IPv4Address | IPv6Address


def parse_networks(entries: str | Iterable[str]) -> tuple[str, ...]:
    """Trusted proxies (CIDRs or addresses, comma-separated text or a list), normalised;
    ``ValueError`` names a bad entry."""
    if isinstance(entries, str):
        entries = entries.split(",")
    out = []
    for raw in entries:
        entry = raw.strip()
        if entry:
            try:
                out.append(str(ip_network(entry, strict=False)))
            except ValueError:
                raise ValueError(f"trusted proxy {entry!r} is not an address or network") from None
    return tuple(out)


@lru_cache(maxsize=65536)
def host_of(entry: str) -> Address | None:
    """The address in one hop, without a port or brackets; None if it is none."""
    entry = entry.strip().strip('"')
    if entry.startswith("["):  # [v6] or [v6]:port
        entry = entry[1 : entry.find("]")] if "]" in entry else ""
    elif entry.count(":") == 1:  # v4:port (a bare v6 address has two colons or more)
        entry = entry.split(":", 1)[0]
    try:
        address = ip_address(entry.split("%", 1)[0])  # no zone id (fe80::1%eth0)
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True)
class ClientIp:
    """Callable ``(forwarded_for, peer) -> address text or None`` for one set of proxies."""

    trusted: tuple[str, ...] = ()
    _networks: tuple[Any, ...] = field(init=False, repr=False, compare=False)
    _cached: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        networks = tuple(ip_network(net) for net in parse_networks(self.trusted))
        object.__setattr__(self, "_networks", networks)
        # Cached per instance: an account calls through a handful of chains.
        object.__setattr__(self, "_cached", lru_cache(maxsize=65536)(self._resolve))

    def __call__(self, forwarded_for: str | None, peer: str | None = None) -> str | None:
        result: str | None = self._cached(forwarded_for, peer)
        return result

    def _trusted(self, address: Address) -> bool:
        return any(address.version == net.version and address in net for net in self._networks)

    def _resolve(self, forwarded_for: str | None, peer: str | None) -> str | None:
        hops = [hop for hop in (forwarded_for or "").split(",") if hop.strip()]
        if peer:
            hops.append(peer)
        for hop in reversed(hops):
            address = host_of(hop)
            if address is None:
                return None
            if not self._trusted(address):
                return str(address)
        # Every hop is one of ours: the leftmost is the best anyone knows.
        first = host_of(hops[0]) if hops else None
        return str(first) if first is not None else None
