# ruff: noqa: RUF001 - the phrases are meant to be in these scripts
"""What a prompt asks for, read in memory and kept as a few bits: never the text.

Harvesting campaigns ask for the model's reasoning ("write out your full
reasoning step by step"), for grades and rankings (reward-model data), in
many languages. Honest tutoring apps and evaluation harnesses ask for the same
things now and then, so these bits are evidence to count per account, never a
verdict on one request.

Only the head and tail of a prompt are read: instructions sit there, and a
100 KB RAG context must not cost more than a tweet.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import ahocorasick_rs

COT = 1  # the prompt asks for reasoning, steps, a chain of thought
TRACE = 2  # asks for the model's own full reasoning trace, not an explanation
RUBRIC = 4  # asks to grade, score, judge or rank answers
# Set by the observation, which also knows the response and the parameters:
HARVEST = 8  # asked for reasoning and got a long answer: a reasoning trace taken away
TRACE_HARVEST = 16  # the same, when the full trace was demanded
PROBE = 32  # a one-token completion under a large logit_bias: output-projection probing
REPRODUCIBLE = 64  # temperature 0 with a fixed seed: how benchmark harnesses decode

_READ_CHARS = 400

# Phrases, lower-case, matched anywhere in the lower-cased excerpt by one Aho-Corasick
# automaton (one pass in Rust, ahocorasick-rs: half the instructions of pyahocorasick,
# whose nodes search their children one by one; fifty regex alternatives cost 40 us).
# Reasoning-trace elicitation in thirteen languages: phrases, not single words, since
# "reason" alone appears in honest prompts everywhere.
_COT_PHRASES = (
    # English
    "step by step",
    "step-by-step",
    "chain of thought",
    "chain-of-thought",
    "your reasoning",
    "full reasoning",
    "complete reasoning",
    "entire reasoning",
    "internal reasoning",
    "thought process",
    "thinking process",
    "think carefully",
    "think it through",
    "think through",
    "show your work",
    "show all steps",
    "show all your steps",
    "show every step",
    "show each step",
    "show the steps",
    "intermediate steps",
    "walk me through",
    "explain how you",
    "explain each step",
    "explain your",
    "reason out loud",
    "reasoning before",
    "before giving the final",
    "before answering",
    "before the final answer",
    "how you arrived",
    "verify each step",
    "let's think",
    # Chinese, Japanese, Korean
    "一步一步",
    "逐步",
    "推理过程",
    "思考过程",
    "思路",
    "中间步骤",
    "步骤",
    "思考過程",
    "考え方",
    "段階的",
    "ステップ",
    "順を追って",
    "途中式",
    "단계별",
    "차근차근",
    "생각 과정",
    "추론 과정",
    "풀이 과정",
    "단계",
    # Russian, Arabic, Turkish, Vietnamese
    "шаг за шагом",
    "пошагов",
    "ход рассуждени",
    "мыслительн",
    "промежуточн",
    "по шагам",
    "рассужда",
    "خطوة بخطوة",
    "طريقة تفكير",
    "تفكيرك",
    "الاستدلال",
    "خطوات",
    "adım adım",
    "düşünce süreci",
    "akıl yürüt",
    "từng bước",
    "suy nghĩ",
    "lập luận",
    "các bước",
    # Spanish, Portuguese, French, Italian, German
    "paso a paso",
    "razonamiento",
    "proceso de pensamiento",
    "pasos intermedios",
    "passo a passo",
    "raciocínio",
    "processo de pensamento",
    "étape par étape",
    "pas à pas",
    "raisonnement",
    "étapes intermédiaires",
    "passo dopo passo",
    "ragionamento",
    "passaggi",
    "schritt für schritt",
    "gedankengang",
    "denkprozess",
    "zwischenschritte",
    "überlegungen",
)
# English only: the other languages' phrase banks below already count every way of asking
# for reasoning, and whether "describe your thought process" is a tutor's or a
# harvester's request is far less clear in them (a Korean tutoring app asks for the
# "whole reasoning process" as a matter of course). Multilingual campaigns show
# themselves by asking in many languages at once, not by any one phrase.
# The demand reported from real campaigns ("articulate the internal reasoning behind your
# answer step by step"): the model's whole trace, as training data, rather than the
# explanation a student or a harness asks for ("explain step by step").
_TRACE_PHRASES = (
    "internal reasoning",
    "chain of thought",
    "chain-of-thought",
    "thought process",
    "thinking process",
    "complete reasoning",
    "entire reasoning",
    "reasoning trace",
    "out loud",
    "every step of the derivation",
    "numbered steps",
    "justify each",
    "including the ones that seem obvious",
    "raw reasoning",
)
_RUBRIC_PHRASES = (
    "rubric",
    "grading",
    "impartial judge",
    "which response is better",
    "which answer is better",
    "which completion is better",
    "on a scale of",
    "out of 10",
    "rank the following",
    "rank these",
    "evaluate the response",
    "evaluate the answer",
    "score the following",
    "score the response",
    "grade the following",
    "grade the response",
    "rate the response",
    "rate the answer",
    "reward model",
    "评分",
    "打分",
    "採点",
    "채점",
    "оцени ответ",
    "calificación",
    "évalue la réponse",
    "bewerte die antwort",
)


def _automaton() -> tuple[ahocorasick_rs.AhoCorasick, tuple[int, ...]]:
    """The automaton over every phrase, and each phrase's flags by its index."""
    flags: dict[str, int] = {}
    for flag, phrases in ((COT, _COT_PHRASES), (TRACE | COT, _TRACE_PHRASES),
                          (RUBRIC, _RUBRIC_PHRASES)):  # fmt: skip
        for phrase in phrases:
            flags[phrase] = flags.get(phrase, 0) | flag
    return ahocorasick_rs.AhoCorasick(list(flags)), tuple(flags.values())


