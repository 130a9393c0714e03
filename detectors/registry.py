"""Every evidence family's detector, by name, and the scorer that adds them up.

No family gates another: the account's log-odds are the sum of each family's,
less a bias, and the score is their logistic. A family switched off (an
ablation) adds nothing. Strong evidence of one family alone is enough to reach
a verdict; weaker evidence needs another family beside it.

>>> scorer = Scorer(build())
>>> x = {"requests": 400.0, "trace_count": 200.0, "harvest_count": 380.0,
...      "long_share": 0.95, "completion_mean": 1600.0, "single_turn_share": 1.0,
...      "template_repeat": 0.95, "distinct_prompt_share": 0.98, "account_age_days": 90.0}
>>> assessment = scorer.assess(x)
>>> round(assessment.score, 3), assessment.drivers
(1.0, ['content', 'structure', 'economics'])
>>> scorer.assess({**x, "trace_count": 0.0, "harvest_count": 0.0}).score < 0.8
True
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import NamedTuple

from detectors.anomaly import FEATURES as ANOMALY_FEATURES
from detectors.anomaly import AnomalyEvidence
from detectors.base import Detector, Signal, logistic
from detectors.baseline import PeerBaseline
from detectors.content import ContentEvidence
from detectors.coordination import CoordinationEvidence
from detectors.economics import EconomicsEvidence
from detectors.families import FAMILIES
from detectors.farm import KIND_WEIGHTS, FarmEvidence
from detectors.groups import KINDS
from detectors.structure import StructureEvidence

# The logistic's offset: no account is suspect until evidence adds up to more than this.
BIAS = 8.0
# A family drives a verdict when it adds at least this much log-odds.
DRIVING = 0.5

REGISTRY: dict[str, Callable[[PeerBaseline | None], Detector]] = {
    "content": lambda baseline: ContentEvidence(baseline),
    "structure": lambda baseline: StructureEvidence(),
    "economics": lambda baseline: EconomicsEvidence(baseline),
    "farm": lambda baseline: FarmEvidence(),
    "coordination": lambda baseline: CoordinationEvidence(),
    "anomaly": lambda baseline: AnomalyEvidence(baseline),
}
assert tuple(REGISTRY) == FAMILIES


# The family of every reason code a verdict may carry (a contract test checks each signal).
_REASONS = {
    "content": ("reasoning_trace_harvest", "reasoning_harvest", "reasoning_volume", "rubric_volume",
                "logit_probing", "many_languages", "new_account", "new_model_pivot",
                "single_turn", "high_rate", "reproducible_benchmark"),
    "structure": ("skeleton_sweep", "capability_focus", "single_turn_only", "shared_skeleton"),
    "economics": ("long_answers", "answer_length", "output_per_input", "answers_at_max_tokens",
                  "reasoning_tokens", "tokens_served", "turns_without_history"),
    "coordination": ("machine_pacing", *(f"taking_turns_{kind}" for kind in KINDS)),
    "farm": ("farm_corroborated", "farm_flagged_card", *(f"farm_{kind}" for kind in KIND_WEIGHTS)),
    "anomaly": tuple(f"outlier_{feature}" for feature in ANOMALY_FEATURES),
}  # fmt: skip
REASON_FAMILIES = {reason: family for family, reasons in _REASONS.items() for reason in reasons}


def family_of(reason: str) -> str | None:
    """The evidence family a reason code belongs to (None for one no detector emits)."""
    return REASON_FAMILIES.get(reason)


def build(baseline: PeerBaseline | None = None, disabled: Collection[str] = ()) -> list[Detector]:
    """One detector per family that is not switched off, sharing one peer baseline."""
    return [make(baseline) for family, make in REGISTRY.items() if family not in disabled]


class Assessment(NamedTuple):
    score: float
    signals: list[Signal]  # every family's, strongest first
    families: dict[str, float]  # log-odds per family

    @property
    def reasons(self) -> list[str]:
        return [s.reason for s in self.signals if s.weight > 0]

    @property
    def drivers(self) -> list[str]:
        """The families that drove the score, strongest first."""
        ranked = sorted(self.families.items(), key=lambda item: -item[1])
        return [family for family, log_odds in ranked if log_odds >= DRIVING]


class Scorer:
    """The families together: ``assess`` explains, ``score_one`` is river's protocol."""

    def __init__(self, detectors: list[Detector], bias: float = BIAS) -> None:
        self.detectors = detectors
        self.bias = bias
        self.floor = Assessment(logistic(-bias), [], {})

    def assess(self, x: dict[str, float]) -> Assessment:
        signals: list[Signal] = []
        families: dict[str, float] = {}
        for detector in self.detectors:
            found = detector.explain_one(x)
            if found:
                families[detector.family] = sum(s.weight for s in found)
                signals += [s._replace(family=detector.family) for s in found]
        if not signals:
            return self.floor
        signals.sort(key=lambda s: -abs(s.weight))
        return Assessment(logistic(sum(families.values()) - self.bias), signals, families)

    def score_one(self, x: dict[str, float]) -> float:
        return self.assess(x).score
