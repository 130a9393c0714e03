"""The peer baseline: what accounts of the same size normally do, in mergeable histograms.

Accounts are segmented by volume tier (requests in their day window, by
powers of ten), so a customer sending a thousand requests an hour is compared
with other heavy customers, not with hobbyists. Per tier and feature the
baseline is a fixed-bin histogram (100 bins: linear for shares, logarithmic
for magnitudes). Histograms add: samples learned by any number of workers,
in any order, merge into the same counts, which is what lets every worker and
the API read the same baseline as of the same complete epoch (``load``).

The detectors learn only from accounts they did not find suspect, so a
campaign cannot teach the baseline that harvesting is normal. Established
customers (months old) are also counted apart, whatever their score, in how much
of each kind of harvesting-like traffic they send (``common``): where dozens of
them grade, probe or ask for reasoning by the hundred, that volume is what honest
customers here do, and only more than that says harvesting. Left to the
unsuspect alone, those customers, flagged at their first busy hour, would never
show it. The baseline serves as a floor (twice the tier's median share of a kind
of harvesting is needed before that kind counts: a tier where honest tutoring is
the norm is not flagged for it), as the peers' median and 99th percentile in
every explanation, and as the reference of the anomaly family.

>>> baseline = PeerBaseline(min_accounts=10)
>>> for i in range(50):
...     baseline.learn_one({"requests": 500.0, "long_share": 0.1 + 0.01 * (i % 3)})
>>> peer = baseline.peer({"requests": 700.0}, "long_share")
>>> peer.tier, round(peer.median, 3), peer.accounts
(2, 0.115, 50)
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping
from typing import NamedTuple

BINS = 100
_LOG_MAX = math.log1p(1e7)  # magnitudes up to ten million fit the log bins
# Features kept per tier. Shares (0..1) get linear bins, the rest logarithmic ones.
SHARES: tuple[str, ...] = (
    "elicit_share", "harvest_share", "trace_share", "grade_share", "probe_share", "long_share",
    "format_share", "single_turn_share", "near_max_share", "reasoning_share", "template_repeat",
    "distinct_prompt_share", "focus_share", "reproducible_share", "new_model_share",
)  # fmt: skip
MAGNITUDES: tuple[str, ...] = (
    "requests", "rate_1h", "completion_mean", "prompt_mean", "completion_ratio",
    "reasoning_mean", "completion_day", "gap_cv", "cot_languages",
)  # fmt: skip
FEATURES = SHARES + MAGNITUDES
_SHARE = frozenset(SHARES)
# Counted for established accounts, whatever their score (``PeerBaseline.common``): the
# volumes of the content family's kinds and the tokens served a day, in a tier of their own.
COMMON: tuple[str, ...] = (
    "trace_count", "harvest_count", "grade_count", "probe_count", "completion_day",
)  # fmt: skip
# Tier 9 held established accounts once per hourly sample, added up (builds before
# 2026-12-07): a store written by them keeps those cells, which this tier leaves unread.
ESTABLISHED_TIER = 10
# The content shares whose tier median raises the content family's floors.
FLOOR_SHARES: tuple[str, ...] = ("trace_share", "harvest_share", "grade_share", "probe_share")


class Peer(NamedTuple):
    tier: int
    median: float
    p99: float
    accounts: int


def tier_of(requests: float) -> int:
    """Volume tier: 0 below 10 requests a day, then one per power of ten, up to 5."""
    return min(5, int(math.log10(max(requests, 1.0))))


def bin_of(feature: str, value: float) -> int:
    if feature in _SHARE:
        position = min(max(value, 0.0), 1.0)
    else:
        position = math.log1p(max(value, 0.0)) / _LOG_MAX
    return min(BINS - 1, int(position * BINS))


def value_of(feature: str, bin: int) -> float:
    """The middle of a bin, in the feature's own units."""
    position = (bin + 0.5) / BINS
    return position if feature in _SHARE else math.expm1(position * _LOG_MAX)


def cell(tier: int, feature: str, bin: int) -> str:
    return f"{tier}:{feature}:{bin}"


def _accounts_cell(tier: int) -> str:
    return f"{tier}:#"


