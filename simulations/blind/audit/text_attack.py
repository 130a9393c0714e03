"""Wording of the six campaigns, written for this set.

An operator wraps problems from ``problems`` in a few instruction templates; the wording
varies within a campaign (several pipelines, light mutation against exact hashing) but
keeps a recognisable skeleton, because one codebase generates it.
"""

from __future__ import annotations

import numpy as np

from . import problems
from .rand import pick
from .text_i18n import REASON, WORD_PROBLEMS
from .text_work import extraction, summarise

Gen = np.random.Generator


_p = pick


# --- bulk_cot: a worked-solutions pipeline with five prompt families ---------------------
# fmt: off
BULK_SYSTEMS = (
    None, None, "You are a careful expert. You always reason out loud before answering.",
    "You are a world-class problem solver and teacher.",
)
# fmt: on


def bulk_cot(rng: Gen) -> tuple[str | None, str, float, str]:
    """(system, text, hardness, domain)."""
    text, domain, hard = problems.draw(rng, problems.HARD_MIX)
    fam = int(rng.integers(0, 5))
    if fam == 0:
        body = (
            "Solve the problem below. Before the answer, write out your complete chain of"
            " reasoning: every intermediate step, each check you make, and any approach you"
            " tried and dropped. Put the reasoning between <think> and </think>, then give"
            f" the final answer on its own line starting with 'ANSWER:'.\n\nProblem:\n{text}"
        )
    elif fam == 1:
        body = (
            f"For the following {domain} question produce: (1) a restatement of what is"
            " asked, (2) a numbered derivation where every step follows from the previous"
            " one, (3) a verification of the result, (4) the final answer in \\boxed{}."
            f"\n\n{text}"
        )
    elif fam == 2:
        body = (
            f"{text}\n\nThink it through step by step and do not skip any steps, even obvious ones."
        )
    elif fam == 3 and domain == "code":
        body = (
            "Solve the task below. First explain your approach in detail, including the"
            " alternatives you rejected, complexity and edge cases, then give the code, then"
            f" trace the code on one example input.\n\nTask: {text}"
        )
    else:
        body = (
            f"Question: {text}\nWork through this slowly and show the full internal"
            " monologue you would use to reach the answer, doubts and corrections included."
            " End with 'Final answer: ...'."
        )
    return _p(rng, BULK_SYSTEMS), body, hard, domain


def cover(rng: Gen) -> tuple[str | None, str]:
    """Ordinary requests a harvester mixes in so the account does not look single-purpose."""
    return extraction(rng) if rng.random() < 0.5 else summarise(rng)


# --- hydra: one skeleton, mutated per request --------------------------------------------
# fmt: off
HYDRA_REASON = ("reason step by step and show every intermediate result",
                "think step-by-step; show all intermediate results",
                "work through it step by step, writing out each intermediate result",
                "explain each step of your reasoning, including intermediate values")
HYDRA_ASSUME = ("state your assumptions explicitly", "list any assumptions you make",
                "make assumptions explicit")
HYDRA_FINAL = ("final line: RESULT: <answer>", "last line must be `RESULT: <answer>`",
               "end with a line 'RESULT: <answer>'")
# fmt: on


def hydra(rng: Gen, seq: int) -> tuple[str | None, str, float]:
    text, domain, hard = problems.draw(rng, problems.HARD_MIX)
    bullet = _p(rng, ("-", "*", "•", "-"))
    reqs = [_p(rng, HYDRA_REASON), _p(rng, HYDRA_ASSUME), _p(rng, HYDRA_FINAL)]
    if rng.random() < 0.5:
        reqs[0], reqs[1] = reqs[1], reqs[0]
    tag = _p(rng, (f"[{seq:05d}]", f"#{seq}", f"task-{seq:x}", f"({domain.upper()}-{seq % 997})"))
    head = _p(rng, ("Requirements:", "Instructions:", "Rules:", "Output requirements:"))
    lines = "\n".join(f"{bullet} {r}" for r in reqs)
    body = f"{tag} {domain}\n{text}\n\n{head}\n{lines}"
    system = None if rng.random() < 0.7 else _p(rng, ("Respond in English.", "Be thorough."))
    return system, body, hard


# --- logit_probe ---------------------------------------------------------------------------
# fmt: off
PREFIXES = ("The capital of Mongolia is", "The opposite of 'generous' is",
            "In 1905, Einstein published", "The chemical symbol for tungsten is",
            "My favourite thing about Mondays is", "The best programming language for beginners is",
            "To be or not to", "The square root of 144 is", "A synonym for 'happy' is",
            "The main cause of the French Revolution was", "def fibonacci(n):\n    ",
            "Once upon a time, in a small village,", "The company reported a quarterly loss of")
# fmt: on


def probe(rng: Gen, style: int) -> tuple[str, str]:
    """(endpoint, text) of one probe item; ``style`` fixes the operator's current script."""
    s = style % 4
    if s == 0:
        return "/v1/chat/completions", f"{problems.mcq(rng)}\nReply with one letter."
    if s == 1:
        return "/v1/completions", _p(rng, PREFIXES)
    if s == 2:
        stmt = _p(
            rng,
            (
                "Water boils at 100 C at sea level.",
                "The Great Wall is visible from the Moon.",
                "Bats are blind.",
                "Venus is hotter than Mercury.",
            ),
        )
        return "/v1/chat/completions", f"True or false: {stmt}\nAnswer with one word."
    review = _p(
        rng,
        (
            "Fine, I guess.",
            "Worst purchase ever.",
            "It exceeded expectations.",
            "Not bad, not great.",
            "I would buy it again tomorrow.",
        ),
    )
    return "/v1/completions", f"Review: {review}\nSentiment (1-5):"


