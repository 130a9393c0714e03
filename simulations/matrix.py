"""The adaptive-attacker matrix: one base scenario run once per cheap evasion.

Each run generates the base under one evasion (``simulations/evasions.py``: every campaign
type and the whole benign population, changed in one way), runs offline detection over it
(``service.offline.detect_file``, as ``evaluate --detect`` does) and keeps its metrics. A
cell of the matrix is one campaign type under one evasion: the recall of that type's
accounts, beside the benign false-positive rate, heavy benign accounts flagged, precision
and leaked tokens of the same run.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from simulations.evaluate import Metrics, evaluate, read_scores, read_verdicts
from simulations.evasions import EVASIONS, apply, describe
from simulations.generator import generate
from simulations.labels import read_labels
from simulations.spec import CAMPAIGN_TYPES, Scenario

if TYPE_CHECKING:
    from service.settings import Settings


@dataclass(frozen=True)
class TypeResult:
    """A campaign type's accounts in one run (all its campaigns together)."""

    accounts: int
    flagged: int
    completion_tokens: int
    leaked_tokens: int
    peak_scores: tuple[float, ...] = ()  # each account's highest score, flagged or not

    @property
    def recall(self) -> float:
        return self.flagged / self.accounts if self.accounts else 0.0

    @property
    def median_score(self) -> float | None:
        """The median account's highest score: how far the type stands from the review
        threshold, whichever side of it (a count of flags hides a cell at the edge)."""
        return statistics.median(self.peak_scores) if self.peak_scores else None

    @property
    def leaked_share(self) -> float:
        return self.leaked_tokens / self.completion_tokens if self.completion_tokens else 0.0


def by_type(m: Metrics) -> dict[str, TypeResult]:
    out: dict[str, TypeResult] = {}
    for c in m.campaigns:
        t = out.get(c.type, TypeResult(0, 0, 0, 0))
        out[c.type] = TypeResult(
            t.accounts + c.accounts,
            t.flagged + c.flagged,
            t.completion_tokens + c.completion_tokens,
            t.leaked_tokens + c.leaked_tokens,
            t.peak_scores + tuple(c.peak_scores),
        )
    return out


@dataclass
class Run:
    """One detection run: the scenario (or file) it ran on, its metrics and its cost."""

    name: str
    events: int
    generate_s: float
    detect_s: float
    metrics: Metrics

    @property
    def types(self) -> dict[str, TypeResult]:
        return by_type(self.metrics)

    def summary(self) -> dict[str, object]:
        m = self.metrics
        return {
            "name": self.name,
            "events": self.events,
            "seconds": {"generate": round(self.generate_s, 1), "detect": round(self.detect_s, 1)},
            "precision": m.precision,
            "recall": m.recall,
            "benign_fpr": m.benign_fpr,
            "benign_accounts": m.fp + m.tn,
            "heavy_benign": m.heavy_benign,
            "heavy_benign_flagged": m.heavy_benign_flagged,
            "heavy_benign_enforced": m.heavy_benign_enforced,
            "top_benign_score": m.top_benign_score,
            "types": {
                k: {
                    "accounts": t.accounts,
                    "flagged": t.flagged,
                    "recall": t.recall,
                    "leaked_tokens": t.leaked_share,
                    "median_score": t.median_score,
                }
                for k, t in self.types.items()
            },
        }


def detect(events: Path, labels: Path, settings: Settings | None = None) -> tuple[Metrics, float]:
    """Offline detection over ``events``; its metrics against ``labels`` and its seconds."""
    # Imported here: generating traffic needs none of the detection pipeline.
    from service.offline import detect_file

    with tempfile.TemporaryDirectory(prefix="harvestguard-") as tmp:
        verdicts, scores = Path(tmp) / "verdicts.jsonl", Path(tmp) / "scores.jsonl"
        started = time.perf_counter()
        detect_file(events, verdicts, settings, show_progress=False, scores_path=scores)
        seconds = time.perf_counter() - started
        found = read_verdicts(verdicts)
        return evaluate(events, read_labels(labels), found, read_scores(scores)), seconds


def run_scenario(scenario: Scenario, settings: Settings | None = None) -> Run:
    """Generate ``scenario`` into a temporary file, detect, evaluate, delete the file."""
    with tempfile.TemporaryDirectory(prefix="harvestguard-") as tmp:
        events, labels = Path(tmp) / "events.jsonl", Path(tmp) / "labels.jsonl"
        made = generate(scenario, events, labels)
        metrics, seconds = detect(events, labels, settings)
        return Run(scenario.name, made.events, made.seconds, seconds, metrics)


