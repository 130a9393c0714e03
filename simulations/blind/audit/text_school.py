"""Text of school traffic: homework help in several languages, and a class exercise.

Homework helpers are among the largest honest users of step-by-step explanations, in
the students' own languages; their wording is the student's, not an instruction set.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import problems
from .rand import pick
from .text_i18n import TUTOR_LEADS, WORD_PROBLEMS

Gen = np.random.Generator
_p = pick


FOLLOW = (
    "i still dont get step 2",
    "why do we divide there?",
    "ok I got 14, is that right?",
    "can you show another example",
    "what formula is that",
    "so the answer is x = 3?",
)
LEADS = (
    "I don't understand how to do this:",
    "Homework question:",
    "can u explain",
    "Help me with this please",
    "Stuck on this one -",
)


def tutoring(
    rng: Gen, subject_mix: Mapping[str, float], turn: int, lang: str = "en"
) -> tuple[str, str]:
    """A student's message; outside English mostly in the student's own language."""
    system = (
        "You are a patient tutor for secondary-school students. Guide the student one step"
        " at a time, ask a question back when useful, and do not just give the final answer."
        " Use LaTeX for maths. Answer in the student's language."
    )
    native = lang in TUTOR_LEADS and rng.random() < 0.85
    if turn > 0:
        return system, _p(rng, TUTOR_LEADS[lang][-2:] if native else FOLLOW)
    if native and lang in WORD_PROBLEMS and rng.random() < 0.6:
        a, b, c = int(rng.integers(2, 9)), int(rng.integers(2, 9)), int(rng.integers(20, 400))
        text = _p(rng, WORD_PROBLEMS[lang]).format(a=a, b=b, c=c)
    else:
        text = problems.draw(rng, subject_mix)[0]
    lead = _p(rng, TUTOR_LEADS[lang][:-2] if native else LEADS)
    return system, f"{lead} {text}"


# fmt: off
WORKSHOP = (
    "Exercise {k}: Write a prompt that classifies this movie review as positive or negative:"
    " 'The plot dragged but the acting was superb.'",
    "Exercise {k}: summarize the following paragraph in one sentence. " + "Large language"
    " models predict the next token given the previous ones. They are trained on large text"
    " corpora and can be adapted with instructions.",
    "Exercise {k}: explain recursion to a 10 year old",
    "Exercise {k} - extract the date and amount from: 'Paid 42.50 EUR on 3 Nov for parking.'",
    "exercise {k}: write a limerick about our professor",
)
# fmt: on


def workshop(rng: Gen, k: int) -> str:
    return WORKSHOP[
        min(k - 1, len(WORKSHOP) - 1) if rng.random() < 0.8 else int(rng.integers(5))
    ].format(k=k)
