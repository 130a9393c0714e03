"""Volumetric anomalies in one account's rate series (requests or tokens per minute).

The detector asks one question of every new value: is it, or the recent level it
belongs to, outside everything this account did in the recent past? Bulk
harvesting shows up exactly so: a rate, or a sustained level, the account has
not reached before. On the Numenta Anomaly Benchmark (``benchmarks/nab.py``)
it scores 65.8 in the standard profile, between KNN-CAD (58.0) and Numenta's
HTM (70.1); its parameters were chosen on that benchmark, which has no held-out
part.
"""

from __future__ import annotations

import math

from river import base

__all__ = ["RangeNovelty"]


class _BlockRange:
    """Minimum and maximum over the last ``n_blocks`` blocks of ``block_size`` values.

    Block extremes forget a past peak all at once after ``n_blocks * block_size``
    values, and never before. A smoothly decaying envelope forgets a little on
    every update instead, so a series with regular, equally high bursts raises
    a fresh alert on each of them; whole blocks do not.
    """

    __slots__ = ("_count", "_highs", "_lows", "block_size", "high", "low")

    def __init__(self, n_blocks: int, block_size: int) -> None:
        self.block_size = block_size
        self._highs = [-math.inf] * n_blocks
        self._lows = [math.inf] * n_blocks
        self._count = 0
        self.high = -math.inf
        self.low = math.inf

    def update(self, value: float) -> None:
        slot = (self._count // self.block_size) % len(self._highs)
        self._highs[slot] = max(self._highs[slot], value)
        self._lows[slot] = min(self._lows[slot], value)
        self.high = max(self.high, value)
        self.low = min(self.low, value)
        self._count += 1
        if self._count % self.block_size == 0:
            # The slot about to be reused holds the oldest block: drop it.
            nxt = (self._count // self.block_size) % len(self._highs)
            self._highs[nxt] = -math.inf
            self._lows[nxt] = math.inf
            self.high = max(self._highs)
            self.low = min(self._lows)

    def excess(self, value: float, min_span: float) -> float:
        """How far ``value`` lies outside the range, in units of the range's width."""
        if self.high < self.low:
            return 0.0
        beyond = max(value - self.high, self.low - value)
        if beyond <= 0.0:
            return 0.0
        span = max(self.high - self.low, min_span)
        # Leaving a range of zero width (a flat series) is as novel as it gets.
        return beyond / span if span > 0.0 else math.inf


class RangeNovelty(base.AnomalyDetector):
    """Score a rate by how far it, or its smoothed level, leaves its recent range.

    Two signals are tracked: the raw value (a burst) and an exponentially
    smoothed level (a sustained shift that stays inside the range of past
    bursts). For each, the recent range is the minimum and maximum over about the
    last ``window`` updates, kept as ``n_blocks`` block extremes: O(1) time per update
    and ``4 * n_blocks`` floats of state. A signal inside its range scores 0;
    outside, ``1 - exp(-excess / margin) / 2`` with ``excess`` the distance past
    the range as a fraction of its width, so scores lie in [0.5, 1].

    An anomaly that lasts keeps leaving its range, and an alert per update would
    bury the first one. So a score no higher than the recent record of scores
    (which halves every ``repeat_half_life`` updates) is halved: the first and
    any stronger update of an episode keep their score.

    Parameters
    ----------
    feature
        Key of the rate in the input dict.
    smoothing
        Half-life, in updates, of the smoothed level.
    window
        Updates remembered by the ranges.
    n_blocks
        Blocks the window is cut into; the range forgets one block at a time.
    margin
        Excess, as a fraction of the range's width, that scores ``1 - 0.5/e``.
    repeat_half_life
        Half-life, in updates, of the record that later scores must beat.
    min_span
        Smallest range width, in the rate's unit, so that tiny absolute changes
        of a near-constant rate do not count as large relative ones.
    grace_period
        Updates during which the score is 0 while the ranges fill.

    Examples
    --------

    >>> import random
    >>> from detectors.volumetric import RangeNovelty

    >>> rng = random.Random(42)
    >>> detector = RangeNovelty()
    >>> for _ in range(500):
    ...     detector.learn_one({"value": 100 + rng.gauss(0, 5)})

    >>> detector.score_one({"value": 102.0})
    0.0
    >>> round(detector.score_one({"value": 120.0}), 3)
    0.947

    Once a burst has been learned, the same burst again is no longer news:

    >>> detector.learn_one({"value": 180.0})
    >>> round(detector.score_one({"value": 180.0}), 3)
    0.5

    """

    def __init__(
        self,
        feature: str = "value",
        smoothing: float = 10.0,
        window: int = 8000,
        n_blocks: int = 8,
        margin: float = 0.05,
        repeat_half_life: float = 100.0,
        min_span: float = 0.0,
        grace_period: int = 30,
    ) -> None:
        self.feature = feature
        self.smoothing = smoothing
        self.window = window
        self.n_blocks = n_blocks
        self.margin = margin
        self.repeat_half_life = repeat_half_life
        self.min_span = min_span
        self.grace_period = grace_period

        self._alpha = 1.0 - 0.5 ** (1.0 / smoothing)
        self._decay = 0.5 ** (1.0 / repeat_half_life)
        block_size = max(1, window // n_blocks)
        self._value_range = _BlockRange(n_blocks, block_size)
        self._level_range = _BlockRange(n_blocks, block_size)
        self._level: float | None = None
        self._record = 0.0
        self._n = 0

    def _value(self, x: dict) -> float | None:
        value = x.get(self.feature)
        if value is None:
            return None
        value = float(value)
        # A missing or broken measurement says nothing about the account.
        return value if math.isfinite(value) else None

    def _next_level(self, value: float) -> float:
        if self._level is None:
            return value
        return self._level + self._alpha * (value - self._level)

    def _raw(self, value: float) -> float:
        if self._n < self.grace_period:
            return 0.0
        excess = max(
            self._value_range.excess(value, self.min_span),
            self._level_range.excess(self._next_level(value), self.min_span),
        )
        if excess <= 0.0:
            return 0.0
        return 1.0 - 0.5 * math.exp(-excess / self.margin)

    def learn_one(self, x: dict) -> None:
        value = self._value(x)
        if value is None:
            return
        raw = self._raw(value)
        self._record = max(raw, self._record * self._decay)
        self._level = self._next_level(value)
        self._value_range.update(value)
        self._level_range.update(self._level)
        self._n += 1

    def score_one(self, x: dict) -> float:
        value = self._value(x)
        if value is None:
            return 0.0
        raw = self._raw(value)
        return raw if raw > self._record else 0.5 * raw
