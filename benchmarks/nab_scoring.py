"""Numenta Anomaly Benchmark (NAB v1.1) scoring, reimplemented from NAB's sweeper.

NAB rewards detecting each labelled anomaly window early and charges a small
price for every detection outside a window:

* a detection inside a window earns ``tp * sigmoid(position) / sigmoid(-1)``,
  where ``position`` runs from -1 at the window's first row to 0 past its end,
  so only the earliest detection of a window counts and detecting on the first
  row earns exactly ``tp``;
* a window with no detection costs ``fn``;
* a detection outside every window costs ``fp``, scaled by the sigmoid of its
  distance past the end of the preceding window (1 before the first window), so
  a late detection of the window just gone is nearly free;
* the first ``min(floor(0.15 * n), 750)`` rows are a probationary period: never
  scored, neither as detections nor as window rows;
* one threshold is chosen for the detector over the whole corpus (the one that
  maximises the summed raw score), and the raw score is normalised as
  ``100 * (raw - null) / (perfect - null)``, null being a detector that never
  fires and perfect ``tp`` times the number of windows.

The threshold sweep is exhaustive, as in NAB 1.1's optimiser. Checked on NAB's
own data (``benchmarks/nab.py``): NAB's windowed-Gaussian and random detectors,
re-implemented, reproduce their published scores in all three profiles.

>>> import numpy as np
>>> windows = [(50, 59)]
>>> scores = np.zeros(100)
>>> scores[52] = 0.9
>>> sweeps = [sweep(scores, windows, STANDARD)]
>>> threshold, raw = optimise_threshold(sweeps, STANDARD)
>>> threshold, round(raw, 3)
(0.9, 0.977)
>>> round(normalise(raw, null_score(1, STANDARD), perfect_score(1, STANDARD)), 1)
98.9
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = [
    "PROFILES",
    "STANDARD",
    "CostMatrix",
    "Sweep",
    "load_profiles",
    "normalise",
    "null_score",
    "optimise_threshold",
    "perfect_score",
    "probation_length",
    "scaled_sigmoid",
    "score_at_threshold",
    "sweep",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

OUTSIDE = -1
# NAB caps probation at 15 % of 5000 rows so long files still get scored early.
MAX_PROBATION_ROWS = 5000


@dataclass(frozen=True)
class CostMatrix:
    """Weights of one NAB application profile."""

    tp: float
    fp: float
    fn: float


STANDARD = CostMatrix(tp=1.0, fp=0.11, fn=1.0)
PROFILES: dict[str, CostMatrix] = {
    "standard": STANDARD,
    "reward_low_FP_rate": CostMatrix(tp=1.0, fp=0.22, fn=1.0),
    "reward_low_FN_rate": CostMatrix(tp=1.0, fp=0.11, fn=2.0),
}


def load_profiles(path: Path) -> dict[str, CostMatrix]:
    """Read NAB's ``config/profiles.json``."""
    raw = json.loads(path.read_text())
    return {
        name: CostMatrix(
            tp=float(p["CostMatrix"]["tpWeight"]),
            fp=float(p["CostMatrix"]["fpWeight"]),
            fn=float(p["CostMatrix"]["fnWeight"]),
        )
        for name, p in raw.items()
    }


def scaled_sigmoid(position: float) -> float:
    """NAB's reward curve: ~1 at -1 (window start), 0 at 0, -1 well past it."""
    if position > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


def probation_length(n_rows: int, percent: float = 0.15) -> int:
    """Rows at the start of a file that NAB never scores."""
    return int(min(math.floor(percent * n_rows), percent * MAX_PROBATION_ROWS))


@dataclass(frozen=True)
class Sweep:
    """The scorable rows of one file: detector score, NAB weight, window id."""

    scores: FloatArray
    weights: FloatArray
    window: IntArray
    n_windows: int


