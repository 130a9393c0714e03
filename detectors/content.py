"""The content family: what the prompts ask for, and how much of it was taken away.

Each kind of harvesting traffic weighs two things: how much of the account's day
is of that kind (a share, shrunk towards zero while there are few requests, so
three requests cannot look like a campaign) and how much of it there is (a
count on a log scale). The counts are continuous: a reasoning request weighs by
how strongly it asks (phrases or cue stems) times how long its answer was, so a
campaign that rewords its requests or caps its answers a little scores a little
lower instead of vanishing. Thresholds on shares rise to twice the tier's
median when peers do more of it (honest tutoring raises its own bar), and the
count from which a kind says anything rises, for an established account, to what
the busiest established customers send of it (graders grade by the hundred:
``PeerBaseline.common``); three times that counts in full.
Amplifiers (many languages, a new account, a new model, single turns, a high
rate) scale with the strength of the content evidence itself.

>>> family = ContentEvidence()
>>> x = {"requests": 400.0, "trace_count": 200.0, "harvest_count": 380.0,
...      "single_turn_share": 1.0, "account_age_days": 90.0, "rate_1h": 4.0}
>>> round(family.score_one(x), 1), [s.reason for s in family.explain_one(x)][:2]
(11.0, ['reasoning_harvest', 'reasoning_trace_harvest'])
>>> family.score_one({"requests": 400.0, "harvest_count": 100.0})
0.0
"""

from __future__ import annotations

import math
from typing import NamedTuple

from detectors.base import Evidence, Signal, established_share, log_ramp, ramp, strongest_first
from detectors.baseline import PeerBaseline

_LOG_60, _LOG_600 = math.log1p(60.0), math.log1p(600.0)


class Kind(NamedTuple):
    """One kind of harvesting traffic: the count it reads, share and volume ramps, weight."""

    reason: str
    feature: str
    share_floor: float
    share_full: float
    volume_floor: float
    volume_full: float
    weight: float
    floor_feature: str  # the baseline share whose tier median raises the floor
    bare: float = 1.0  # what the kind keeps of its weight when its answers are bare scores


# Answers (mean tokens) from which a grade is bare, and from which it carries its reasons.
GRADE_REASONS = (150.0, 600.0)

KINDS: tuple[Kind, ...] = (
    # The model's whole reasoning trace demanded and a long answer taken away: the
    # distillation corpus itself.
    Kind("reasoning_trace_harvest", "trace_count", 0.15, 0.5, 3.0, 30.0, 3.0, "trace_share"),
    # Reasoning asked for in any words, with a long answer: honest tutoring does it too,
    # so only a large share counts.
    Kind("reasoning_harvest", "harvest_count", 0.5, 0.9, 5.0, 60.0, 6.0, "harvest_share"),
    # Reasoning answers by the hundred, even when ordinary chat is mixed in to dilute them.
    Kind("reasoning_volume", "harvest_count", 0.15, 0.4, 100.0, 2000.0, 5.0, "harvest_share"),
    # Grades, scores and pairwise judgements by the thousand, above all with their reasons:
    # the reasoned judgement is a reward model's or a judge's training example, while the
    # bare score is what every honest LLM-as-judge pipeline takes by the thousand too.
    Kind("rubric_volume", "grade_count", 0.6, 0.95, 20.0, 100.0, 8.0, "grade_share", 0.5),
    # Tiny completions under a large logit_bias: output-projection extraction.
    Kind("logit_probing", "probe_count", 0.1, 0.5, 10.0, 200.0, 11.0, "probe_share"),
)
# What a benchmark harness's traffic also shows.
BENCHMARK_LIKE = frozenset(
    {"reasoning_trace_harvest", "reasoning_harvest", "reasoning_volume", "rubric_volume"}
)


