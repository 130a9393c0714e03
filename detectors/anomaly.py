"""The anomaly family: how far out of its peers' distribution an account sits.

A histogram-based outlier score (HBOS, Goldstein and Dengel 2012) against the
peer baseline's mergeable histograms: for each feature, the share of the
tier's accounts at or above the account's value; the rarer the tail, the more
it adds. The baseline learns only from accounts the detectors did not find
suspect, so a campaign's accounts sit in the tails of what honest traffic
does, whichever words, lengths or pacing they chose. Because the histograms
merge across workers and are read as of a complete epoch, every worker gives
the same score. Until a tier has enough accounts, the family says nothing.

>>> from detectors.baseline import PeerBaseline
>>> baseline = PeerBaseline(min_accounts=50)
>>> for i in range(200):
...     baseline.learn_one({"requests": 200.0, "long_share": 0.05 * (i % 5),
...                         "completion_mean": 200.0 + i})
>>> family = AnomalyEvidence(baseline)
>>> x = {"requests": 300.0, "long_share": 0.95, "completion_mean": 1800.0}
>>> round(family.score_one(x), 2), family.score_one({**x, "long_share": 0.1,
...                                                   "completion_mean": 250.0})
(1.67, 0.0)
"""

from __future__ import annotations

import math

from detectors.base import Evidence, Signal, log_ramp, ramp, strongest_first
from detectors.baseline import PeerBaseline

# Features whose upper tail is suspect, whichever the wording.
FEATURES: tuple[str, ...] = (
    "long_share", "harvest_share", "elicit_share", "grade_share", "probe_share",
    "completion_mean", "completion_ratio", "template_repeat", "distinct_prompt_share",
    "single_turn_share", "near_max_share", "reasoning_mean", "focus_share",
)  # fmt: skip


class AnomalyEvidence(Evidence):
    family = "anomaly"

    def __init__(
        self, baseline: PeerBaseline | None = None, weight: float = 2.5, top: int = 4
    ) -> None:
        self.baseline = baseline
        self.weight = weight
        self.top = top

    def surprise(self, x: dict[str, float]) -> list[tuple[float, str]]:
        """Per feature, -log10 of the tier's tail share above the account's value, beyond
        the top tenth (a value the top tenth shares is no surprise)."""
        if self.baseline is None:
            return []
        found = []
        for feature in FEATURES:
            value = x.get(feature)
            if value is None or value <= 0:
                continue
            tail = self.baseline.tail(x, feature, value)
            if tail is None:
                return []
            found.append((max(0.0, -math.log10(max(tail, 1e-4)) - 1.0), feature))
        return sorted(found, reverse=True)[: self.top]

    def explain_one(self, x: dict[str, float]) -> list[Signal]:
        volume = log_ramp(x.get("requests", 0.0), 10.0, 100.0)
        if volume <= 0:  # too few requests to be unusual: skip reading the peers
            return []
        surprises = self.surprise(x)
        total = sum(s for s, _ in surprises)
        strength = ramp(total, 2.0, 8.0) * volume
        if strength <= 0:
            return []
        # The weight is shared out among the features that made it, by their surprise.
        return strongest_first(
            [
                Signal(f"outlier_{feature}", self.weight * strength * s / total,
                       x.get(feature, 0.0), feature)
                for s, feature in surprises
                if s > 0
            ]
        )  # fmt: skip
