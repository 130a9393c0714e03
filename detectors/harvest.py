"""The harvest detector: evidence that an account (or a linked group) is collecting outputs.

Harvesting is about volume of valuable answers: reasoning traces, grades,
probabilities. Each signal below weighs two things, how much of the traffic is
of that kind (a share, shrunk towards zero while there are few requests, so
three requests cannot look like a campaign) and how much of it there is (a
count on a log scale). Context signals (many languages, a new account, traffic
moved onto a model released hours ago, single-turn requests) only amplify
content evidence: a new account or a polyglot chat app is not suspect by itself.

Signals add log-odds; the score is their logistic. Thresholds on shares start
from fixed floors and rise with what the account's peers do (twice the volume
tier's median in :class:`~detectors.baseline.PeerBaseline`): a population of
honest step-by-step tutoring raises its own bar.

>>> scorer = HarvestScorer()
>>> x = {"requests": 400.0, "trace_count": 120.0, "harvest_count": 300.0,
...      "single_turn_share": 1.0, "account_age_days": 90.0, "rate_1h": 4.0}
>>> round(scorer.score_one(x), 2), scorer.assess(x).reasons[:2]
(1.0, ['reasoning_trace_harvest', 'reasoning_harvest'])
>>> round(scorer.score_one({**x, "trace_count": 0.0, "harvest_count": 100.0}), 3)
0.018
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from detectors.baseline import PeerBaseline

# Requests of pseudo-evidence towards "none of this kind": a share needs volume to count.
PRIOR_REQUESTS = 10.0
# The logistic's offset: content evidence alone must be strong to reach review (0.8).
BIAS = 4.0
_LOG_60, _LOG_600 = math.log1p(60.0), math.log1p(600.0)


class Kind(NamedTuple):
    """One kind of harvesting traffic: the count feature, share and volume ramps, weight."""

    reason: str
    feature: str  # the count it reads
    share_floor: float
    share_full: float
    volume_floor: float
    volume_full: float
    weight: float


KINDS: tuple[Kind, ...] = (
    # The model's full reasoning trace demanded and a long answer taken away: the
    # distillation corpus itself, in the words public reports quote.
    Kind("reasoning_trace_harvest", "trace_count", 0.03, 0.12, 1.0, 15.0, 7.0),
    # Reasoning asked for in any words, with a long answer: honest tutoring does it too,
    # so only a large share counts.
    Kind("reasoning_harvest", "harvest_count", 0.3, 0.8, 3.0, 40.0, 4.0),
    # Grades, scores and pairwise judgements: cheap per request, valuable by the thousand.
    Kind("rubric_volume", "rubric_count", 0.6, 0.95, 20.0, 100.0, 6.5),
    # One-token completions under a large logit_bias: output-projection extraction.
    Kind("logit_probing", "probe_count", 0.1, 0.5, 10.0, 200.0, 9.0),
)


# What a benchmark harness's traffic also shows (see context_signals).
BENCHMARK_LIKE = frozenset({"reasoning_trace_harvest", "reasoning_harvest", "rubric_volume"})


_WEIGHTS = {kind.reason: kind.weight for kind in KINDS}
_FEATURES = tuple(kind.feature for kind in KINDS)


class Signal(NamedTuple):
    reason: str
    weight: float  # log-odds it added
    value: float  # the feature value it read


class Assessment(NamedTuple):
    score: float
    signals: list[Signal]  # most important first

    @property
    def reasons(self) -> list[str]:
        return [s.reason for s in self.signals]


def ramp(value: float, floor: float, full: float) -> float:
    """0 at ``floor``, 1 at ``full``, linear between."""
    if value <= floor:
        return 0.0
    return 1.0 if value >= full else (value - floor) / (full - floor)


def log_ramp(value: float, floor: float, full: float) -> float:
    return ramp(math.log1p(value), math.log1p(floor), math.log1p(full))


def logistic(log_odds: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, log_odds))))


def content_signals(
    requests: float, counts: dict[str, float], floors: dict[str, float] | None = None
) -> list[Signal]:
    """Evidence from what was asked, for an account or for a group's summed traffic."""
    return kind_signals(requests, [counts.get(kind.feature, 0.0) for kind in KINDS], floors)


# Per kind, the log1p of its volume ramp's ends, worked out once rather than at every scoring.
_VOLUME_RAMPS = tuple((math.log1p(k.volume_floor), math.log1p(k.volume_full)) for k in KINDS)
# Each kind's share ramp when no peer floor raises it (a group's traffic).
_SHARE_RAMPS = tuple((k.share_floor, max(k.share_full, k.share_floor + 0.1)) for k in KINDS)