_PHRASES, _PHRASE_FLAGS = _automaton()
_SURROGATES = re.compile("[\ud800-\udfff]")


def _phrase_flags(lowered: str) -> int:
    """The flags of every phrase found anywhere in the text, overlapping ones included."""
    try:
        found = _PHRASES.find_matches_as_indexes(lowered, overlapping=True)
    except UnicodeEncodeError:
        # Lone surrogates (a broken client's text) have no UTF-8 form. No phrase contains
        # one, nor the stand-in, so every match stays as it was.
        found = _PHRASES.find_matches_as_indexes(
            _SURROGATES.sub("\ufffd", lowered), overlapping=True
        )
    flags = 0
    for index, _start, _end in found:
        flags |= _PHRASE_FLAGS[index]
    return flags


# Languages: the script decides where it can; Latin-script languages by their commonest
# short words. Index = bit in an account's language mask.
LANGUAGES: tuple[str, ...] = (
    "en", "zh", "ja", "ko", "ru", "ar", "es", "fr", "de", "pt", "it", "tr", "vi", "other",
)  # fmt: skip
_SCRIPTS = (
    (re.compile(r"[\u3040-\u30ff]"), "ja"),
    (re.compile(r"[\uac00-\ud7af]"), "ko"),
    (re.compile(r"[\u4e00-\u9fff]"), "zh"),
    (re.compile(r"[\u0400-\u04ff]"), "ru"),
    (re.compile(r"[\u0600-\u06ff]"), "ar"),
)
_STOPWORDS = {
    "es": "el la los las de que y en un una por para con es cómo qué tu",
    "fr": "le la les des de du et en un une est pour que qui avec pas tu",
    "de": "der die das und ist nicht ein eine mit für zu den wie ich du",
    "pt": "o a os as de que e em um uma para com não é do da você",
    "it": "il lo la gli le di che e un una per con non è del della",
    "tr": "ve bir bu için ile ne da de mi nasıl çok ben",
    "vi": "và của là có không một những cho với được bạn tôi",
    "en": "the a an of and to is in for on with what how you your this that",
}
_WORD_LANG: dict[str, tuple[str, ...]] = {}
for _lang, _words in _STOPWORDS.items():
    for _word in _words.split():
        _WORD_LANG[_word] = (*_WORD_LANG.get(_word, ()), _lang)
_LANG_BIT = {name: i for i, name in enumerate(LANGUAGES)}
_PUNCTUATION = ".,!?:;¿¡\"'()"
_VIETNAMESE = re.compile(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]")


class Content(NamedTuple):
    flags: int  # COT | TRACE | RUBRIC
    language: int  # index into LANGUAGES; -1 without text or without a reasoning request


def _excerpt(text: str) -> str:
    if len(text) <= 2 * _READ_CHARS:
        return text
    return text[:_READ_CHARS] + "\n" + text[-_READ_CHARS:]


def language(text: str) -> int:
    """Index in :data:`LANGUAGES` of the text's language (a cheap guess, good on sentences)."""
    return _language(text, text.lower())


def _language(text: str, lowered: str) -> int:
    if not text.isascii():
        for pattern, name in _SCRIPTS:
            if pattern.search(text):
                return _LANG_BIT[name]
        if _VIETNAMESE.search(lowered):
            return _LANG_BIT["vi"]
    votes: dict[str, int] = {}
    # The first 40 words: split(None, 40) leaves the rest of the text in one piece.
    for langs in [_WORD_LANG.get(w.strip(_PUNCTUATION)) for w in lowered.split(None, 40)[:40]]:
        for lang in langs or ():
            votes[lang] = votes.get(lang, 0) + 1
    if not votes:
        return _LANG_BIT["en"] if text.isascii() else _LANG_BIT["other"]
    return _LANG_BIT[max(votes, key=lambda lang: (votes[lang], lang == "en"))]


def analyse(prompt: str | None) -> Content:
    """The content bits of one request's prompt, and its language if it asks for reasoning."""
    return Content(*content_bits(prompt))


def content_bits(prompt: str | None) -> tuple[int, int]:
    """:func:`analyse` as a plain tuple, for the per-event path (no named tuple to build)."""
    if not prompt:
        return 0, -1
    text = _excerpt(prompt)
    lowered = text.lower()
    flags = _phrase_flags(lowered)
    # The language only matters for reasoning requests (how many languages they come in).
    return flags, _language(text, lowered) if flags & COT else -1
