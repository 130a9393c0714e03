"""Access to the phrase banks: ten languages besides English."""

from __future__ import annotations

from random import Random

from .lingua_east import EAST
from .lingua_west import WEST

BANKS: dict[str, dict[str, list[str]]] = {**EAST, **WEST}
LANGUAGES = sorted(BANKS)
ENGLISH_NAME = {
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "vi": "Vietnamese",
    "ar": "Arabic",
    "ru": "Russian",
    "es": "Spanish",
    "pt": "Portuguese",
    "de": "German",
    "fr": "French",
}


def explain(rng: Random, lang: str) -> str:
    bank = BANKS[lang]
    return rng.choice(bank["explain"]).format(topic=rng.choice(bank["topics"]))


def solve(rng: Random, lang: str) -> str:
    a, b = rng.randint(2, 9), rng.randint(3, 12)
    hours = max(1, min(a, b) // 2)
    price = rng.randint(12, 980) * {"ko": 100, "ja": 10}.get(lang, 1)
    return rng.choice(BANKS[lang]["solve"]).format(
        a=a, b=b, c=hours, x=rng.randint(5, 40), y=rng.randint(5, 30), p=price
    )


def pick(rng: Random, lang: str, kind: str) -> str:
    return rng.choice(BANKS[lang][kind])
