"""NAB scoring on small synthetic series, and the volumetric detector it measures."""

from __future__ import annotations

import importlib.util
import json
import math
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from river.base import AnomalyDetector

from benchmarks import nab_scoring as nab
from benchmarks.volumetric import RangeNovelty
from simulations.rawdata import data_dir

STD = nab.STANDARD
N = 400  # probation is 60 rows
WINDOWS = [(150, 169), (300, 319)]


def scored(scores: np.ndarray, windows: list[tuple[int, int]] = WINDOWS) -> float:
    """Raw standard score of one file when the detector fires wherever scores are 1."""
    return nab.score_at_threshold(nab.sweep(scores, windows, STD), 1.0, STD)


def fire_at(rows: list[int], n: int = N) -> np.ndarray:
    out = np.zeros(n)
    out[rows] = 1.0
    return out


def fire(*rows: int) -> np.ndarray:
    return fire_at(list(rows))


def weight(row: int) -> float:
    """What a detection on ``row`` of the synthetic file is worth."""
    return float(nab.sweep(np.zeros(N), WINDOWS, STD).weights[row - nab.probation_length(N)])


def test_sigmoid_and_probation_follow_nab() -> None:
    assert nab.scaled_sigmoid(0.0) == 0.0
    assert nab.scaled_sigmoid(-1.0) == pytest.approx(2 / (1 + math.exp(-5)) - 1)
    assert nab.scaled_sigmoid(3.5) == -1.0
    assert nab.probation_length(400) == 60
    assert nab.probation_length(22_695) == 750


def test_null_detector_scores_zero_and_perfect_scores_hundred() -> None:
    files = [(N, WINDOWS), (300, [(100, 139)]), (250, [])]
    n_windows = sum(len(w) for _, w in files)
    for cost in nab.PROFILES.values():
        null = [nab.sweep(np.zeros(n), w, cost) for n, w in files]
        best = [nab.sweep(fire_at([a for a, _ in w], n), w, cost) for n, w in files]
        null_raw = nab.optimise_threshold(null, cost)[1]
        best_raw = nab.optimise_threshold(best, cost)[1]
        assert null_raw == nab.null_score(n_windows, cost)
        assert best_raw == pytest.approx(nab.perfect_score(n_windows, cost))
        null_at, perfect_at = nab.null_score(n_windows, cost), nab.perfect_score(n_windows, cost)
        assert nab.normalise(null_raw, null_at, perfect_at) == 0.0
        assert nab.normalise(best_raw, null_at, perfect_at) == pytest.approx(100.0)


def test_early_detection_beats_late_and_only_the_first_counts() -> None:
    early, late = scored(fire(151, 300)), scored(fire(165, 300))
    assert early > late
    # Later detections in the same window neither add nor take away.
    assert scored(fire(151, 160, 168, 300)) == early
    # Missing the window instead costs the full false-negative weight.
    assert scored(fire(300)) == pytest.approx(early - weight(151) - STD.fn)
    assert weight(150) == pytest.approx(STD.tp)


def test_false_positives_cost_less_just_after_a_window() -> None:
    clean = scored(fire(151, 301))
    before_any_window = scored(fire(100, 151, 301))
    just_after = scored(fire(151, 172, 301))
    far_after = scored(fire(151, 260, 301))
    assert before_any_window == pytest.approx(clean - STD.fp)
    assert clean > just_after > far_after
    assert far_after == pytest.approx(clean - STD.fp, abs=1e-3)


def test_probation_ignores_detections_and_windows_inside_it() -> None:
    assert scored(fire(10, 151, 301)) == scored(fire(151, 301))
    # A window wholly inside probation is neither a miss nor a hit.
    assert scored(np.zeros(N), [(10, 20), *WINDOWS]) == -2.0


def test_one_threshold_for_the_corpus_maximises_the_summed_score() -> None:
    rng = np.random.default_rng(7)
    files = [(N, WINDOWS), (N, [(200, 229)])]
    sweeps = [nab.sweep(rng.random(n), w, STD) for n, w in files]
    thresholds, totals = nab.scores_by_threshold(sweeps, STD)
    threshold, best = nab.optimise_threshold(sweeps, STD)
    assert best == totals.max()
    assert sum(nab.score_at_threshold(s, threshold, STD) for s in sweeps) == pytest.approx(best)
    for t, total in zip(thresholds[1:50], totals[1:50], strict=True):
        got = sum(nab.score_at_threshold(s, t, STD) for s in sweeps)
        assert got == pytest.approx(total)


def series_with_spike(at: int, n: int = 2000) -> list[float]:
    rng = random.Random(3)
    values = [100 + 10 * math.sin(i / 40) + rng.gauss(0, 3) for i in range(n)]
    values[at] += 120
    return values


def test_detector_flags_an_obvious_spike() -> None:
    detector = RangeNovelty()
    scores = []
    for value in series_with_spike(1500):
        scores.append(detector.score_one({"value": value}))
        detector.learn_one({"value": value})
    assert int(np.argmax(scores)) == 1500
    assert scores[1500] > 0.99
    # Noise keeps setting small new records as the range fills; none comes close.
    quiet = scores[300:1500] + scores[1501:]
    assert max(quiet) < 0.75


def test_detector_speaks_rivers_protocol() -> None:
    detector = RangeNovelty(smoothing=5.0, window=400)
    assert isinstance(detector, AnomalyDetector)
    for value in series_with_spike(900, 1000):
        detector.learn_one({"value": value})
    score = detector.score_one({"value": 500.0})
    assert isinstance(score, float)
    assert 0.0 <= score <= 1.0
    # Scoring is read-only.
    assert detector.score_one({"value": 500.0}) == score
    fresh = detector.clone()
    assert isinstance(fresh, RangeNovelty)
    assert fresh._get_params() == detector._get_params()
    assert fresh.score_one({"value": 500.0}) == 0.0


def test_detector_ignores_missing_values_and_flags_a_flat_series_moving() -> None:
    detector = RangeNovelty(grace_period=5)
    for _ in range(50):
        detector.learn_one({"value": 7.0})
    detector.learn_one({"value": float("nan")})
    detector.learn_one({})
    assert detector.score_one({"value": 7.0}) == 0.0
    assert detector.score_one({"value": float("inf")}) == 0.0
    assert detector.score_one({"value": 8.0}) > 0.99


DATA = data_dir() / "nab"  # $HARVESTGUARD_DATA, shared/data beside the repo, or /work/shared


def test_scorer_reproduces_nabs_published_random_detector() -> None:
    assert DATA.is_dir(), f"the NAB data must be at {DATA}"
    spec = importlib.util.spec_from_file_location(
        "nab_benchmark", Path(__file__).resolve().parents[1] / "benchmarks" / "nab.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    # Its dataclasses resolve their annotations through sys.modules.
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)
    corpus = bench.load_corpus(DATA)
    scores = [bench.as_published(bench.nab_random(s.values)) for s in corpus]
    stored = json.loads((DATA / "config" / "thresholds.json").read_text())["random"]
    fixed = {p: float(stored[p]["threshold"]) for p in bench.PROFILE_NAMES}
    profiles = nab.load_profiles(DATA / "config" / "profiles.json")
    got = bench.evaluate(corpus, scores, profiles, fixed).normalised
    published = json.loads((DATA / "results" / "final_results.json").read_text())["random"]
    for profile in bench.PROFILE_NAMES:
        assert got[profile] == pytest.approx(published[profile], abs=1e-6)
