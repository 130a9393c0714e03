"""The peer baseline: how far each feature of an account is from what is normal.

Running mean and variance per feature (river's ``stats.Var``), learned only
from vectors that did not look anomalous, so a campaign cannot teach the
baseline that harvesting is normal. It turns a score into reasons a person
can act on: which signals, and how many standard deviations away.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from river import stats


class Deviation(NamedTuple):
    feature: str
    value: float
    mean: float
    z: float

    @property
    def code(self) -> str:
        """Machine-readable reason code, e.g. ``completion_ratio_high``."""
        return f"{self.feature}_{'high' if self.z > 0 else 'low'}"


class PeerBaseline:
    """Per-feature running statistics over the accounts the models learned from.

    >>> baseline = PeerBaseline(min_z=3.0)
    >>> for i in range(100):
    ...     baseline.learn_one({"rate": 1.0 + (i % 5) / 10})
    >>> [d.code for d in baseline.explain_one({"rate": 9.0})]
    ['rate_high']
    """

    def __init__(self, min_z: float = 3.0, top: int = 4) -> None:
        self.min_z = min_z
        self.top = top
        self._stats: dict[str, stats.Var] = {}

    def learn_one(self, x: dict[str, float]) -> None:
        for feature, value in x.items():
            var = self._stats.get(feature)
            if var is None:
                var = self._stats[feature] = stats.Var()
            var.update(value)

    def deviations(self, x: dict[str, float]) -> list[Deviation]:
        """Every feature's distance from the baseline, largest first."""
        found = []
        for feature, value in x.items():
            var = self._stats.get(feature)
            if var is None or var.mean.n < 2:
                continue
            mean = var.mean.get()
            # A floor on the spread: a feature constant so far must not make every change infinite.
            spread = max(math.sqrt(max(var.get(), 0.0)), 0.05 * abs(mean), 1e-3)
            found.append(Deviation(feature, value, mean, (value - mean) / spread))
        found.sort(key=lambda d: abs(d.z), reverse=True)
        return found

    def explain_one(self, x: dict[str, float]) -> list[Deviation]:
        """The features at least ``min_z`` standard deviations away, at most ``top`` of them."""
        return [d for d in self.deviations(x) if abs(d.z) >= self.min_z][: self.top]