def _cell(base: Scenario, evasion: str) -> tuple[str, Run]:
    return evasion, run_scenario(apply(base, evasion))


def run_matrix(
    base: Scenario,
    evasions: Iterable[str] = tuple(EVASIONS),
    jobs: int = 1,
    done: Callable[[str, Run], None] | None = None,
) -> dict[str, Run]:
    """Every evasion's run of ``base`` (already scaled), in the order given."""
    names = list(evasions)
    for name in names:
        apply(base, name)  # an unknown evasion fails before anything runs
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            return _collect(pool.map(_cell, [base] * len(names), names), done)
    return _collect((_cell(base, name) for name in names), done)


def _collect(
    results: Iterable[tuple[str, Run]], done: Callable[[str, Run], None] | None
) -> dict[str, Run]:
    runs: dict[str, Run] = {}
    for name, run in results:
        runs[name] = run
        if done:
            done(name, run)
    return runs


def commit() -> str:
    """The repository's commit (short), or ``unknown`` outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 else "unknown"


def fixed(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def recall_cells(run: Run, types: list[str]) -> str:
    """The run's recall per campaign type, as Markdown cells ("n/a": no such campaign)."""
    found = run.types
    return " | ".join(fixed(found[k].recall) if k in found else "n/a" for k in types)


def type_columns(runs: Iterable[Run]) -> list[str]:
    present = {k for run in runs for k in run.types}
    return [t for t in CAMPAIGN_TYPES if t in present]


def matrix_markdown(base: Scenario, runs: dict[str, Run], failures: list[str] | None) -> str:
    types = type_columns(runs.values())
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    lines = [
        f"# Adaptive-attacker matrix: base `{base.name}`",
        "",
        f"{base.hours:g} hours of traffic per run, seed {base.seed}; {stamp}, commit "
        f"{commit()}. A cell is the recall of a campaign type's accounts under one evasion "
        "(flagged / accounts); the columns on the right are the same run's.",
        "",
        "| evasion | " + " | ".join(types) + " | precision | benign FPR | heavy benign "
        "flagged (enforced) | leaked tokens (worst type) | events | seconds |",
        "|---|" + "---:|" * (len(types) + 6),
    ]
    for name, run in runs.items():
        m, t = run.metrics, run.types
        worst = max((x.leaked_share for x in t.values()), default=None)
        lines.append(
            f"| {name} | " + recall_cells(run, types) + f" | {fixed(m.precision)} | "
            f"{fixed(m.benign_fpr, 4)} | {m.heavy_benign_flagged} ({m.heavy_benign_enforced}) "
            f"of {m.heavy_benign} | "
            f"{fixed(worst)} | {run.events:,} | {run.generate_s + run.detect_s:.0f} |"
        )
    lines += [
        "",
        "## Leaked tokens per campaign type",
        "",
        "| evasion | " + " | ".join(types) + " |",
        "|---|" + "---:|" * len(types),
    ]
    for name, run in runs.items():
        t = run.types
        lines.append(
            f"| {name} | "
            + " | ".join(fixed(t[k].leaked_share) if k in t else "n/a" for k in types)
            + " |"
        )
    lines += [
        "",
        "## Margins: the median account's highest score per campaign type",
        "",
        "How far each type stands from the review threshold (0.80 by default), flagged or "
        "not, beside the highest score of any benign account in the same run: a recall of "
        "1.000 at a median of 0.81 is one small change from 0, and so is a benign account at "
        "0.79.",
        "",
        "| evasion | " + " | ".join(types) + " | highest benign |",
        "|---|" + "---:|" * (len(types) + 1),
    ]
    for name, run in runs.items():
        t = run.types
        lines.append(
            f"| {name} | "
            + " | ".join(fixed(t[k].median_score) if k in t else "n/a" for k in types)
            + f" | {fixed(run.metrics.top_benign_score)} |"
        )
    lines += ["", "## Evasions", ""]
    lines += [f"- `{name}`: {describe(name)}" for name in runs]
    if failures is not None:
        lines += ["", "## Expected bounds", ""]
        lines += [f"- FAIL {f}" for f in failures] or ["- all met"]
    return "\n".join(lines) + "\n"


def matrix_json(base: Scenario, runs: dict[str, Run]) -> dict[str, object]:
    return {
        "base": base.name,
        "hours": base.hours,
        "seed": base.seed,
        "commit": commit(),
        "cells": [{"evasion": n, "what": describe(n), **r.summary()} for n, r in runs.items()],
    }
