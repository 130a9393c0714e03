"""Sensitivity: recall and benign FPR with each main threshold moved by -30 % and +30 %.

A threshold that lives in code (a module constant read at each call, or a detector's
constructor default) is moved in the detecting process only, and put back after the run;
one that is a setting is passed in ``Settings``. Every run of an evasion detects the same
generated events, so what moves is the threshold's doing. A detector with no cliff moves
a little when a threshold does; a cell that collapses names a threshold the figures hang
on.
"""

from __future__ import annotations

import importlib
import inspect
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from simulations.evasions import apply
from simulations.generator import generate
from simulations.matrix import Run, commit, detect, fixed, recall_cells, type_columns
from simulations.spec import Scenario

FACTORS = (0.7, 1.3)
DEFAULT_EVASIONS = ("none", "reworded-brief+capped+no-system+residential+split-cards")


@dataclass(frozen=True)
class Knob:
    """A threshold: ``targets`` are ``module:NAME`` (a constant), ``module:Class.param`` (a
    constructor's default) or ``settings:field``."""

    name: str
    what: str
    targets: tuple[str, ...]


KNOBS = (
    Knob("bias", "log-odds the families must add up to before a score passes 0.5 (8)",
         ("detectors.registry:Scorer.bias",)),
    Knob("long_answer", "the ramp of a long answer (150 to 800 completion tokens)",
         ("service.features.segments:LONG_FROM", "service.features.segments:LONG_FULL")),
    Knob("content_ramps", "every content kind's share and volume ramps",
         ("detectors.content:KINDS",)),
    Knob("new_account_days", "the age under which an account counts as new (30 days)",
         ("settings:new_account_days",)),
    Knob("young_days", "own ages at which a member stops looking like a young crowd (14-30 d)",
         ("detectors.farm:YOUNG_DAYS", "detectors.structure:YOUNG_DAYS")),
    Knob("farm_full_size", "group sizes at which a shared instrument is fully unusual",
         ("detectors.farm:FULL_SIZE",)),
    Knob("crowd", "young members at which a crowd counts like a card (12-60)",
         ("detectors.farm:CROWD",)),
    Knob("public_aged", "established members that make an instrument public (3-30)",
         ("detectors.groups:PUBLIC_AGED",)),
    Knob("public_share", "share of its members established that makes an instrument public "
         "(0.03-0.15)", ("detectors.groups:PUBLIC_SHARE",)),
    Knob("take_floor", "the part of a group's evidence its shape carries alone (0.5)",
         ("detectors.farm:TAKE_FLOOR",)),
    Knob("group_volume", "requests at which what a group takes counts (10-1000)",
         ("detectors.farm:GROUP_VOLUME",)),
    Knob("flagged_full", "flagged accounts on a card at which its young accounts inherit (1)",
         ("detectors.farm:FLAGGED_FULL",)),
    Knob("mostly_flagged", "share of a card's accounts flagged at which its young accounts "
         "inherit whatever they sent (0.5-0.8)", ("detectors.farm:MOSTLY_FLAGGED",)),
    Knob("sure_unlike", "own requests at which an account taking less than its group may be, "
         "and surely is, unlike it (1-5)", ("detectors.farm:SURE_UNLIKE",)),
    Knob("skeleton_min_count", "repeats that make a skeleton an account's link (3)",
         ("service.scoring:SKELETON_MIN_COUNT",)),
    Knob("skeleton_join", "members of a young crowd a thin account may join (5)",
         ("service.scoring:SKELETON_JOIN_MEMBERS",)),
    Knob("links_per_kind", "link values an account keeps of each kind (2: 1 and 3 moved)",
         ("service.scoring:LINKS_PER_KIND",)),
    Knob("recheck_max_requests", "requests in its day up to which a young account of known "
         "age is rechecked (100)", ("service.scoring:RECHECK_MAX_REQUESTS",)),
)  # fmt: skip
KNOB_NAMES = tuple(k.name for k in KNOBS)


