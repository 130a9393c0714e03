"""The held-out wording families: kept away from detection, complete, independent of the
default lexicon and of each other, shared by benign and attack traffic, with their own
answer lengths."""

from __future__ import annotations

import ast
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from simulations.generator import generate
from simulations.i18n import _BANKS, FOREIGN
from simulations.labels import Label, read_labels
from simulations.lexicon import REASONING
from simulations.spec import load_scenario
from simulations.wording import FAMILIES, HELD_OUT, WordingFamily

ROOT = Path(__file__).resolve().parent.parent
DETECTION = ("detectors", "service")
# Kinds whose requests ask for reasoning, grading or explanations, or look like a probe.
WORDED = ("chat", "coding", "eval", "tutoring", "synthetic", "support", "classification",
          "harvest", "drip", "rubric", "probe", "mimic")  # fmt: skip
FOREIGN_WORDED = ("tutoring", "chat", "multilingual")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_detection_code_never_imports_the_wording_families() -> None:
    sources = [p for d in DETECTION for p in sorted((ROOT / d).rglob("*.py"))]
    assert len(sources) > 20
    offending = {
        str(p.relative_to(ROOT)): sorted(n for n in _imports(p) if "wording" in n)
        for p in sources
        if any(n.startswith("simulations.wording") for n in _imports(p))
    }
    assert not offending, offending
    # Nor through another module: load every detection module and look.
    modules = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in sources]
    modules = [m.removesuffix(".__init__") for m in modules]
    probe = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(sorted(m for m in sys.modules if m.startswith('simulations')))\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "simulations.wording" not in run.stdout, run.stdout


@pytest.mark.parametrize("name", HELD_OUT)
def test_every_family_words_every_kind_that_asks_for_reasoning(name: str) -> None:
    family = FAMILIES[name]
    wanted = set(WORDED) | {f"{k}_{lang}" for k in FOREIGN_WORDED for lang in FOREIGN}
    assert wanted <= set(family.kinds), sorted(wanted - set(family.kinds))
    for lang in FOREIGN:  # every language has the family's own instruction, not a fallback
        assert f"{family.prefix}work_{lang}" in family.rules, lang


def _texts(family: WordingFamily) -> list[str]:
    texts = [alt if isinstance(alt, str) else alt[0]
             for alts in family.rules.values() if not callable(alts) for alt in alts]  # fmt: skip
    for templates, systems, follow_ups in family.kinds.values():
        texts += [*templates, *systems, *follow_ups]
    return texts


def _instructions(family: WordingFamily) -> list[str]:
    return [str(a) for rule, alts in family.rules.items() if "work" in rule for a in alts]


def test_families_share_no_instruction_with_the_default_lexicon_or_with_each_other() -> None:
    default = list(REASONING) + [p for bank in _BANKS.values() for p in bank["reasoning"]]
    for name in HELD_OUT:
        text = "\n".join(_texts(FAMILIES[name])).lower()
        reused = [p for p in default if p.lower().rstrip(".。!") in text]
        assert not reused, (name, reused)
        for other in HELD_OUT:
            if other != name:
                shared = [i for i in _instructions(FAMILIES[other]) if i.lower() in text]
                assert not shared, (name, other, shared)


Generated = tuple[list[dict[str, Any]], dict[str, Label]]


def _generated(wording: str, tmp: Path) -> Generated:
    scenario = load_scenario("smoke").model_copy(update={"wording": wording})
    generate(scenario, tmp / f"{wording}.jsonl")
    events = [orjson.loads(line) for line in (tmp / f"{wording}.jsonl").read_bytes().splitlines()]
    return events, read_labels(tmp / f"{wording}.labels.jsonl")


@pytest.fixture(scope="module")
def worded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    tmp = tmp_path_factory.mktemp("worded")
    return {w: _generated(w, tmp) for w in ("default", *HELD_OUT)}


def test_a_family_changes_what_is_said_not_who_says_it_or_when(
    worded: dict[str, Generated],
) -> None:
    base_events, base_labels = worded["default"]
    who = {a: (lab.label, lab.persona, lab.campaign, lab.events) for a, lab in base_labels.items()}
    for name in HELD_OUT:
        events, labels = worded[name]
        assert {a: (lab.label, lab.persona, lab.campaign, lab.events)
                for a, lab in labels.items()} == who  # fmt: skip
        assert [e["ts"] for e in events] == [e["ts"] for e in base_events]
        pairs = zip(events, base_events, strict=True)
        same = sum(e.get("prompt") == b.get("prompt") for e, b in pairs)
        assert same < 0.5 * len(events), name  # only the shared payloads may coincide


@pytest.mark.parametrize("name", HELD_OUT)
def test_benign_accounts_use_the_instructions_harvesters_use(
    worded: dict[str, Generated], name: str
) -> None:
    events, labels = worded[name]
    phrases = _instructions(FAMILIES[name])
    used: dict[bool, set[str]] = {True: set(), False: set()}
    for e in events:
        text = f"{e.get('system_prompt') or ''}\n{e.get('prompt') or ''}"
        attack = labels[e["account_id"]].is_attack
        used[attack] |= {p for p in phrases if p in text}
    assert len(used[True]) >= 5, used[True]
    # Most of what harvesters ask with, honest tutors, harnesses and help desks ask with too.
    assert len(used[True] & used[False]) >= 0.6 * len(used[True]), used[True] - used[False]


def test_answer_lengths_follow_the_family(worded: dict[str, Generated]) -> None:
    def median_answer(wording: str) -> float:
        events, labels = worded[wording]
        # The visible answer: reasoning models report their reasoning tokens apart.
        return statistics.median(
            int(e["completion_tokens"]) - int(e.get("reasoning_tokens") or 0) for e in events
            if labels[e["account_id"]].campaign_type in ("bulk_cot", "model_pivot",
                                                         "multilingual_cot")
            and e.get("status") == 200 and e.get("finish_reason") == "stop"
        )  # fmt: skip

    lengths = {w: median_answer(w) for w in ("default", *HELD_OUT)}
    assert lengths["spec"] < lengths["brief"] < lengths["default"] < lengths["prose"], lengths
    assert lengths["brief"] < lengths["terse"] < lengths["default"], lengths
    for name in HELD_OUT:
        declared, _ = FAMILIES[name].answer_tokens["harvest"]
        assert 0.6 * declared < lengths[name] < 1.5 * declared, (name, lengths[name])
