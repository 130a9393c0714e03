"""The economics family: how much output the account takes away, against its peers.

Distillation needs many long answers; its accounts take far more output per
request, and more of it cut at ``max_tokens``, than other accounts of the same
volume tier. Every signal is continuous and peer-relative where the tier's
histograms are known (its median and 99th percentile), with fixed ramps until
then. Heavy honest customers are compared with heavy customers, and the tokens an
established account takes a day with what the busiest established customers take
(``PeerBaseline.common``): harnesses and synthetic-data teams set that bar.

>>> family = EconomicsEvidence()
>>> x = {"requests": 400.0, "long_share": 0.95, "completion_mean": 1500.0,
...      "completion_ratio": 6.0, "near_max_share": 0.6, "completion_day": 600000.0}
>>> round(family.score_one(x), 2)
5.04
>>> family.score_one({"requests": 400.0, "long_share": 0.1, "completion_mean": 90.0})
0.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from detectors.base import Evidence, Signal, established_share, log_ramp, ramp, strongest_first
from detectors.baseline import PeerBaseline


class EconomicsEvidence(Evidence):
    family = "economics"

    def __init__(
        self,
        baseline: PeerBaseline | None = None,
        cap: float = 6.0,
        established_days: tuple[float, float] = (30.0, 90.0),
        common_span: float = 3.0,
    ) -> None:
        self.baseline = baseline
        self.cap = cap
        self.established_days = established_days
        self.common_span = common_span

    def _bounds(
        self, x: Mapping[str, float], feature: str, floor: float, full: float
    ) -> tuple[float, float]:
        """A ramp from ``floor`` to ``full``, raised to the tier's p99 where peers go further."""
        peer = self.baseline.peer(x, feature) if self.baseline is not None else None
        if peer is None:
            return floor, full
        low = max(floor, peer.p99)
        return low, max(full, low * 1.5 if low > 0 else full)

    def explain_one(self, x: dict[str, float]) -> list[Signal]:
        requests = x.get("requests", 0.0)
        volume = log_ramp(requests, 10.0, 200.0)
        if volume <= 0:
            return []
        long_share = x.get("long_share", 0.0)
        mean = x.get("completion_mean", 0.0)
        ratio = x.get("completion_ratio", 0.0)
        near_max = x.get("near_max_share", 0.0)
        reasoning = x.get("reasoning_mean", 0.0)
        tokens = x.get("completion_day", 0.0)
        past_first_turn = 1.0 - x.get("single_turn_share", 1.0)
        lo, hi = self._bounds(x, "long_share", 0.5, 0.9)
        mlo, mhi = self._bounds(x, "completion_mean", 600.0, 1500.0)
        rlo, rhi = self._bounds(x, "completion_ratio", 2.0, 8.0)
        tlo, thi = self._bounds(x, "completion_day", 50_000.0, 500_000.0)
        if self.baseline is not None:
            # Past what the busiest established customers take (harnesses, synthetic-data
            # teams), for an account as established as they are.
            established = established_share(x, self.established_days)
            tlo, thi = self.baseline.common_ramp("completion_day", tlo, thi, established,
                                                 self.common_span)  # fmt: skip
        signals = [
            Signal("long_answers", 1.5 * ramp(long_share, lo, hi) * volume, long_share,
                   "long_share"),
            Signal("answer_length", 1.0 * ramp(mean, mlo, mhi) * volume, mean,
                   "completion_mean"),
            Signal("output_per_input", 0.75 * ramp(math.log(ratio + 1e-9), math.log(rlo),
                                                   math.log(rhi)) * volume, ratio,
                   "completion_ratio"),
            Signal("answers_at_max_tokens", 0.75 * ramp(near_max, 0.3, 0.8) * volume, near_max,
                   "near_max_share"),
            Signal("reasoning_tokens", 0.5 * ramp(reasoning, 500.0, 2000.0) * volume, reasoning,
                   "reasoning_mean"),
            Signal("tokens_served", 1.5 * ramp(math.log1p(tokens), math.log1p(tlo),
                                               math.log1p(thi)), tokens, "completion_day"),
            # A conversation carries its history as input: turns whose answers outweigh
            # their prompts are claimed, not held, and sending the history back costs more
            # with every turn.
            Signal("turns_without_history", 1.5 * ramp(ratio, 1.0, 3.0)
                   * ramp(past_first_turn, 0.5, 0.8)
                   * ramp(long_share, 0.3, 0.7) * volume, ratio, "completion_ratio"),
        ]  # fmt: skip
        total = sum(s.weight for s in signals)
        if total > self.cap:
            signals = [s._replace(weight=s.weight * self.cap / total) for s in signals]
        return strongest_first(signals)
