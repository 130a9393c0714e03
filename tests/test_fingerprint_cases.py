"""Exact skeletons and frames of hand-written prompts: each case names the text that is
hashed (lower-cased, digits masked), so a change of what a prompt's head, tail or frame is
(which changes verdicts) fails here, whatever it does to speed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.features.fingerprint import fingerprints, frame, keyed_hash, set_key, skeletons

# (prompt, head text, tail text)
SKELETONS = [
    # A sentence or line shorter than the window is the whole head or tail.
    ("Solve 12+7 step by step.\n\nWhat is x?", "solve 0+0 step by step.", "what is x?"),
    (
        "Summarise this text\nThe quick brown fox jumps",
        "summarise this text",
        "the quick brown fox jumps",
    ),
    # Eight and six words at most.
    (
        "Hi. Can you help me with my essay today please",
        "hi. can you help me with my essay",
        "me with my essay today please",
    ),
    # A sentence end counts from the third word on, and leaves the tail three words or more.
    ("Hi. What is a prime", "hi. what is a prime", "what is a prime"),
    (
        "Answer briefly please. What is the capital of France?",
        "answer briefly please.",
        "what is the capital of france?",
    ),
    # A first or last line of fewer than three words takes the next one's words along.
    (
        "Question:\n\nWhy is the sky blue? Explain briefly.",
        "question: why is the sky blue?",
        "is the sky blue? explain briefly.",
    ),
    (
        "Translate the text below into French please\nAnswer:",
        "translate the text below into french please",
        "text below into french please answer:",
    ),
    # Full-width sentence ends; text without spaces is one word.
    ("请 解 释 一 下。 这 个 问 题\uff1f", "请 解 释 一 下。", "这 个 问 题\uff1f"),
    (
        "请解释一下这个问题。谢谢\uff01",
        "请解释一下这个问题。谢谢\uff01",
        "请解释一下这个问题。谢谢\uff01",
    ),
    # Every run of digits, of any script, is one "0"; whitespace runs are one space.
    ("Compute ٣٤ + \uff13 now", "compute 0 + 0 now", "compute 0 + 0 now"),
    ("Add ٣٤ and 12 then \uff13 now", "add 0 and 0 then 0 now", "0 and 0 then 0 now"),
    ("Tell\tme   a  joke", "tell me a joke", "tell me a joke"),
    # Only "\n" ends a line here: "\r" is a space, so "A:" ends a sentence mid-line.
    ("Solve this one now\r\nx = 5", "solve this one now", "x = 0"),
    ("Q: x\rA: y", "q: x a:", "x a: y"),
    # Only the first and last EDGE_CHARS (200) are read, cut mid-word if so.
    ("word " * 3 + "x" * 300, "word word word " + "x" * 185, "x" * 200),
    ("Hello", "hello", "hello"),
    ("   \n\t ", "", ""),
    ("\ud800 abc", "\ud800 abc", "\ud800 abc"),
]

# (prompt, frame text, or None for no frame)
FRAMES = [
    ("### Instruction:\nSolve 2x+1=7.\n\n### Response:", "### instruction:\n…\n### response:"),
    ("Problem: 3 cats\nAnswer:", "problem:\nanswer:"),
    # A marker line of more than four words keeps its marker only; labels mask digits.
    ("# Chapter 12 of the long book\nbody text\n## Summary 3", "#\n…\n## summary 0"),
    # A label is at most 40 characters.
    (
        "## Supercalifragilisticexpialidocious extraordinarily long\nx\n## B",
        "## supercalifragilisticexpialidocious ex\n…\n## b",
    ),
    # A lone "*" bullet is no marker; "*Note*" is.
    ("* item one\n*Note* here\nQ: x", "…\n*note* here\nq:"),
    # Blank lines are dropped, not masked; any line break splits lines here.
    ("Q:\n   \n\t\nA:", "q:\na:"),
    ("Q: x\rA: y", "q:\na:"),
    # An opening word of more than 24 characters is no label.
    ("Averyveryverylongfirstword: x\nAnswer:", None),
    ("Hi!\nCould you help me with my essay?", None),
    # Over eight lines, the first and last four only, with nothing for the lines between.
    ("A:\nB:\nC:\nD:\nx\ny\nE:\nF:\nG:\nH:", "a:\nb:\nc:\nd:\ne:\nf:\ng:\nh:"),
    # Over 2 * FRAME_CHARS: the lines cut by the two windows, and all between, are one mask.
    (
        "### Instruction:\n" + ("word " * 200 + "\n") * 3 + "### Response:",
        "### instruction:\n…\n### response:",
    ),
    ("Question: " + "x " * 1000 + "\nAnswer:", None),
]


@pytest.fixture(params=["", "k"], ids=["unkeyed", "keyed"])
def key(request: pytest.FixtureRequest) -> Iterator[str]:
    set_key(request.param)
    try:
        yield request.param
    finally:
        set_key("")


@pytest.mark.parametrize(("prompt", "head", "tail"), SKELETONS)
def test_a_skeleton_is_the_hash_of_its_text(key: str, prompt: str, head: str, tail: str) -> None:
    def hashed(text: str) -> int:  # no words, no skeleton
        return keyed_hash(text) if text else 0

    assert skeletons(prompt) == (hashed(head), hashed(tail))


@pytest.mark.parametrize(("prompt", "shape"), FRAMES)
def test_a_frame_is_the_hash_of_its_labels(key: str, prompt: str, shape: str | None) -> None:
    assert frame(prompt) == (keyed_hash(shape) if shape is not None else 0)


def test_fingerprints_of_edge_prompts(key: str) -> None:
    system = keyed_hash("You are a helpful assistant.")
    assert fingerprints("", "You are a helpful assistant.") == (0, 0, 0, 0, system)
    assert fingerprints("Hi", "") == (keyed_hash("Hi"), keyed_hash("hi"), keyed_hash("hi"), 0, 0)
    # A blank prompt is a prompt (counted as one), but it has no skeleton to share.
    assert fingerprints(" \n ", None) == (keyed_hash(" \n "), 0, 0, 0, 0)
    long = "Explain: " + "z" * 100_000
    assert fingerprints(long, None)[1:4] == (
        keyed_hash("explain: " + "z" * 191),
        keyed_hash("z" * 200),
        0,
    )