@functools.cache
def _parse_cell(key: str) -> tuple[int, str, int]:
    """A cell's tier, feature and bin (bin -1 for a tier's account count). Cells are few
    (tiers x features x bins) and a baseline is loaded every epoch: parse each once."""
    tier, feature, *rest = key.split(":")
    return int(tier), feature, int(rest[0]) if rest else -1


class PeerBaseline:
    """Histograms per tier and feature; ``load`` replaces them with a complete epoch's."""

    def __init__(
        self, min_accounts: int = 200, established_days: float = 90.0, common_accounts: int = 24
    ) -> None:
        self.min_accounts = min_accounts
        self.established_days = established_days
        self.common_accounts = common_accounts
        self._accounts: dict[int, int] = {}
        self._hist: dict[tuple[int, str], list[int]] = {}
        # Read-outs, worked out once per histogram: counts at or above each bin, and peers.
        self._tails: dict[tuple[int, str], list[int]] = {}
        self._peers: dict[tuple[int, str], Peer | None] = {}
        self._floors: dict[int, dict[str, float]] = {}

    def sample(self, x: Mapping[str, float], suspect: bool = False) -> dict[str, int]:
        """The cells one account adds to its tier's histograms: a bin per feature it has,
        unless it looks ``suspect``."""
        if suspect:
            return {}
        tier = tier_of(x.get("requests", 0.0))
        cells = {_accounts_cell(tier): 1}
        for feature in FEATURES:
            value = x.get(feature)
            if value is not None and value >= 0:
                cells[cell(tier, feature, bin_of(feature, value))] = 1
        return cells

    def established_sample(self, x: Mapping[str, float]) -> dict[str, int]:
        """The account's sample of the established tier (none unless established, whatever
        its score): itself, and its volume of each kind. The pipeline sends it as its
        *latest* (``service/state/links.py``): the store replaces the account's last one
        with it, so that the tier holds each account once, as its day stands, and its 99th
        percentile compares a day with other accounts' days, not with the first minutes
        of a burst."""
        if x.get("account_age_days", -1.0) < self.established_days:
            return {}
        cells = {_accounts_cell(ESTABLISHED_TIER): 1}
        for feature in COMMON:
            cells[cell(ESTABLISHED_TIER, feature, bin_of(feature, x.get(feature, 0.0)))] = 1
        return cells

    def load(self, counts: Mapping[str, int]) -> None:
        """Use these histograms (those of a complete epoch) from now on."""
        self._accounts.clear()
        self._hist.clear()
        self._add(counts)

    def add(self, counts: Mapping[str, int]) -> None:
        """Add histogram cells (what changed since the epoch last loaded)."""
        self._add(counts)

    def learn_one(self, x: Mapping[str, float]) -> None:
        """Add one account at once (standalone use; the pipeline merges samples by epoch)."""
        self._add(self.sample(x))
        self._add(self.established_sample(x))

    def _add(self, counts: Mapping[str, int]) -> None:
        for key, count in counts.items():
            tier, feature, bin = _parse_cell(key)
            if bin < 0:
                self._accounts[tier] = self._accounts.get(tier, 0) + count
                continue
            hist = self._hist.get((tier, feature))
            if hist is None:
                hist = self._hist[(tier, feature)] = [0] * BINS
            hist[bin] += count
        self._tails.clear()
        self._peers.clear()
        self._floors.clear()

    @property
    def learned(self) -> int:
        return sum(n for tier, n in self._accounts.items() if tier != ESTABLISHED_TIER)

    def accounts(self, tier: int) -> int:
        return self._accounts.get(tier, 0)

    def _tail_counts(self, tier: int, feature: str) -> list[int] | None:
        """Per bin, the tier's accounts at or above it (None until the tier is known)."""
        key = (tier, feature)
        tails = self._tails.get(key)
        if tails is None:
            hist = self._hist.get(key)
            if hist is None or self.accounts(tier) < self.min_accounts:
                return None
            tails = list(itertools.accumulate(reversed(hist)))[::-1]
            self._tails[key] = tails
        return tails

    def peer(self, x: Mapping[str, float], feature: str) -> Peer | None:
        """The account's tier's median and 99th percentile of ``feature``, once known."""
        tier = tier_of(x.get("requests", 0.0))
        key = (tier, feature)
        if key not in self._peers:
            self._peers[key] = self._quantiles(tier, feature)
        return self._peers[key]

    def _quantiles(self, tier: int, feature: str, top: int = 1) -> Peer | None:
        """The median and 99th percentile; the latter held by at least ``top`` accounts."""
        tails = self._tail_counts(tier, feature)
        if not tails or not tails[0]:
            return None
        total = tails[0]
        # The highest bins whose tails still hold half and 1 % of the accounts.
        median = max(b for b in range(BINS) if tails[b] >= 0.5 * total)
        p99 = max((b for b in range(BINS) if tails[b] >= max(0.01 * total, top)), default=0)
        return Peer(tier, value_of(feature, median), value_of(feature, p99), self.accounts(tier))

    def common(self, feature: str) -> float | None:
        """The 99th percentile of ``feature`` (one of ``COMMON``) among established accounts,
        once enough are known: what the busiest honest customers here do of that kind. It
        takes ``common_accounts`` at least ("dozens"): a campaign run through a handful of
        aged accounts does not set the bar it is read against, however few established
        accounts there are."""
        key = (ESTABLISHED_TIER, feature)
        if key not in self._peers:
            self._peers[key] = self._quantiles(ESTABLISHED_TIER, feature, self.common_accounts)
        peer = self._peers[key]
        return peer.p99 if peer is not None else None

    def common_ramp(
        self, feature: str, floor: float, full: float, established: float, span: float
    ) -> tuple[float, float]:
        """A volume ramp (``floor`` to ``full``) moved up for an ``established`` account (0..1:
        how established it is; in between, part of the way on a log scale) to start where
        the busiest established accounts are (``common``), where that is higher; full at
        ``span`` times its start at the earliest."""
        low = floor
        common = self.common(feature)
        if common is not None and common > floor and established > 0:
            low = floor * (common / floor) ** established
        return low, max(full, span * low)

    def tail(self, x: Mapping[str, float], feature: str, value: float) -> float | None:
        """The share of the account's peers at or above ``value`` (None until enough peers
        are known): how unusual the value is among them. Peers are the account's tier or,
        while it holds too few accounts (the heaviest tiers always do), that tier with the
        lighter ones next to it, down to enough accounts."""
        tails = self._pooled_tails(tier_of(x.get("requests", 0.0)), feature)
        if not tails or not tails[0]:
            return None
        return tails[bin_of(feature, value)] / tails[0]

    def _pooled_tails(self, tier: int, feature: str) -> list[int] | None:
        key = (-1 - tier, feature)  # cached beside the tiers' own tails
        tails = self._tails.get(key)
        if tails is None:
            lowest, accounts = tier, self.accounts(tier)
            while accounts < self.min_accounts and lowest > 0:
                lowest -= 1
                accounts += self.accounts(lowest)
            hists = [self._hist[(t, feature)] for t in range(lowest, tier + 1)
                     if (t, feature) in self._hist]  # fmt: skip
            if accounts < self.min_accounts or not hists:
                return None
            pooled = [sum(counts) for counts in zip(*hists, strict=True)]
            tails = list(itertools.accumulate(reversed(pooled)))[::-1]
            self._tails[key] = tails
        return tails

    def share_floors(self, x: Mapping[str, float]) -> dict[str, float]:
        """Per content share, twice the peers' median (empty until the tier is known).

        The median, not a high percentile: the top of a tier holds the campaigns not
        caught yet and the odd benchmark harness, and must not set the bar."""
        tier = tier_of(x.get("requests", 0.0))
        floors = self._floors.get(tier)
        if floors is None:
            floors = self._floors[tier] = {}
            for feature in FLOOR_SHARES:
                peer = self.peer(x, feature)
                if peer is not None:
                    floors[feature] = 2.0 * peer.median
        return floors

    def snapshot(self) -> dict[str, object]:
        """Per tier: accounts, and each feature's median and 99th percentile (for the API)."""
        tiers: dict[str, object] = {}
        for tier in range(6):
            probe = {"requests": 10.0**tier}
            peers = {f: self.peer(probe, f) for f in FEATURES}
            tiers[str(tier)] = {
                "accounts": self.accounts(tier),
                "peers": {f: [p.median, p.p99] for f, p in peers.items() if p is not None},
            }
        return tiers
