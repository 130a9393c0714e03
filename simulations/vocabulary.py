"""Keyword separation: is there a word that many attack accounts use and no benign one does?

If there were, a keyword filter would catch the campaign and the scenario would test
nothing. Words are lower-cased runs of letters, split where the script changes (so the
Korean particle in ``Mateo는`` is a word of its own); Chinese and Japanese runs, written
without spaces, count as character bigrams. Tokens with digits are slot values (numbers
in a math problem), not vocabulary, and are left out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import orjson

from service.contract import iter_lines
from simulations.labels import Label

_RUN = re.compile(r"\w+")
_CJK_CHARS = "\u3040-\u30ff\u3400-\u9fff"
_HANGUL = "\uac00-\ud7af\u1100-\u11ff"
_SCRIPTS = re.compile(f"[{_CJK_CHARS}]+|[{_HANGUL}]+|[^\\W\\d_{_CJK_CHARS}{_HANGUL}]+")
_CJK = re.compile(f"^[{_CJK_CHARS}]+$")


def words(text: str) -> set[str]:
    out: set[str] = set()
    for run in _RUN.findall(text.lower()):
        for piece in _SCRIPTS.findall(run):
            if _CJK.match(piece) and len(piece) > 1:
                out.update(piece[i : i + 2] for i in range(len(piece) - 1))
            else:
                out.add(piece)
    return out


def account_vocabularies(events: Path) -> dict[str, set[str]]:
    """Every word each account used in its prompts and system prompts."""
    vocab: dict[str, set[str]] = defaultdict(set)
    for _, line in iter_lines(events):
        e = orjson.loads(line)
        text = f"{e.get('prompt') or ''} {e.get('system_prompt') or ''}"
        vocab[e["account_id"]] |= words(text)
    return vocab


def separating_words(
    events: Path, labels: dict[str, Label], share: float = 0.05, min_accounts: int = 10
) -> list[tuple[str, int]]:
    """Words used by at least ``max(min_accounts, share * attack accounts)`` attack accounts
    and by no benign account, with their attack-account counts, most used first."""
    attack: dict[str, int] = defaultdict(int)
    benign: set[str] = set()
    attackers = 0
    for account, vocab in account_vocabularies(events).items():
        if labels[account].is_attack:
            attackers += 1
            for word in vocab:
                attack[word] += 1
        else:
            benign |= vocab
    threshold = max(min_accounts, share * attackers)
    found = [(w, n) for w, n in attack.items() if n >= threshold and w not in benign]
    return sorted(found, key=lambda item: (-item[1], item[0]))


def closest_calls(events: Path, labels: dict[str, Label], top: int = 10) -> list[tuple[str, int]]:
    """The attack-only words with the most attack accounts, whatever the threshold."""
    return separating_words(events, labels, share=0.0, min_accounts=1)[:top]
