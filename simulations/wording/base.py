"""What a wording family is: grammar rules, prompt kinds and answer lengths of its own.

A family rewrites what each persona and campaign says (the instruction, where it sits,
its register) and leaves what is asked about (the problems, tickets, reviews of the
shared lexicon) as it is. Its rule names carry the family's prefix, so that a family
adds symbols to the shared grammar and never replaces one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from simulations.grammar import Alternatives

# A prompt kind's texts: (templates, system prompts, follow-ups); "" as a system: none.
KindText = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def split(text: str) -> list[str]:
    """``|``-separated alternatives, stripped (the lexicon's dense list style)."""
    return [part.strip() for part in text.split("|") if part.strip()]


@dataclass(frozen=True)
class WordingFamily:
    """One independent way of phrasing every request that asks for reasoning or grading.

    ``answer_tokens`` maps a parametric token source of the campaigns (``harvest``,
    ``rubric``) to the (median, sigma) of a lognormal length of the visible answer: a
    family asks for shorter or longer answers than the default wording does.
    """

    name: str
    summary: str
    prefix: str
    rules: Mapping[str, Alternatives]
    kinds: Mapping[str, KindText]
    answer_tokens: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        foreign = [r for r in self.rules if not r.startswith(self.prefix)]
        if foreign:
            raise ValueError(f"wording {self.name}: rules without the prefix {self.prefix!r}: "
                             f"{foreign}")  # fmt: skip