def scaled(value: Any, factor: float) -> Any:
    """``value`` moved by ``factor``: numbers (a count stays a whole number, at least 1), and
    tuples and dicts of them; of a ramp's record, its ``_floor`` and ``_full`` fields."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return max(1, round(value * factor))
    if isinstance(value, float):
        return value * factor
    if isinstance(value, dict):
        return {k: scaled(v, factor) for k, v in value.items()}
    if hasattr(value, "_fields"):  # a NamedTuple: move its ramps, keep its weight
        ramps = {f: _ramp_end(f, getattr(value, f) * factor) for f in value._fields
                 if f.endswith(("_floor", "_full"))}  # fmt: skip
        return value._replace(**ramps)
    if isinstance(value, tuple):
        return tuple(scaled(v, factor) for v in value)
    raise TypeError(f"cannot move a {type(value).__name__}")


def _ramp_end(field: str, value: float) -> float:
    return min(value, 1.0) if field.startswith("share") else value


@contextmanager
def moved(knob: Knob, factor: float, settings: dict[str, Any]) -> Iterator[None]:
    """Move ``knob`` by ``factor`` for the duration; settings fields go into ``settings``."""
    from service.settings import Settings

    undo: list[Callable[[], None]] = []
    try:
        for target in knob.targets:
            where, name = target.split(":")
            if where == "settings":
                settings[name] = scaled(Settings.model_fields[name].default, factor)
                continue
            module = importlib.import_module(where)
            if "." in name:  # a constructor's default
                owner, param = name.split(".")
                init = getattr(module, owner).__init__
                before = init.__defaults__
                names = list(inspect.signature(init).parameters)[-len(before) :]
                after = list(before)
                after[names.index(param)] = scaled(after[names.index(param)], factor)
                init.__defaults__ = tuple(after)
                undo.append(partial(setattr, init, "__defaults__", before))
            else:
                before = getattr(module, name)
                setattr(module, name, scaled(before, factor))
                undo.append(partial(setattr, module, name, before))
        yield
    finally:
        for step in reversed(undo):
            step()


def _detect_moved(
    events: Path, labels: Path, name: str, knob: str | None, factor: float
) -> tuple[str, str, float, Run]:
    from service.settings import Settings

    fields: dict[str, Any] = {}
    if knob is None:
        metrics, seconds = detect(events, labels)
    else:
        with moved(next(k for k in KNOBS if k.name == knob), factor, fields):
            metrics, seconds = detect(events, labels, Settings(**fields))
    return name, knob or "as built", factor, Run(name, 0, 0.0, seconds, metrics)


def run_sensitivity(
    base: Scenario,
    evasions: Iterable[str] = DEFAULT_EVASIONS,
    knobs: Iterable[str] = KNOB_NAMES,
    jobs: int = 1,
    done: Callable[[str, str, float, Run], None] | None = None,
) -> dict[tuple[str, str, float], Run]:
    """``(evasion, knob, factor) -> Run``: each evasion of ``base`` generated once, detected as
    built and with each knob moved by each of ``FACTORS``."""
    chosen = list(knobs)
    unknown = sorted(set(chosen) - set(KNOB_NAMES))
    if unknown:
        raise ValueError(f"unknown thresholds {unknown}; known: {', '.join(KNOB_NAMES)}")
    runs: dict[tuple[str, str, float], Run] = {}
    with tempfile.TemporaryDirectory(prefix="harvestguard-") as tmp:
        tasks: list[tuple[Path, Path, str, str | None, float]] = []
        for name in evasions:
            events, labels = Path(tmp) / f"{name}.jsonl", Path(tmp) / f"{name}.labels.jsonl"
            generate(apply(base, name), events, labels)
            tasks.append((events, labels, name, None, 1.0))
            tasks += [(events, labels, name, k, f) for k in chosen for f in FACTORS]
        columns = [list(c) for c in zip(*tasks, strict=True)]
        with ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else nullcontext() as pool:
            mapped = pool.map if pool is not None else map
            for name, knob, factor, run in mapped(_detect_moved, *columns):
                runs[name, knob, factor] = run
                if done:
                    done(name, knob, factor, run)
    return runs


def sensitivity_markdown(base: Scenario, runs: dict[tuple[str, str, float], Run]) -> str:
    types = type_columns(runs.values())
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    what = {k.name: k.what for k in KNOBS}
    lines = [
        f"# Sensitivity: each main threshold moved by {', '.join(f'x{f:g}' for f in FACTORS)}",
        "",
        f"Base `{base.name}`, {stamp}, commit {commit()}. Recall per campaign type, with the "
        "same run's precision, benign FPR and heavy benign accounts flagged (enforced on).",
    ]
    for evasion in dict.fromkeys(e for e, _, _ in runs):
        lines += [
            "",
            f"## `{evasion}`",
            "",
            "| threshold | moved | " + " | ".join(types) + " | precision | benign FPR | "
            "heavy benign flagged |",
            "|---|---:|" + "---:|" * (len(types) + 3),
        ]
        for (name, knob, factor), run in runs.items():
            if name != evasion:
                continue
            m = run.metrics
            lines.append(
                f"| {knob} | x{factor:g} | "
                + recall_cells(run, types)
                + f" | {fixed(m.precision)} | {fixed(m.benign_fpr, 4)} | "
                f"{m.heavy_benign_flagged} ({m.heavy_benign_enforced}) |"
            )
    lines += ["", "## Thresholds", ""]
    lines += [f"- `{name}`: {text}" for name, text in what.items()]
    return "\n".join(lines) + "\n"


def sensitivity_json(base: Scenario, runs: dict[tuple[str, str, float], Run]) -> dict[str, Any]:
    return {
        "base": base.name,
        "commit": commit(),
        "runs": [
            {"evasion": name, "threshold": knob, "factor": factor, **run.summary()}
            for (name, knob, factor), run in runs.items()
        ],
    }
