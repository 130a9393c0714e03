"""Ablation: the same evaluation with evidence families switched off, one ablation at a time.

Families are switched off through the service's own setting,
``Settings(disabled_families=...)`` (``HARVESTGUARD_DISABLED_FAMILIES``; the names are
``detectors.families.FAMILIES``), so an ablation measures exactly what an operator would
run. Each scenario is generated once and detected once per ablation, plus once with
every family on, as the yardstick.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from simulations.generator import generate
from simulations.matrix import Run, commit, detect, fixed, recall_cells, type_columns
from simulations.replay import count_lines
from simulations.spec import Scenario

DEFAULT_SCENARIOS = ("mixed", "hydra", "holdout")
NOTHING = frozenset[str]()


def families() -> tuple[str, ...]:
    from detectors.families import FAMILIES  # the detection side owns the names

    return FAMILIES


def ablations(values: Iterable[str] | None) -> list[frozenset[str]]:
    """Each value is one ablation; ``a+b`` switches ``a`` and ``b`` off together. No values:
    every family in turn. Unknown names are refused by the settings, which list the known."""
    from service.settings import Settings

    chosen = (
        [frozenset(v.split("+")) for v in values]
        if values
        else [frozenset({f}) for f in families()]
    )
    for off in chosen:
        Settings(disabled_families=off)  # raises ValueError naming the unknown families
    return chosen


def label(off: frozenset[str]) -> str:
    return "+".join(sorted(off)) if off else "nothing"


def run_ablation(
    scenarios: Iterable[Scenario],
    offs: list[frozenset[str]],
    files: Iterable[tuple[str, Path, Path]] = (),
    done: Callable[[str, str, Run], None] | None = None,
) -> dict[tuple[str, str], Run]:
    """``(ablation label, source name) -> Run`` for every scenario (generated here) and
    every ``(name, events, labels)`` file, with nothing off first, then each ablation."""
    from service.settings import Settings

    runs: dict[tuple[str, str], Run] = {}

    def over(name: str, events: Path, labels: Path, size: int, made_s: float) -> None:
        for off in [NOTHING, *offs]:
            metrics, seconds = detect(events, labels, Settings(disabled_families=off))
            run = runs[label(off), name] = Run(name, size, made_s, seconds, metrics)
            if done:
                done(label(off), name, run)

    for name, events, labels in files:
        over(name, events, labels, count_lines(events), 0.0)
    for scenario in scenarios:
        with tempfile.TemporaryDirectory(prefix="harvestguard-") as tmp:
            events, labels = Path(tmp) / "events.jsonl", Path(tmp) / "labels.jsonl"
            made = generate(scenario, events, labels)
            over(scenario.name, events, labels, made.events, made.seconds)
    return runs


def ablation_markdown(runs: dict[tuple[str, str], Run]) -> str:
    types = type_columns(runs.values())
    offs = list(dict.fromkeys(off for off, _ in runs))
    sources = list(dict.fromkeys(name for _, name in runs))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    lines = [
        "# Ablation: evidence families switched off in turn",
        "",
        f"Scenarios: {', '.join(sources)}; {stamp}, commit {commit()}. Recall per campaign "
        "type with the named family switched off (HARVESTGUARD_DISABLED_FAMILIES).",
        "",
        "## Worst over the scenarios",
        "",
        "| switched off | " + " | ".join(types) + " | precision (lowest) | benign FPR "
        "(highest) | heavy benign flagged |",
        "|---|" + "---:|" * (len(types) + 3),
    ]
    for off in offs:
        mine = [runs[off, s] for s in sources]
        recall = [
            min((r.types[k].recall for r in mine if k in r.types), default=None) for k in types
        ]
        precisions = [r.metrics.precision for r in mine if r.metrics.precision is not None]
        fprs = [r.metrics.benign_fpr for r in mine if r.metrics.benign_fpr is not None]
        lines.append(
            f"| {off} | " + " | ".join(fixed(x) for x in recall) + " | "
            f"{fixed(min(precisions, default=None))} | {fixed(max(fprs, default=None), 4)} | "
            f"{sum(r.metrics.heavy_benign_flagged for r in mine)} |"
        )
    lines += [
        "",
        "## Margins, lowest over the scenarios",
        "",
        "The median account's highest score per campaign type, flagged or not (the review "
        "threshold is 0.80 by default): how far switching a family off takes a type from a "
        "verdict, where recall only says whether it crossed.",
        "",
        "| switched off | " + " | ".join(types) + " |",
        "|---|" + "---:|" * len(types),
    ]
    for off in offs:
        mine = [runs[off, s] for s in sources]
        medians = [_lowest([r.types[k].median_score for r in mine if k in r.types]) for k in types]
        lines.append(f"| {off} | " + " | ".join(fixed(x) for x in medians) + " |")
    lines += [
        "",
        "## Per scenario",
        "",
        "| switched off | scenario | " + " | ".join(types) + " | precision | benign FPR "
        "| heavy benign flagged | detect s |",
        "|---|---|" + "---:|" * (len(types) + 4),
    ]
    for (off, name), run in runs.items():
        m = run.metrics
        lines.append(
            f"| {off} | {name} | "
            + recall_cells(run, types)
            + f" | {fixed(m.precision)} | {fixed(m.benign_fpr, 4)} | {m.heavy_benign_flagged} | "
            f"{run.detect_s:.0f} |"
        )
    return "\n".join(lines) + "\n"


def _lowest(values: list[float | None]) -> float | None:
    return min((v for v in values if v is not None), default=None)


def ablation_json(runs: dict[tuple[str, str], Run]) -> dict[str, object]:
    return {
        "commit": commit(),
        "runs": [{"switched_off": off, **run.summary()} for (off, _), run in runs.items()],
    }