class ContentEvidence(Evidence):
    family = "content"

    def __init__(
        self,
        baseline: PeerBaseline | None = None,
        prior_requests: float = 10.0,
        reproducible_discount: float = 0.4,
        cap: float = 11.0,
        established_days: tuple[float, float] = (30.0, 90.0),
        common_span: float = 3.0,
    ) -> None:
        self.baseline = baseline
        self.prior_requests = prior_requests
        self.reproducible_discount = reproducible_discount
        self.cap = cap
        self.established_days = established_days
        self.common_span = common_span

    def volume(self, kind: Kind, count: float, established: float) -> float:
        """How much ``count`` requests of a kind weigh (0..1): on the kind's ramp, moved up to
        start where the busiest established customers are (their 99th percentile) when they
        send it by the hundred too. Where honest graders, harnesses or researchers do, only
        more than they send says harvesting, of an account as ``established`` (0..1) as they
        are: a new one sending that much is not one of them."""
        low, high = kind.volume_floor, kind.volume_full
        if self.baseline is not None:
            low, high = self.baseline.common_ramp(kind.feature, low, high, established,
                                                  self.common_span)  # fmt: skip
        return log_ramp(count, low, high)

    def kinds(self, x: dict[str, float]) -> list[Signal]:
        """Evidence of each kind of harvesting traffic in ``x``."""
        requests = x.get("requests", 0.0)
        established = established_share(x, self.established_days)
        floors = self.baseline.share_floors(x) if self.baseline is not None else {}
        found = []
        for kind in KINDS:
            count = x.get(kind.feature, 0.0)
            if count <= 0:
                continue
            share = count / (requests + self.prior_requests)
            floor = max(kind.share_floor, floors.get(kind.floor_feature, 0.0))
            full = max(kind.share_full, floor + 0.1)
            strength = ramp(share, floor, full) * self.volume(kind, count, established)
            if kind.bare < 1.0:
                reasons = ramp(x.get("completion_mean", 0.0), *GRADE_REASONS)
                strength *= kind.bare + (1.0 - kind.bare) * reasons
            if strength > 0:
                found.append(Signal(kind.reason, kind.weight * strength, share, kind.floor_feature))
        return found

    def explain_one(self, x: dict[str, float]) -> list[Signal]:
        kinds = self.kinds(x)
        if not kinds:
            return []
        strength = min(1.0, max(s.weight / _WEIGHTS[s.reason] for s in kinds))
        age = x.get("account_age_days", -1.0)
        amplifiers = (
            ("many_languages", 2.5 * ramp(x.get("cot_languages", 0.0), 2.0, 4.0),
             x.get("cot_languages", 0.0), "cot_languages"),
            ("new_account", 1.5 * (1.0 - ramp(age, 3.0, 30.0)) if age >= 0 else 0.0, age,
             "account_age_days"),
            ("new_model_pivot", 1.5 * ramp(x.get("new_model_share", 0.0), 0.3, 0.7),
             x.get("new_model_share", 0.0), "new_model_share"),
            ("single_turn", 0.5 * ramp(x.get("single_turn_share", 0.0), 0.5, 0.9),
             x.get("single_turn_share", 0.0), "single_turn_share"),
            # Rate alone flags nobody; harvesting-like traffic at hundreds an hour is worse.
            ("high_rate", 1.5 * ramp(x.get("rate_1h", 0.0), _LOG_60, _LOG_600),
             x.get("rate_1h", 0.0), "rate_1h"),
        )  # fmt: skip
        signals = kinds + [
            Signal(reason, weight * strength, value, feature)
            for reason, weight, value, feature in amplifiers
            if weight > 0
        ]
        # Benchmark harnesses decode reproducibly (temperature 0, a fixed seed): a
        # discount, never more than part of this family, since any campaign can set it.
        reproducible = x.get("reproducible_share", 0.0)
        discount = self.reproducible_discount * ramp(reproducible, 0.2, 0.5)
        benchmark = sum(s.weight for s in kinds if s.reason in BENCHMARK_LIKE) * discount
        if benchmark > 0:
            signals.append(
                Signal("reproducible_benchmark", -benchmark, reproducible, "reproducible_share")
            )
        total = sum(s.weight for s in signals)
        if total > self.cap:
            signals = [s._replace(weight=s.weight * self.cap / total) for s in signals]
        return strongest_first(signals)


_WEIGHTS = {kind.reason: kind.weight for kind in KINDS}
