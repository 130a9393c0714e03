"""Wording families: independent ways of phrasing every request that asks for reasoning,
grading or explanations, for benign personas and campaigns alike.

``default`` is the shared lexicon (``simulations/lexicon.py``, ``i18n.py``, ``prompts.py``).
The held-out families were written from how tutors, evaluation harnesses, support desks
and prompt engineers phrase requests, not from any detector's phrase lists, and no module
of ``detectors/`` or ``service/`` imports them (``tests/test_wording.py`` checks), so
that detection measured on them is measured on wording it was not written from.

A scenario selects one with ``"wording": NAME`` (``harvestguard evaluate --matrix`` runs
each as the ``reworded-NAME`` evasion).
"""

from __future__ import annotations

from simulations.wording import brief, prose, spec, terse
from simulations.wording.base import KindText, WordingFamily

DEFAULT = "default"
FAMILIES: dict[str, WordingFamily] = {
    f.name: f for f in (spec.FAMILY, prose.FAMILY, brief.FAMILY, terse.FAMILY)
}
HELD_OUT = tuple(FAMILIES)
NAMES = (DEFAULT, *HELD_OUT)


def family(name: str) -> WordingFamily:
    """A held-out family by name (``default`` has no family object: it is the lexicon)."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise KeyError(f"unknown wording {name!r}; known: {', '.join(NAMES)}") from None


__all__ = ["DEFAULT", "FAMILIES", "HELD_OUT", "NAMES", "KindText", "WordingFamily", "family"]
