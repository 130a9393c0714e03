"""The shared state of one generation run: clock, randomness, address plan, accounts."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from .common import (
    CLOUD_ASNS,
    RESIDENTIAL_ASNS,
    START,
    Account,
    Net,
    card,
    new_account,
)


@dataclass
class World:
    seed: int
    scale: float
    hours: float
    rng: random.Random = field(init=False)
    net: Net = field(init=False)
    accounts: list[Account] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed * 1_000_003 + 17)
        self.net = Net(random.Random(self.seed * 31 + 5))

    @property
    def t0(self) -> float:
        return START

    @property
    def t1(self) -> float:
        return START + self.hours * 3600

    @property
    def release(self) -> float:
        """When atlas-think-2 becomes available (1.5 h in, earlier for short runs)."""
        return START + min(1.5, 0.25 * self.hours) * 3600

    def n(self, count: float, minimum: int = 1) -> int:
        """A population size at the current scale."""
        return max(minimum, round(count * self.scale))

    def vol(self, events: float) -> int:
        """A per-account volume, scaled by the run length (rates are per hour of traffic).

        Below scale 0.25 (test runs) per-account volumes shrink too, to keep runs fast."""
        return max(1, round(events * self.hours / 6.0 * min(1.0, self.scale / 0.25)))

    def fork(self) -> random.Random:
        return random.Random(self.rng.getrandbits(64))

    # --------------------------------------------------------------- infrastructure helpers

    def cloud_ips(self, k: int = 1, asn: int | None = None) -> list[tuple[str, int]]:
        a = asn or self.rng.choice(CLOUD_ASNS)
        sub = self.net.subnet(a)
        return [(self.net.ip(a, sub), a) for _ in range(k)]

    def home_ip(self) -> list[tuple[str, int]]:
        a = self.rng.choice(RESIDENTIAL_ASNS)
        if self.rng.random() < 0.12:
            return [(self.net.v6(), a)]
        return [(self.net.ip(a), a)]

    def account(
        self,
        label: str,
        age_days: float,
        ips: list[tuple[str, int]],
        uas: list[str],
        card_fp: str | bool | None = True,
        **kw: object,
    ) -> Account:
        fp = card(self.rng) if card_fp is True else (card_fp or None)
        acct = new_account(self.rng, label, age_days, fp, ips, uas, **kw)  # type: ignore[arg-type]
        self.accounts.append(acct)
        return acct

    def age(self, lo: float, hi: float) -> float:
        return self.rng.uniform(lo, hi)

    def attacker(
        self,
        cid: str,
        ctype: str,
        age_days: float,
        ips: list[tuple[str, int]],
        uas: list[str],
        card_fp: str | bool | None = True,
        **kw: object,
    ) -> Account:
        """An attack account of campaign ``cid``, whose type is ``ctype``."""
        return self.account(
            "attack", age_days, ips, uas, card_fp, campaign=cid, campaign_type=ctype, **kw
        )

    def front(
        self, cid: str, ctype: str, count: float, asn: int, age: tuple[float, float], ua: str
    ) -> Iterator[tuple[int, Account]]:
        """The ``count`` (scaled) accounts of a front company, numbered: two cards used in turn,
        two addresses each from one subnet of ``asn``, one user agent."""
        sub = self.net.subnet(asn)
        cards = [card(self.rng) for _ in range(2)]
        for i in range(self.n(count)):
            ips = [(self.net.ip(asn, sub), asn) for _ in range(2)]
            yield i, self.attacker(cid, ctype, self.age(*age), ips, [ua], card_fp=cards[i % 2])
