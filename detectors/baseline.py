"""The peer baseline: what accounts of the same size normally do.

Accounts are segmented by volume tier (requests in their day window, by
powers of ten), so a customer sending a thousand requests an hour is compared
with other heavy customers, not with hobbyists. Per tier and feature, river's
streaming quantiles (``stats.Quantile``, the P² algorithm: constant memory)
track the median and the 99th percentile. The detector learns only from
accounts it did not find suspect, so a campaign cannot teach the baseline that
harvesting is normal.

It serves twice: twice the median of a content share is a floor for that
signal (a tier where honest step-by-step tutoring is the norm is not flagged
for it), and each flag's explanation shows the account's value next to its
peers' median and 99th percentile.

>>> baseline = PeerBaseline(min_accounts=10)
>>> for i in range(50):
...     baseline.learn_one({"requests": 500.0, "harvest_count": 5.0 + i % 3})
>>> round(baseline.peer({"requests": 700.0}, "harvest_count").median, 3)
0.012
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import orjson
from river import stats

# Content shares whose 99th percentile raises the detector's floors.
SHARES: tuple[str, ...] = ("trace_count", "harvest_count", "rubric_count", "probe_count")
PRIOR_REQUESTS = 10.0


class Peer(NamedTuple):
    tier: int
    median: float
    p99: float
    accounts: int


def tier_of(requests: float) -> int:
    """Volume tier: 0 below 10 requests a day, then one per power of ten, up to 5."""
    return min(5, int(math.log10(max(requests, 1.0))))


def _value(x: dict[str, float], feature: str) -> float:
    """Counts are read as shares (with the detector's shrinkage); other features as they are."""
    value = x.get(feature, 0.0)
    if feature in SHARES:
        return value / (x.get("requests", 0.0) + PRIOR_REQUESTS)
    return value


class _Peers:
    """What answers ``peer``: accounts learned per tier, and a tier's (median, p99)."""

    def __init__(self, min_accounts: int, learned: dict[int, int]) -> None:
        self.min_accounts = min_accounts
        self._learned = learned

    @property
    def learned(self) -> int:
        """Accounts learned from, all tiers."""
        return sum(self._learned.values())

    def _values(self, tier: int, feature: str) -> tuple[float, float] | None:
        raise NotImplementedError

    def peer(self, x: dict[str, float], feature: str) -> Peer | None:
        """The account's tier's median and 99th percentile of ``feature``, once known."""
        tier = tier_of(x.get("requests", 0.0))
        accounts = self._learned.get(tier, 0)
        found = self._values(tier, feature) if accounts >= self.min_accounts else None
        return None if found is None else Peer(tier, found[0], found[1], accounts)


class PeerBaseline(_Peers):
    """The live baseline. ``prior``, a published snapshot, answers for tiers not yet known.

    A restarted worker starts from what it (or a peer) last published instead of
    from nothing: without floors, a tier where honest tutoring is the norm would be
    judged against zero until 200 of its accounts had been seen again."""

    def __init__(self, min_accounts: int = 200, prior: FrozenBaseline | None = None) -> None:
        super().__init__(min_accounts, {})
        self.prior = prior
        self._quantiles: dict[tuple[int, str], tuple[stats.Quantile, stats.Quantile]] = {}
        # Floors per tier, read at every scoring and changed only by learning.
        self._floors: dict[int, dict[str, float]] = {}

    def learn_one(self, x: dict[str, float]) -> None:
        tier = tier_of(x.get("requests", 0.0))
        self._learned[tier] = self._learned.get(tier, 0) + 1
        self._floors.pop(tier, None)
        for feature in x:
            pair = self._quantiles.get((tier, feature))
            if pair is None:
                pair = self._quantiles[(tier, feature)] = (
                    stats.Quantile(0.5),
                    stats.Quantile(0.99),
                )
            value = _value(x, feature)
            pair[0].update(value)
            pair[1].update(value)

    def _values(self, tier: int, feature: str) -> tuple[float, float] | None:
        pair = self._quantiles.get((tier, feature))
        return None if pair is None else (pair[0].get() or 0.0, pair[1].get() or 0.0)

    def peer(self, x: dict[str, float], feature: str) -> Peer | None:
        found = super().peer(x, feature)
        if found is None and self.prior is not None:
            return self.prior.peer(x, feature)
        return found

    def snapshot(self) -> bytes:
        """The baseline as it stands, as JSON: what another process (the API) shows.

        Tiers this process knows too little of yet keep the prior's figures, so that a
        restart does not publish a thinner baseline than the one it started from."""
        learned = dict(self._learned)
        peers = [
            [tier, feature, pair[0].get() or 0.0, pair[1].get() or 0.0]
            for (tier, feature), pair in self._quantiles.items()
        ]
        prior = self.prior
        if prior is not None:
            keep = {
                tier: n
                for tier, n in prior._learned.items()
                if learned.get(tier, 0) < min(n, self.min_accounts)
            }
            learned.update(keep)
            peers = [p for p in peers if p[0] not in keep]
            peers += [[t, f, *pair] for (t, f), pair in prior._peers.items() if t in keep]
        return orjson.dumps({"learned": learned, "peers": peers}, option=orjson.OPT_NON_STR_KEYS)

    def share_floors(self, x: dict[str, float]) -> dict[str, float]:
        """Per content share, twice the peers' median (empty until the tier is known).

        The median, not a high percentile: the top of a tier holds the campaigns not
        caught yet and the odd benchmark harness, and must not set the bar."""
        tier = tier_of(x.get("requests", 0.0))
        floors = self._floors.get(tier)
        if floors is None:
            floors = self._floors[tier] = {}
            for feature in SHARES:
                peer = self.peer(x, feature)
                if peer is not None:
                    floors[feature] = 2.0 * peer.median
        return floors


class FrozenBaseline(_Peers):
    """A baseline read back from :meth:`PeerBaseline.snapshot`: answers ``peer`` only."""

    def __init__(self, snapshot: bytes, min_accounts: int = 200) -> None:
        data: dict[str, Any] = orjson.loads(snapshot)
        super().__init__(min_accounts, {int(tier): n for tier, n in data["learned"].items()})
        self._peers = {
            (tier, feature): (median, p99) for tier, feature, median, p99 in data["peers"]
        }

    def _values(self, tier: int, feature: str) -> tuple[float, float] | None:
        return self._peers.get((tier, feature))
