"""Cross-account state, versioned by event-time epoch: link groups, first sightings of models,
and the peer baseline's histograms.

Every input one account's scoring takes from other accounts lives here, and is
read *as of a complete epoch* (``as_of``): what was contributed in epochs up
to and including it, nothing later. Contributions are stamped with the epoch
of the events that made them and only ever merged commutatively:

- a member's report under a link value replaces its previous one (the group's
  sums move by the difference); it expires ``ttl`` epochs after it was made;
- a model's first sighting is the smallest epoch it was seen in;
- an account's baseline sample of an epoch replaces its earlier sample of the same epoch,
  and a complete epoch's samples add to fixed-bin histograms; a *latest* sample (its key
  ends with ``LATEST``) replaces, once counted, the cells of the account's last one counted,
  which the store keeps: the established tier holds each account once, as it stands, even
  when a sample comes too late to count or the account's own state expired.

So it does not matter in which order workers write, how their batches were
cut, or whether a batch was written twice, even after its epoch was read (a
report older than its member's is stale; a sample is counted once per account
and epoch): the same events give the same reads. The Redis implementation is in
``redis_links.py``; both are tested by one suite (tests/test_links.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple, Protocol

from detectors.groups import EMPTY_PROFILE, PROFILE_FIELDS, Group, Profile
from service import metrics
from service.state.base import least_recent_tenth

# Contributions are integers (fixed point), so sums are exact in any order.
SCALE = 100
# The key suffix of a sample that replaces the account's last one counted (``LinkStore``).
LATEST = "\x1flatest"


class Report(NamedTuple):
    values: tuple[str, ...]  # link values, "kind:hash"
    profile: Profile
    # Values the account reported under earlier in the same epoch and no longer does: their
    # report of this epoch is withdrawn, as if the epoch had been one batch.
    dropped: tuple[str, ...] = ()


class Contribution(NamedTuple):
    """What one batch of one epoch adds to the cross-account state."""

    reports: Mapping[str, Report]  # by account: the last report it made in the epoch
    samples: Mapping[str, Mapping[str, int]]  # by account: histogram cell -> count
    models: Iterable[str]  # models seen


class Histograms(NamedTuple):
    """The baseline's histogram cells as of ``as_of``: all of them (``whole``), or only
    what was folded in by reads after the epoch a reader already holds."""

    cells: dict[str, int]
    as_of: int  # the newest epoch they include (a whole read may include later ones)
    whole: bool


# How many epochs of folded changes the stores keep for readers that hold an older baseline.
CHANGES_KEPT = 60


class LinkStore(Protocol):
    def contribute(self, epoch: int, contribution: Contribution) -> None:
        """Record one epoch's contributions; writing the same ones twice changes nothing."""
        ...

    def groups(self, values: Iterable[str], as_of: int) -> dict[str, Group]:
        """The groups of these values as of epoch ``as_of`` (values never reported: left out)."""
        ...

    def models(self, as_of: int) -> dict[str, int]:
        """Every model seen up to epoch ``as_of``, with the epoch it was first seen in."""
        ...

    def histograms(self, as_of: int, since: int | None = None) -> Histograms:
        """The baseline's histogram cells as of epoch ``as_of``: whole, or, for a reader that
        holds them as of ``since``, only what changed after it (while the store still keeps
        that: a reader one epoch behind reads a few cells, not thousands)."""
        ...

    def members(self, value: str, limit: int = 50) -> list[str]:
        """Accounts behind a value as it stands, sorted (at most ``limit``; none once common)."""
        ...

    def close(self) -> None: ...


def quantise(profile: Profile) -> tuple[int, ...]:
    return tuple(round(v * SCALE) for v in profile)


def dequantise(sums: Iterable[int]) -> Profile:
    return tuple(v / SCALE for v in sums)


class _Entry:
    __slots__ = ("members", "seen", "sums")

    def __init__(self) -> None:
        # account -> (epoch, quantised report); None: common, members dropped
        self.members: dict[str, tuple[int, tuple[int, ...]]] | None = {}
        self.sums = [0] * len(PROFILE_FIELDS)
        self.seen = -1  # epoch of the last report


_PRUNE_EPOCHS = 60  # accounts' sample epochs are pruned once an hour of event time