# --- model_pivot: multilingual reasoning ------------------------------------------------------
# fmt: off
PIVOT_LANGS = {"zh": 30, "ru": 10, "ko": 10, "ja": 10, "es": 10, "pt": 7, "ar": 6, "vi": 5,
               "id": 5, "tr": 4, "de": 3}
# fmt: on


def pivot(rng: Gen, lang: str) -> tuple[str | None, str, float]:
    if lang in WORD_PROBLEMS and rng.random() < 0.45:
        a, b, c = int(rng.integers(2, 9)), int(rng.integers(2, 9)), int(rng.integers(20, 400))
        q, hard = _p(rng, WORD_PROBLEMS[lang]).format(a=a, b=b, c=c), 0.45
    else:
        q, _, hard = problems.draw(rng, problems.HARD_MIX)
    wrap = _p(rng, REASON.get(lang, REASON["es"]))
    system = None
    if rng.random() < 0.25:
        system = (
            "Reason in the user's language. Be exhaustive in the reasoning, concise in the answer."
        )
    return system, wrap.format(q=q), hard


# --- slow_drip: grading with a rubric, and reasoning drips -----------------------------------
# fmt: off
RUBRICS = (
    "Score each response from 1 to 10 for correctness, helpfulness and clarity. For every"
    " criterion, explain your reasoning in detail before giving the score. Finish with a JSON"
    ' object {{"A": {{...}}, "B": {{...}}, "preferred": "A" or "B"}}.',
    "Grade both responses on correctness, completeness and clarity (1-10 each). Justify each"
    " grade step by step, pointing to specific sentences. End with JSON: {{\"A\": ..., \"B\":"
    ' ..., "preferred": ...}}.',
    "Assess responses A and B against the rubric: correctness, helpfulness, clarity. Reason"
    " carefully about each criterion before scoring 1-10, then output the scores as JSON with"
    " a 'preferred' field.",
)
CANDIDATE = ("The answer is {x}. This follows directly from the definition.",
             "First we note the constraint, then we substitute. Therefore the result is {x}.",
             "I think it's {x} but I'm not sure; it could also be {y}.",
             "Using the standard formula we get {x}, which we double-check by plugging back in.",
             "{x}.")
# fmt: on


def grading(rng: Gen, rubric: int) -> tuple[str | None, str, float]:
    q, _, hard = problems.draw(rng, problems.HARD_MIX)
    x, y = int(rng.integers(2, 500)), int(rng.integers(2, 500))
    a = _p(rng, CANDIDATE).format(x=x, y=y)
    b = _p(rng, CANDIDATE).format(x=y, y=x)
    body = (
        f"Evaluate the two responses to the user request below.\n\n### Request\n{q}\n\n"
        f"### Response A\n{a}\n\n### Response B\n{b}\n\n{RUBRICS[rubric % 3]}"
    )
    return None, body, max(hard, 0.5)


def drip(rng: Gen) -> tuple[str | None, str, float]:
    q, _, hard = problems.draw(rng, problems.HARD_MIX)
    lead = _p(
        rng,
        (
            "I've been stuck on this for a while:",
            "Quick one for you.",
            "Here's a problem from my notes.",
            "Can you help me think about this?",
        ),
    )
    tail = _p(
        rng,
        (
            "Walk me through how an expert would think about it, including where"
            " people usually go wrong.",
            "Please explain your full line of thought, not just the result.",
            "Show me every step of the reasoning and why each step is justified.",
        ),
    )
    return None, f"{lead} {q}\n\n{tail}", hard


# --- chat_mimicry ---------------------------------------------------------------------------
# fmt: off
MIMIC_LEADS = ("hey can u help me with this:", "ok so my teacher gave us this", "pls solve",
               "question for you -", "help!!", "so I'm trying to figure this out:",
               "can you do this one", "hiii quick question")
MIMIC_TAILS = ("pls explain every step, I want to understand the reasoning not just the answer",
               "show all your thinking ok?", "explain like really detailed, step by step",
               "walk me through the whole thought process", "and tell me why each step works")
MIMIC_FOLLOW = ("wait can you go through that again but explain why each step works?",
                "can you check your work and show the reasoning again more carefully?",
                "ok now solve it a different way and compare", "explain step 2 in way more detail",
                "are you sure? reason it out again from the start")
MIMIC_SMALL = ("hi", "thanks!!", "lol", "what's your name", "good night", "tell me a joke",
               "what should I watch tonight", "ok cool")
# fmt: on


def mimic(rng: Gen, turn: int) -> tuple[str, float, bool]:
    """(text, hardness, is_cover)."""
    if rng.random() < 0.28:
        return _p(rng, MIMIC_SMALL), 0.0, True
    if turn > 0 and rng.random() < 0.5:
        return _p(rng, MIMIC_FOLLOW), 0.6, False
    q, _, hard = problems.draw(rng, problems.HARD_MIX)
    text = f"{_p(rng, MIMIC_LEADS)} {q} {_p(rng, MIMIC_TAILS)}"
    return (text.lower() if rng.random() < 0.4 else text), hard, False


# fmt: off
MIMIC_APPS = (
    ("Lumi", "You are Lumi, a friendly AI companion in the Lumi Chat app. Be warm and"
             " supportive. When the user asks for help with a problem, be thorough."),
    ("Kiko", "You are Kiko, the assistant inside the Kiko app. Answer helpfully. Today's"
             " date is 2026-12-01."),
)
# fmt: on