def kind_signals(
    requests: float, counts: Sequence[float], floors: dict[str, float] | None = None
) -> list[Signal]:
    """:func:`content_signals` on the count of each kind, in the order of ``KINDS``."""
    signals = []
    for kind, count, (share_floor, share_full), (log_floor, log_full) in zip(
        KINDS, counts, _SHARE_RAMPS, _VOLUME_RAMPS, strict=True
    ):
        if count <= 0:
            continue
        share = count / (requests + PRIOR_REQUESTS)
        if floors:
            share_floor = max(kind.share_floor, floors.get(kind.feature, 0.0))
            share_full = max(kind.share_full, share_floor + 0.1)
        by_share = ramp(share, share_floor, share_full)
        if by_share <= 0:
            continue
        strength = by_share * ramp(math.log1p(count), log_floor, log_full)
        if strength > 0:
            signals.append(Signal(kind.reason, kind.weight * strength, share))
    return signals


def context_signals(x: dict[str, float], strength: float) -> list[Signal]:
    """Amplifiers of content evidence: each is innocent alone."""
    if strength <= 0:
        return []
    age = x.get("account_age_days", -1.0)
    languages = x.get("cot_languages", 0.0)
    new_model = x.get("new_model_share", 0.0)
    single_turn = x.get("single_turn_share", 0.0)
    rate = x.get("rate_1h", 0.0)
    found = (
        ("many_languages", 2.5 * ramp(languages, 2.0, 4.0), languages),
        ("new_account", 1.5 * (1.0 - ramp(age, 3.0, 30.0)) if age >= 0 else 0.0, age),
        ("new_model_pivot", 1.5 * ramp(new_model, 0.3, 0.7), new_model),
        ("single_turn", 0.5 * ramp(single_turn, 0.5, 0.9), single_turn),
        # Rate alone flags nobody; harvesting-like traffic at hundreds an hour is worse.
        ("high_rate", 1.5 * ramp(rate, _LOG_60, _LOG_600), rate),
    )
    return [
        Signal(reason, weight * strength, value) for reason, weight, value in found if weight > 0
    ]


def benchmark_discount(x: dict[str, float], content: list[Signal]) -> list[Signal]:
    """Benchmark harnesses decode reproducibly (temperature 0, a fixed seed) and ask for
    reasoning and grades by the thousand: the honest heavy customer most like a
    harvester. Their reasoning and grading evidence is discounted by up to 80 %; probing
    is not, nor is a linked group's evidence, so a harvester who learns this still meets
    linkage and the rest."""
    reproducible = x.get("reproducible_share", 0.0)
    share = 0.8 * ramp(reproducible, 0.2, 0.5)
    weight = share * sum(s.weight for s in content if s.reason in BENCHMARK_LIKE)
    return [Signal("reproducible_benchmark", -weight, reproducible)] if weight > 0 else []


class HarvestScorer:
    """River-style detector: ``score_one`` (higher = more anomalous) and ``learn_one``.

    ``learn_one`` feeds the peer baseline, and only with accounts that do not look
    like harvesting (scored below ``protect_above``), so campaigns cannot raise the bar.
    """

    def __init__(self, baseline: PeerBaseline | None = None, protect_above: float = 0.5) -> None:
        self.baseline = baseline if baseline is not None else PeerBaseline()
        self.protect_above = protect_above
        # The assessment of an account with no harvesting traffic of any kind.
        self.quiet = Assessment(logistic(-BIAS), [])

    def assess(self, x: dict[str, float], extra: list[Signal] | None = None) -> Assessment:
        """Score and signals of one vector; ``extra`` adds evidence from outside (linkage)."""
        floors = self.baseline.share_floors(x)
        content = kind_signals(x.get("requests", 0.0), [x.get(f, 0.0) for f in _FEATURES], floors)
        strength = min(1.0, max((s.weight / _WEIGHTS[s.reason] for s in content), default=0.0))
        signals = content + context_signals(x, strength) + benchmark_discount(x, content)
        signals += extra or []
        log_odds = sum(s.weight for s in signals)
        signals.sort(key=lambda s: abs(s.weight), reverse=True)
        return Assessment(logistic(log_odds - BIAS), signals)

    def score_one(self, x: dict[str, float]) -> float:
        return self.assess(x).score

    def learn_one(self, x: dict[str, float], score: float | None = None) -> None:
        if (self.score_one(x) if score is None else score) < self.protect_above:
            self.baseline.learn_one(x)


# The feature each reason code reads, for explanations against the peer baseline.
SIGNAL_FEATURES = {
    **{kind.reason: kind.feature for kind in KINDS},
    "many_languages": "cot_languages",
    "new_account": "account_age_days",
    "new_model_pivot": "new_model_share",
    "single_turn": "single_turn_share",
    "high_rate": "rate_1h",
}
