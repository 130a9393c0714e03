"""Global structures: which accounts share a payment method, a network, a system prompt;
when each model first appeared; the detector's peer baseline for other processes to show.

Every account reports its current profile (requests and the counts of each
kind of harvesting traffic) under each of its link values; a value's group is
the sum over the accounts that reported under it. A report replaces the
account's previous one, so writing it twice (a redelivered batch, a restarted
worker) changes nothing, and any number of workers can write: the Redis
implementation applies each report atomically in a script (old entry out, new
entry in) and the sums are commutative.

Bounded: a value shared by more than ``max_members`` accounts is common
infrastructure and is no evidence; it keeps only its member count. Values
nobody reported for the TTL expire (Redis key TTLs; event time in memory).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple, Protocol

from service import metrics
from service.state.base import least_recent_tenth

PROFILE_FIELDS: tuple[str, ...] = (
    "requests", "trace_count", "harvest_count", "rubric_count", "probe_count", "new_account",
)  # fmt: skip
Profile = tuple[float, ...]  # in PROFILE_FIELDS order


class Report(NamedTuple):
    values: tuple[str, ...]  # link values, "kind:hash"
    profile: Profile


class Group(NamedTuple):
    """The accounts behind one link value, summed."""

    value: str
    members: int
    common: bool  # shared so widely it is no evidence
    sums: Profile

    def get(self, field: str) -> float:
        return self.sums[PROFILE_FIELDS.index(field)]


class LinkStore(Protocol):
    def exchange(self, reports: Mapping[str, Report], now: float) -> dict[str, Group]:
        """Apply each account's report (at event time ``now``), then return the group of
        every value reported."""
        ...

    def first_seen(self, models: Mapping[str, float]) -> dict[str, float]:
        """Record when each model was seen; return the earliest time any account used it."""
        ...

    def groups(self, values: Iterable[str]) -> dict[str, Group]:
        """The groups of these values, as they stand (values never reported are left out)."""
        ...

    def members(self, value: str, limit: int = 50) -> list[str]:
        """Accounts behind a value, sorted (at most ``limit``; none once it is common)."""
        ...

    def publish_baseline(self, snapshot: bytes) -> None:
        """Keep the detector's peer baseline where other processes (the API) can read it."""
        ...

    def baseline(self) -> bytes | None: ...

    def expire(self, now: float) -> int:
        """Forget values nobody reported for the TTL (event time); how many went."""
        ...

    def close(self) -> None: ...


_NO_PROFILE: Profile = (0.0,) * len(PROFILE_FIELDS)


class _Entry:
    __slots__ = ("members", "seen", "sums")

    def __init__(self) -> None:
        self.members: dict[str, Profile] | None = {}  # None: common, members dropped
        self.sums = [0.0] * len(PROFILE_FIELDS)
        self.seen = -1.0  # event time of the last report


class MemoryLinks:
    """The embedded link store (offline ``detect``, tests, the API without Redis).

    Values expire in event time, and a flood of new values within a day is bounded by
    count: past ``max_values``, the least recently reported tenth is dropped."""

    def __init__(
        self, max_members: int = 4096, ttl_s: float = 26 * 3600, max_values: int = 2_000_000
    ) -> None:
        self.max_members = max_members
        self.ttl_s = ttl_s
        self.max_values = max_values
        self._entries: dict[str, _Entry] = {}
        self._counts: dict[str, int] = {}
        self._models: dict[str, float] = {}
        self._baseline: bytes | None = None

    def exchange(self, reports: Mapping[str, Report], now: float) -> dict[str, Group]:
        touched: set[str] = set()
        entries = self._entries
        for account, (values, profile) in reports.items():
            touched.update(values)
            for value in values:
                entry = entries.get(value)
                if entry is None:
                    entry = entries[value] = _Entry()
                if now > entry.seen:
                    entry.seen = now
                members = entry.members
                if members is None:
                    continue
                old = members.get(account)
                if old is None:
                    if len(members) >= self.max_members:
                        entry.members = None
                        self._counts[value] = len(members) + 1
                        continue
                    old = _NO_PROFILE
                members[account] = profile
                entry.sums = [s + n - o for s, n, o in zip(entry.sums, profile, old, strict=True)]
        if len(self._entries) > self.max_values:
            self._evict()
        return self.groups(touched)

    def _evict(self) -> None:
        dropped = least_recent_tenth(self._entries, self.max_values, lambda entry: entry.seen)
        for value in dropped:
            del self._entries[value]
            self._counts.pop(value, None)
        metrics.EVICTED.labels("link_value").inc(len(dropped))

    def groups(self, values: Iterable[str]) -> dict[str, Group]:
        found = {}
        for value in values:
            entry = self._entries.get(value)
            if entry is None:
                continue
            if entry.members is None:
                found[value] = Group(value, self._counts[value], True, tuple(entry.sums))
            else:
                found[value] = Group(value, len(entry.members), False, tuple(entry.sums))
        return found

    def members(self, value: str, limit: int = 50) -> list[str]:
        entry = self._entries.get(value)
        if entry is None or entry.members is None:
            return []
        return sorted(entry.members)[:limit]

    def publish_baseline(self, snapshot: bytes) -> None:
        self._baseline = snapshot

    def baseline(self) -> bytes | None:
        return self._baseline

    def expire(self, now: float) -> int:
        cutoff = now - self.ttl_s
        idle = [value for value, entry in self._entries.items() if entry.seen < cutoff]
        for value in idle:
            del self._entries[value]
            self._counts.pop(value, None)
        return len(idle)

    def __len__(self) -> int:
        return len(self._entries)

    def close(self) -> None:
        pass

    def first_seen(self, models: Mapping[str, float]) -> dict[str, float]:
        known = self._models
        for model, ts in models.items():
            if ts < known.get(model, float("inf")):
                known[model] = ts
        return dict(known)
