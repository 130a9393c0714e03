# ruff: noqa: RUF001 - the phrases are meant to be in these scripts
"""What a batch of prompts asks for, read in memory and kept as a few bits: never the text.

Harvesting campaigns ask for the model's reasoning ("write out your full
reasoning step by step"), for grades and rankings (reward-model data), in
many languages. Honest tutoring apps and evaluation harnesses ask for the same
things now and then, so these bits are evidence to count per account, never a
verdict on one request.

Two kinds of pattern share one Aho-Corasick automaton: the phrases public
reports quote (the ``COT``, ``TRACE`` and ``RUBRIC`` flags) and the broader
cue stems of :mod:`service.features.cues`, which a rewording cannot dodge as
easily. Every pattern carries its language, so a reasoning request's language
comes from the words that asked for it (scripts decide where no pattern does).

Only the head and tail of a prompt are read: instructions sit there, and a
100 KB RAG context must not cost more than a tweet. A whole batch is read in
one pass over its excerpts joined (:func:`read_batch`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

import ahocorasick_rs
import numpy as np

from service.features import cues

COT = 1  # a phrase asks for reasoning, steps, a chain of thought
TRACE = 2  # a phrase asks for the model's own full reasoning trace, not an explanation
RUBRIC = 4  # a phrase asks to grade, score, judge or rank answers
# The cue bits (service.features.cues): kinds of words, not phrases.
ELICIT, COMPLETE, GRADE, FORMAT = cues.ELICIT, cues.COMPLETE, cues.GRADE, cues.FORMAT
CODE, MATH = cues.CODE, cues.MATH

_READ_CHARS = 400

# Reasoning requests in thirteen languages: phrases, not single words, since "reason"
# alone appears in honest prompts everywhere.
_COT_PHRASES = {
    "en": (
        "step by step", "step-by-step", "chain of thought", "chain-of-thought", "your reasoning",
        "full reasoning", "complete reasoning", "entire reasoning", "internal reasoning",
        "thought process", "thinking process", "think carefully", "think it through",
        "think through", "show your work", "show all steps", "show all your steps",
        "show every step", "show each step", "show the steps", "intermediate steps",
        "walk me through", "explain how you", "explain each step", "explain your",
        "reason out loud", "reasoning before", "before giving the final", "before answering",
        "before the final answer", "how you arrived", "verify each step", "let's think",
    ),
    "zh": ("一步一步", "逐步", "推理过程", "思考过程", "思路", "中间步骤", "步骤"),
    "ja": ("思考過程", "考え方", "段階的", "ステップ", "順を追って", "途中式"),
    "ko": ("단계별", "차근차근", "생각 과정", "추론 과정", "풀이 과정", "단계"),
    "ru": ("шаг за шагом", "пошагов", "ход рассуждени", "мыслительн", "промежуточн", "по шагам",
           "рассужда"),
    "ar": ("خطوة بخطوة", "طريقة تفكير", "تفكيرك", "الاستدلال", "خطوات"),
    "tr": ("adım adım", "düşünce süreci", "akıl yürüt"),
    "vi": ("từng bước", "suy nghĩ", "lập luận", "các bước"),
    "es": ("paso a paso", "razonamiento", "proceso de pensamiento", "pasos intermedios"),
    "pt": ("passo a passo", "raciocínio", "processo de pensamento"),
    "fr": ("étape par étape", "pas à pas", "raisonnement", "étapes intermédiaires"),
    "it": ("passo dopo passo", "ragionamento", "passaggi"),
    "de": ("schritt für schritt", "gedankengang", "denkprozess", "zwischenschritte",
           "überlegungen"),
}  # fmt: skip
# English only: in the other languages, whether "describe your thought process" is a
# tutor's or a harvester's request is far less clear (a Korean tutoring app asks for the
# "whole reasoning process" as a matter of course). The demand reported from real
# campaigns ("articulate the internal reasoning behind your answer step by step"): the
# model's whole trace, as training data, rather than the explanation a student asks for.
_TRACE_PHRASES = (
    "internal reasoning", "chain of thought", "chain-of-thought", "thought process",
    "thinking process", "complete reasoning", "entire reasoning", "reasoning trace",
    "out loud", "every step of the derivation", "numbered steps", "justify each",
    "including the ones that seem obvious", "raw reasoning",
)  # fmt: skip
_RUBRIC_PHRASES = {
    "en": (
        "rubric", "grading", "impartial judge", "which response is better",
        "which answer is better", "which completion is better", "on a scale of", "out of 10",
        "rank the following", "rank these", "evaluate the response", "evaluate the answer",
        "score the following", "score the response", "grade the following",
        "grade the response", "rate the response", "rate the answer", "reward model",
    ),
    "zh": ("评分", "打分"),
    "ja": ("採点",),
    "ko": ("채점",),
    "ru": ("оцени ответ",),
    "es": ("calificación",),
    "fr": ("évalue la réponse",),
    "de": ("bewerte die antwort",),
}  # fmt: skip

LANGUAGES: tuple[str, ...] = (
    "en", "zh", "ja", "ko", "ru", "ar", "es", "fr", "de", "pt", "it", "tr", "vi", "other",
)  # fmt: skip
_LANG_INDEX = {name: i for i, name in enumerate(LANGUAGES)}
_FOREIGN = np.array([name != "en" for name in LANGUAGES])
_SCRIPTS = (
    (re.compile(r"[\u3040-\u30ff]"), "ja"),
    (re.compile(r"[\uac00-\ud7af]"), "ko"),
    (re.compile(r"[\u4e00-\u9fff]"), "zh"),
    (re.compile(r"[\u0400-\u04ff]"), "ru"),
    (re.compile(r"[\u0600-\u06ff]"), "ar"),
)


class _Automaton(NamedTuple):
    search: ahocorasick_rs.BytesAhoCorasick
    flags: np.ndarray  # per pattern: its flag and cue bits
    weights: np.ndarray  # per pattern: its elicitation weight
    languages: np.ndarray  # per pattern: index into LANGUAGES, -1 for none


def _automaton() -> _Automaton:
    """One automaton over every phrase and cue stem, on UTF-8 bytes."""
    flags: dict[str, int] = {}
    weights: dict[str, float] = {}
    languages: dict[str, int] = {}

    def add(pattern: str, bit: int, weight: float, language: str) -> None:
        flags[pattern] = flags.get(pattern, 0) | bit
        weights[pattern] = max(weights.get(pattern, 0.0), weight)
        languages.setdefault(pattern, _LANG_INDEX.get(language, -1))

    for language, phrases in _COT_PHRASES.items():
        for phrase in phrases:
            add(phrase, COT, 0.0, language)
    for phrase in _TRACE_PHRASES:
        add(phrase, TRACE | COT, 0.0, "en")
    for language, phrases in _RUBRIC_PHRASES.items():
        for phrase in phrases:
            add(phrase, RUBRIC, 0.0, language)
    for stem, bit, weight, language in cues.stems():
        add(stem, bit, weight, language)
    patterns = list(flags)
    return _Automaton(
        ahocorasick_rs.BytesAhoCorasick(
            [p.encode() for p in patterns], implementation=ahocorasick_rs.Implementation.DFA
        ),
        np.array([flags[p] for p in patterns], dtype=np.int64),
        np.array([weights[p] for p in patterns]),
        np.array([languages[p] for p in patterns], dtype=np.int64),
    )


_AUTOMATON = _automaton()
_PATTERN_COUNT = len(_AUTOMATON.flags)
_SEPARATOR = b"\x00"  # in no pattern: no match spans two prompts


def _excerpt(text: str) -> str:
    if len(text) <= 2 * _READ_CHARS:
        return text
    return text[:_READ_CHARS] + "\n" + text[-_READ_CHARS:]


def _script_language(text: str) -> int:
    for pattern, name in _SCRIPTS:
        if pattern.search(text):
            return _LANG_INDEX[name]
    return _LANG_INDEX["other"]


class Read(NamedTuple):
    """What a batch of prompts asks for, one entry per prompt (columns)."""

    flags: np.ndarray  # int64: COT | TRACE | RUBRIC and the cue bits
    elicit: np.ndarray  # float64: how strongly reasoning is asked for, 0..1
    language: np.ndarray  # int64: index into LANGUAGES; -1 unless reasoning is asked for


def read_batch(prompts: list[str | None]) -> Read:
    """The content of a batch of prompts in one pass of the automaton.

    Each prompt's excerpt is lower-cased and encoded, the excerpts joined with a separator
    no pattern contains; matches go back to their prompt by byte offset. Flags are ORed,
    the weights of the *distinct* elicitation stems summed (a repeated stem counts once),
    and a reasoning request's language is the commonest language of its patterns."""
    n = len(prompts)
    # Lower-cased, each line starting with a space: stems that must begin a word (" rate ",
    # not "narrate ") begin with one.
    encoded = [
        (" " + _excerpt(p).lower().replace("\n", " ")).encode("utf-8", "surrogatepass")
        if p
        else b""
        for p in prompts
    ]
    flags = np.zeros(n, dtype=np.int64)
    elicit = np.zeros(n)
    language = np.full(n, -1, dtype=np.int64)
    found = _AUTOMATON.search.find_matches_as_indexes(_SEPARATOR.join(encoded), overlapping=True)
    if not found:
        return Read(flags, elicit, language)
    matched = np.array(found, dtype=np.int64)
    starts = np.cumsum([0] + [len(e) + 1 for e in encoded[:-1]])
    owner = np.searchsorted(starts, matched[:, 1], side="right") - 1
    pattern = matched[:, 0]
    np.bitwise_or.at(flags, owner, _AUTOMATON.flags[pattern])
    distinct = np.unique(owner * _PATTERN_COUNT + pattern)
    np.add.at(elicit, distinct // _PATTERN_COUNT, _AUTOMATON.weights[distinct % _PATTERN_COUNT])
    np.minimum(elicit, 1.0, out=elicit)
    elicit[(flags & COT) != 0] = 1.0  # a phrase asking for reasoning asks for it fully
    asks = np.flatnonzero(elicit >= 0.5)
    if asks.size:
        votes = np.zeros((n, len(LANGUAGES)), dtype=np.int64)
        tagged = _AUTOMATON.languages[pattern] >= 0
        np.add.at(votes, (owner[tagged], _AUTOMATON.languages[pattern[tagged]]), 1)
        # A tie goes to the language that is not English ("steps" in a French request).
        best = (2 * votes + ((votes > 0) & _FOREIGN)).argmax(axis=1)
        for i in asks.tolist():
            if votes[i, best[i]]:
                language[i] = best[i]
            else:
                text = prompts[i] or ""
                language[i] = _LANG_INDEX["en"] if text.isascii() else _script_language(text)
    return Read(flags, elicit, language)


class Content(NamedTuple):
    flags: int  # COT | TRACE | RUBRIC and the cue bits
    elicit: float
    language: int  # index into LANGUAGES; -1 without text or without a reasoning request


def analyse(prompt: str | None) -> Content:
    """The content of one prompt (tests, the API): :func:`read_batch` of one."""
    read = read_batch([prompt])
    return Content(int(read.flags[0]), float(read.elicit[0]), int(read.language[0]))