class MemoryLinks:
    """The embedded store (offline ``detect``, tests, the API without Redis).

    Contributions wait per epoch and are folded in epoch order when a read asks for
    an epoch that includes them. A flood of new values is bounded by count: past
    ``max_values``, the least recently reported tenth is dropped."""

    def __init__(
        self, max_members: int = 4096, ttl_epochs: int = 26 * 60, max_values: int = 2_000_000
    ) -> None:
        self.max_members = max_members
        self.ttl_epochs = ttl_epochs
        self.max_values = max_values
        self._entries: dict[str, _Entry] = {}
        self._counts: dict[str, int] = {}  # members of common values
        self._pending: dict[int, Contribution] = {}
        self._folded = -1  # every contribution of an epoch up to this one is in
        self._expiring: dict[int, set[tuple[str, str]]] = {}  # epoch -> (value, account)
        self._models: dict[str, int] = {}
        self._histograms: dict[str, int] = {}
        self._sampled: dict[str, int] = {}  # account -> epoch of its newest counted sample
        self._latest: dict[str, dict[str, int]] = {}  # latest samples counted, by key
        self._changes: list[tuple[int, dict[str, int]]] = []  # (as_of, cells it folded in)
        self._changes_from = -1  # the changes of every read as of a later epoch are kept

    def contribute(self, epoch: int, contribution: Contribution) -> None:
        # A contribution to an epoch already folded (only when the watermark gave up on an
        # idle partition) is folded in with the next read, as the Redis store does.
        pending = self._pending.get(epoch)
        if pending is None:
            pending = self._pending[epoch] = Contribution({}, {}, set())
        # Later reports and samples of an account in the same epoch replace earlier ones.
        assert isinstance(pending.reports, dict) and isinstance(pending.samples, dict)
        assert isinstance(pending.models, set)
        pending.reports.update(contribution.reports)
        pending.samples.update(contribution.samples)
        pending.models.update(contribution.models)

    def _fold(self, as_of: int) -> None:
        due = {e for e in self._pending if e <= as_of} | {e for e in self._expiring if e <= as_of}
        changed: dict[str, int] = {}
        for epoch in sorted(due):
            pending = self._pending.pop(epoch, None)
            if pending is not None:
                self._apply(epoch, pending, changed)
            self._expire(epoch)
        if changed:
            self._changes.append((as_of, changed))
        cut = as_of - CHANGES_KEPT
        if cut > self._changes_from:
            self._changes = [(a, cells) for a, cells in self._changes if a > cut]
            self._changes_from = cut
        if as_of // _PRUNE_EPOCHS > self._folded // _PRUNE_EPOCHS:
            oldest = as_of - self.ttl_epochs
            self._sampled = {a: e for a, e in self._sampled.items() if e > oldest}
        self._folded = max(self._folded, as_of)
        if len(self._entries) > self.max_values:
            self._evict()

    def _apply(self, epoch: int, contribution: Contribution, changed: dict[str, int]) -> None:
        for account, (values, profile, _) in contribution.reports.items():
            report = quantise(profile)
            for value in values:
                self._report(value, account, epoch, report)
        for model in contribution.models:
            if epoch < self._models.get(model, epoch + 1):
                self._models[model] = epoch
        histograms, sampled = self._histograms, self._sampled
        for account, cells in contribution.samples.items():
            if sampled.get(account, epoch - 1) >= epoch:
                continue  # written again by a retried batch: counted once
            sampled[account] = epoch
            delta = cells
            if account.endswith(LATEST):  # only these need a copy: the others add as they are
                delta = dict(cells)
                for cell, count in self._latest.get(account, {}).items():
                    delta[cell] = delta.get(cell, 0) - count
                self._latest[account] = dict(cells)
            for cell, count in delta.items():
                histograms[cell] = histograms.get(cell, 0) + count
                changed[cell] = changed.get(cell, 0) + count

    def _report(self, value: str, account: str, epoch: int, report: tuple[int, ...]) -> None:
        entry = self._entries.get(value)
        if entry is None:
            entry = self._entries[value] = _Entry()
        entry.seen = max(entry.seen, epoch)
        members = entry.members
        if members is None:
            return
        old = members.get(account)
        if old is not None and epoch < old[0]:
            return  # older than the member's report: written again by a retried batch
        if old is None and len(members) >= self.max_members:
            entry.members = None
            self._counts[value] = len(members) + 1
            return
        old_report = old[1] if old is not None else None
        if old is not None:
            self._expiring.get(old[0] + self.ttl_epochs, set()).discard((value, account))
        members[account] = (epoch, report)
        self._expiring.setdefault(epoch + self.ttl_epochs, set()).add((value, account))
        self._move(entry, report, old_report)

    @staticmethod
    def _move(entry: _Entry, new: tuple[int, ...] | None, old: tuple[int, ...] | None) -> None:
        sums = entry.sums
        for i in range(len(sums)):
            sums[i] += (new[i] if new else 0) - (old[i] if old else 0)

    def _expire(self, epoch: int) -> None:
        for value, account in self._expiring.pop(epoch, ()):
            entry = self._entries.get(value)
            if entry is None or entry.members is None:
                continue
            old = entry.members.pop(account, None)
            if old is not None:
                self._move(entry, None, old[1])
            if not entry.members:
                del self._entries[value]

    def _evict(self) -> None:
        dropped = least_recent_tenth(self._entries, self.max_values, lambda entry: entry.seen)
        for value in dropped:
            del self._entries[value]
            self._counts.pop(value, None)
        metrics.EVICTED.labels("link_value").inc(len(dropped))

    def groups(self, values: Iterable[str], as_of: int) -> dict[str, Group]:
        self._fold(as_of)
        found = {}
        for value in values:
            entry = self._entries.get(value)
            if entry is None:
                continue
            if entry.members is None:
                found[value] = Group(value, self._counts[value], True, EMPTY_PROFILE)
            else:
                found[value] = Group(value, len(entry.members), False, dequantise(entry.sums))
        return found

    def models(self, as_of: int) -> dict[str, int]:
        self._fold(as_of)
        return dict(self._models)

    def histograms(self, as_of: int, since: int | None = None) -> Histograms:
        self._fold(as_of)
        if since is None or not self._changes_from <= since <= as_of:
            return Histograms(dict(self._histograms), self._folded, True)
        changed: dict[str, int] = {}
        for folded_as_of, cells in self._changes:
            if since < folded_as_of <= as_of:
                for cell, count in cells.items():
                    changed[cell] = changed.get(cell, 0) + count
        return Histograms(changed, as_of, False)

    def members(self, value: str, limit: int = 50) -> list[str]:
        entry = self._entries.get(value)
        if entry is None or entry.members is None:
            return []
        return sorted(entry.members)[:limit]

    def __len__(self) -> int:
        return len(self._entries)

    def close(self) -> None:
        pass