def sweep(
    scores: npt.ArrayLike,
    windows: Sequence[tuple[int, int]],
    cost: CostMatrix,
    probation_percent: float = 0.15,
) -> Sweep:
    """Weigh every row of one file as NAB would if the detector fired there.

    ``windows`` are inclusive ``(first_row, last_row)`` pairs, sorted and
    disjoint, as NAB's ``combined_windows.json`` gives them once mapped to rows.
    """
    values = np.asarray(scores, dtype=np.float64)
    n = len(values)
    weights = np.empty(n)
    window = np.full(n, OUTSIDE, dtype=np.int64)
    max_tp = scaled_sigmoid(-1.0)
    prev_end: int | None = None
    prev_width = 0.0
    start = 0
    for k, (first, last) in enumerate([*windows, (n, n)]):
        # Rows between windows are false positives, forgiven just after a window.
        gap = np.arange(start, min(first, n))
        if prev_end is None:
            weights[gap] = -1.0 * cost.fp
        else:
            # NAB divides by width - 1; a one-row window would divide by zero there.
            past = np.abs(prev_end - gap) / max(prev_width - 1.0, 1.0)
            weights[gap] = [scaled_sigmoid(p) * cost.fp for p in past]
        if first >= n:
            break
        width = float(last - first + 1)
        rows = np.arange(first, last + 1)
        position = -(last - rows + 1) / width
        weights[rows] = [scaled_sigmoid(p) * cost.tp / max_tp for p in position]
        window[rows] = k
        prev_end, prev_width, start = last, width, last + 1
    keep = slice(probation_length(n, probation_percent), n)
    # A window swallowed by probation is never scored, as in NAB.
    kept_ids = np.unique(window[keep][window[keep] != OUTSIDE])
    remap = np.full(len(windows) + 1, OUTSIDE, dtype=np.int64)
    remap[kept_ids] = np.arange(len(kept_ids))
    ids = np.where(window[keep] == OUTSIDE, OUTSIDE, remap[window[keep]])
    return Sweep(values[keep], weights[keep], ids.astype(np.int64), len(kept_ids))


def _concat(sweeps: Sequence[Sweep]) -> Sweep:
    offsets = np.cumsum([0, *(s.n_windows for s in sweeps)])
    ids = [
        np.where(s.window == OUTSIDE, OUTSIDE, s.window + o)
        for s, o in zip(sweeps, offsets[:-1], strict=True)
    ]
    return Sweep(
        np.concatenate([s.scores for s in sweeps]),
        np.concatenate([s.weights for s in sweeps]),
        np.concatenate(ids).astype(np.int64),
        int(offsets[-1]),
    )


def scores_by_threshold(sweeps: Sequence[Sweep], cost: CostMatrix) -> tuple[FloatArray, FloatArray]:
    """Raw score for every distinct threshold, highest threshold first.

    Detection means ``score >= threshold``; the first entry (threshold ``inf``)
    is the detector that never fires.
    """
    s = _concat(sweeps)
    order = np.argsort(-s.scores, kind="stable")
    scores, weights, ids = s.scores[order], s.weights[order], s.window[order]
    gain = np.where(ids == OUTSIDE, weights, 0.0)
    for w in np.unique(ids[ids != OUTSIDE]):
        at = np.flatnonzero(ids == w)
        best = np.maximum.accumulate(weights[at])
        # Only a detection earlier than every one so far improves the window.
        gain[at] = np.diff(best, prepend=-cost.fn)
    total = -cost.fn * s.n_windows + np.cumsum(gain)
    # Tied scores cross any threshold together: keep the last row of each tie.
    last = np.flatnonzero(np.append(scores[1:] != scores[:-1], True))
    thresholds = np.concatenate([[np.inf], scores[last]])
    return thresholds, np.concatenate([[-cost.fn * s.n_windows], total[last]])


def optimise_threshold(sweeps: Sequence[Sweep], cost: CostMatrix) -> tuple[float, float]:
    """The corpus-wide threshold maximising the summed raw score, and that score."""
    thresholds, totals = scores_by_threshold(sweeps, cost)
    best = int(np.argmax(totals))
    return float(thresholds[best]), float(totals[best])


def score_at_threshold(one: Sweep, threshold: float, cost: CostMatrix) -> float:
    """Raw NAB score of one file when the detector fires at ``score >= threshold``."""
    fired = one.scores >= threshold
    total = float(one.weights[fired & (one.window == OUTSIDE)].sum())
    for w in range(one.n_windows):
        hits = one.weights[fired & (one.window == w)]
        total += float(hits.max()) if len(hits) else -cost.fn
    return total


def null_score(n_windows: int, cost: CostMatrix) -> float:
    """Raw score of the detector that never fires."""
    return -cost.fn * n_windows


def perfect_score(n_windows: int, cost: CostMatrix) -> float:
    """Raw score of detecting every window on its first row and nothing else."""
    return cost.tp * n_windows


def normalise(raw: float, null: float, perfect: float) -> float:
    """NAB's reported score: 0 for the null detector, 100 for the perfect one."""
    return 100.0 * (raw - null) / (perfect - null)
