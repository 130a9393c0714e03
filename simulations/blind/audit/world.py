"""Accounts and their identity: ids, keys, cards, ages, egress addresses and clients."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

from . import net
from .clock import DAY, START

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def stream(seed: int, *tags: str | int) -> np.random.Generator:
    """An independent random stream named by ``tags`` (stable across runs and machines)."""
    words = [seed] + [zlib.crc32(str(t).encode()) for t in tags]
    return np.random.default_rng(words)


@dataclass
class Account:
    account_id: str
    label: str  # "attack" | "benign"
    persona: str | None = None
    campaign: str | None = None
    campaign_type: str | None = None
    heavy: bool = False
    enterprise: str | None = None
    nat: str | None = None
    created: float | None = None  # Unix seconds
    payment: str | None = None
    keys: list[str] = field(default_factory=list)
    ips: list[tuple[str, int | None]] = field(default_factory=list)
    uas: list[str] = field(default_factory=list)
    region: str = "us_east"
    zdr: bool = False  # zero data retention: the gateway never sees prompt text
    systems: list[str] = field(default_factory=list)
    end_users: int = 0  # distinct end-user ids the app passes (0 = no user field)
    user_style: int = 0  # how the app spells its user ids
    lang: str = "en"


class Ids:
    """Globally unique opaque identifiers, drawn from one stream in a fixed order."""

    def __init__(self, seed: int) -> None:
        self.rng = stream(seed, "ids")
        self.seen: set[str] = set()

    def _token(self, length: int) -> str:
        while True:
            digits = self.rng.integers(0, 62, size=length)
            tok = "".join(_B62[int(d)] for d in digits)
            if tok not in self.seen:
                self.seen.add(tok)
                return tok

    def account(self) -> str:
        return "org-" + self._token(24)

    def key(self) -> str:
        return "key_" + self._token(12)

    def card(self) -> str:
        return "pm_" + "".join(f"{int(b):02x}" for b in self.rng.integers(0, 256, size=16))


def age_created(rng: np.random.Generator, median_days: float, sigma: float = 1.0) -> float:
    """Creation time of an account of typical age ``median_days`` (at least one hour old)."""
    days = max(float(rng.lognormal(np.log(median_days), sigma)), 1 / 24)
    return START - min(days, 1500.0) * DAY


def cloud_pool(
    rng: np.random.Generator, region: str, n: int, asn: int | None = None
) -> list[tuple[str, int | None]]:
    """Egress of a server deployment: a few addresses, usually in one /24 of one cloud."""
    if asn is None:
        choices = net.asns("cloud", region)
        asn = choices[int(rng.integers(len(choices)))]
    block = net.block24(rng, asn)
    out: list[tuple[str, int | None]] = []
    for _ in range(n):
        ip = net.ipv4(rng, asn, block if rng.random() < 0.8 else None)
        out.append((ip, asn))
    return out


def home_pool(rng: np.random.Generator, region: str, n: int) -> list[tuple[str, int | None]]:
    """A person's addresses: home ISP (dynamic), sometimes a phone hotspot or a VPN."""
    isps = net.asns("res", region)
    asn = isps[int(rng.integers(len(isps)))]
    out: list[tuple[str, int | None]] = [(net.home_address(rng, asn), asn) for _ in range(n)]
    if rng.random() < 0.08:  # a commercial VPN, shared with everyone else on it
        vpn = net.asns("vpn", region)
        v = vpn[int(rng.integers(len(vpn)))]
        out.append((net.ipv4(rng, v), v))
    return out


def keys_for(ids: Ids, rng: np.random.Generator, mean_extra: float) -> list[str]:
    return [ids.key() for _ in range(1 + int(rng.poisson(mean_extra)))]


def user_id(acct: Account, number: int) -> str:
    """How an application spells its end-user ids (each app has its own convention)."""
    salt = zlib.crc32(acct.account_id.encode())
    h = zlib.crc32(f"{salt}:{number}".encode())
    style = acct.user_style % 4
    if style == 0:
        return f"user_{h:08x}"
    if style == 1:
        return f"{h:08x}-{(h * 7) & 0xFFFF:04x}-4{(h >> 4) & 0xFFF:03x}"
    if style == 2:
        return f"u{number + 1000 + salt % 9000}"
    return f"{h:x}{salt:x}"[:24]
