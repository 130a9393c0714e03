"""No keyword separates benign from attack traffic.

"Many" attack accounts means at least 10 and at least 5 % of them: a word that a handful of
harvesting accounts happen to use and no benign one does is sampling noise, not a keyword a
filter could rely on. Scenarios are generated at sizes where the benign population is
realistic (a few hundred accounts); tiny ones cannot cover every language of every persona.
Every wording family is checked: in each, benign traffic says what harvesters say.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulations.generator import generate
from simulations.labels import read_labels
from simulations.spec import load_scenario
from simulations.vocabulary import closest_calls, separating_words, words
from simulations.wording import DEFAULT, NAMES


def test_words_split_scripts_and_drop_numbers() -> None:
    assert words("Mateo는 사과 58개가 Résous x^2 Dana有") == {
        "mateo", "는", "사과", "개가", "résous", "x", "dana", "有",
    }  # fmt: skip
    assert words("请一步一步地思考") >= {"请一", "一步", "思考"}


# hydra's two campaigns are one type, which mixed has too: the held-out families skip it.
SCENARIOS = [("mixed", 0.1), ("holdout", 0.2), ("hydra", 0.1)]
CASES = [(*s, w) for w in NAMES for s in SCENARIOS if w == DEFAULT or s[0] != "hydra"]


@pytest.mark.parametrize(("name", "scale", "wording"), CASES)
def test_no_word_is_used_by_many_attack_accounts_and_no_benign_one(
    name: str, scale: float, wording: str, tmp_path: Path
) -> None:
    events = tmp_path / "events.jsonl"
    generate(load_scenario(name).scaled(scale).model_copy(update={"wording": wording}), events)
    labels = read_labels(tmp_path / "events.labels.jsonl")
    assert sum(lab.is_attack for lab in labels.values()) >= 30
    found = separating_words(events, labels, share=0.05, min_accounts=10)
    assert not found, f"separating words: {found}; closest: {closest_calls(events, labels)}"
