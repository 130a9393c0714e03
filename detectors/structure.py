"""The structure family: prompt skeletons, within an account and across accounts.

A harvesting script fills a few templates with many different payloads: a
*sweep* (few skeletons, nearly every prompt new), one turn at a time, often
drilling one capability (mathematics, code). Honest batch jobs are templated
too (classification, summarisation), but what they take away is a label or a
summary; so every structure signal is scaled by the value of the answers
(``answer_value``: long answers, reasoning asked for, grades, probes), and
never by a phrase list. Across accounts, many accounts filling the *same*
skeleton for valuable answers is a farm's script, above all when they are
young and even in volume.

>>> family = StructureEvidence()
>>> x = {"requests": 300.0, "template_repeat": 0.97, "distinct_prompt_share": 0.95,
...      "long_share": 0.9, "single_turn_share": 1.0, "focus_share": 0.9}
>>> round(family.score_one(x), 2), [s.reason for s in family.explain_one(x)]
(4.0, ['skeleton_sweep', 'capability_focus', 'single_turn_only'])
>>> family.score_one({**x, "long_share": 0.0})
0.0
"""

from __future__ import annotations

import math

from detectors.base import Evidence, Signal, log_ramp, ramp, strongest_first
from detectors.groups import (
    SKELETON_ONCE,
    YOUNG_DAYS,
    firm_members,
    group_intensity,
    public,
    taking_turns,
)


def answer_value(x: dict[str, float]) -> float:
    """How much the account's answers are worth taking (0..1), whatever the wording: long
    answers, reasoning asked for, grades, probes."""
    return max(
        ramp(x.get("long_share", 0.0), 0.2, 0.7),
        ramp(x.get("elicit_share", 0.0), 0.2, 0.7),
        ramp(x.get("grade_share", 0.0), 0.3, 0.8),
        ramp(x.get("probe_share", 0.0), 0.1, 0.4),
    )


class StructureEvidence(Evidence):
    family = "structure"

    def __init__(
        self, sweep_weight: float = 2.5, shared_weight: float = 5.0, cap: float = 8.0
    ) -> None:
        self.sweep_weight = sweep_weight
        self.shared_weight = shared_weight
        self.cap = cap

    def explain_one(self, x: dict[str, float]) -> list[Signal]:
        requests = x.get("requests", 0.0)
        value = answer_value(x)
        volume = log_ramp(requests, 10.0, 150.0)
        repeat = max(x.get("template_repeat", 0.0), x.get("top_skeleton_share", 0.0))
        variety = x.get("distinct_prompt_share", 0.0)
        sweep = ramp(repeat, 0.5, 0.9) * ramp(variety, 0.5, 0.9)
        focus = x.get("focus_share", 0.0)
        single = x.get("single_turn_share", 0.0)
        signals = [
            Signal("skeleton_sweep", self.sweep_weight * sweep * value * volume, repeat,
                   "template_repeat"),
            Signal("capability_focus", 1.0 * ramp(focus, 0.6, 0.9) * value * volume, focus,
                   "focus_share"),
            Signal("single_turn_only", 0.5 * ramp(single, 0.8, 0.98) * value * volume, single,
                   "single_turn_share"),
        ]  # fmt: skip
        members = firm_members(x, "skeleton")
        if members >= 2 and not x.get(SKELETON_ONCE):
            # A young crowd filling the skeleton says most against a member like them: an
            # established customer whose template new accounts fill too is no part of it
            # unless it takes turns with them; a template dozens of established customers
            # fill (a public benchmark's) says little else.
            age = x.get("account_age_days", -1.0)
            like = 1.0 - ramp(age, *YOUNG_DAYS) if age >= 0 else 1.0
            young = ramp(x.get("skeleton_young", 0.0), 0.25, 0.6) * like
            even = taking_turns(x, "skeleton")
            shared = (
                ramp(math.log(members), math.log(2.0), math.log(30.0))
                * group_intensity(x, "skeleton")
                * (0.4 * (1.0 - public(x, "skeleton")) + 0.6 * max(young, even))
                * max(value, 0.3)
            )
            signals.append(Signal("shared_skeleton", self.shared_weight * shared, members, ""))
        total = sum(s.weight for s in signals)
        if total > self.cap:
            signals = [s._replace(weight=s.weight * self.cap / total) for s in signals]
        return strongest_first(signals)
