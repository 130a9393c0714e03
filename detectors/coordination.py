"""The coordination family: pacing that differs from product traffic, and accounts in step.

Scripts send at machine-regular intervals; product traffic arrives in bursts
and lulls (its inter-arrival times spread wide). Members of a farm take turns:
each sends about as much as the others, so the group's volumes are even. Both
are hints, not verdicts (pacing is cheap to randomise), so the family's weight
is small and, like structure, scaled by what the answers are worth.

>>> family = CoordinationEvidence()
>>> x = {"requests": 500.0, "gap_cv": 0.1, "long_share": 0.9,
...      "network_members": 40.0, "network_evenness": 0.95, "network_requests": 8000.0,
...      "network_harvest": 6000.0}
>>> round(family.score_one(x), 2)
3.5
"""

from __future__ import annotations

import math

from detectors.base import Evidence, Signal, log_ramp, ramp, strongest_first
from detectors.groups import KINDS, SKELETON_ONCE, firm_members, group_intensity, taking_turns
from detectors.structure import answer_value


class CoordinationEvidence(Evidence):
    family = "coordination"

    def __init__(self, pacing_weight: float = 1.5, turns_weight: float = 2.0) -> None:
        self.pacing_weight = pacing_weight
        self.turns_weight = turns_weight

    def explain_one(self, x: dict[str, float]) -> list[Signal]:
        value = answer_value(x)
        requests = x.get("requests", 0.0)
        cv = x.get("gap_cv", 0.0)
        regular = (1.0 - ramp(cv, 0.2, 0.6)) * log_ramp(requests, 30.0, 300.0) if cv > 0 else 0.0
        signals = [Signal("machine_pacing", self.pacing_weight * regular * value, cv, "gap_cv")]
        best, best_kind = 0.0, ""
        for kind in KINDS:
            members = firm_members(x, kind)
            if members < 3 or (kind == "skeleton" and x.get(SKELETON_ONCE)):
                continue
            turns = (
                taking_turns(x, kind)
                * ramp(math.log(members), math.log(3.0), math.log(30.0))
                * group_intensity(x, kind)
            )
            if turns > best:
                best, best_kind = turns, kind
        if best > 0:
            members = firm_members(x, best_kind)
            signals.append(Signal(f"taking_turns_{best_kind}", self.turns_weight * best, members))
        return strongest_first(signals)
