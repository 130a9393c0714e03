"""The contract every detector keeps, checked over the registry (as river's check_estimator).

Each evidence family: parameters stored unchanged (clone and repr rebuild it), the
same dict always gives the same score, the score is the sum of the explained
signals and never negative, every signal names its family's reason codes and the
feature it read, a family switched off adds nothing, its docstring example runs,
and ``detectors/`` imports nothing from the service.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import math
import random
from pathlib import Path

import pytest

from detectors.base import Detector, Evidence, clone
from detectors.baseline import PeerBaseline
from detectors.families import FAMILIES
from detectors.registry import REGISTRY, Scorer, build, family_of

DETECTORS = Path(__file__).resolve().parent.parent / "detectors"


def random_vector(rng: random.Random) -> dict[str, float]:
    """An account's features, with linked groups, drawn over their whole ranges."""
    requests = math.exp(rng.uniform(0.0, 9.0))
    x = {
        "requests": requests,
        "rate_1h": rng.uniform(0.0, 8.0),
        "account_age_days": rng.choice([-1.0, rng.uniform(0.0, 900.0)]),
        "gap_cv": rng.uniform(0.0, 4.0),
        "cot_languages": float(rng.randrange(0, 6)),
        "completion_mean": rng.uniform(0.0, 4000.0),
        "completion_ratio": rng.uniform(0.0, 20.0),
        "completion_day": rng.uniform(0.0, 1e7),
        "reasoning_mean": rng.uniform(0.0, 3000.0),
    }
    for share in ("elicit_share", "grade_share", "long_share", "probe_share", "single_turn_share",
                  "template_repeat", "top_skeleton_share", "distinct_prompt_share", "focus_share",
                  "near_max_share", "reproducible_share", "new_model_share", "harvest_share",
                  "trace_share", "format_share"):  # fmt: skip
        x[share] = rng.random()
    for count in ("harvest_count", "trace_count", "grade_count", "probe_count"):
        x[count] = rng.random() * requests
    for kind in ("payment", "system", "network", "asn_agent", "skeleton"):
        if rng.random() < 0.5:
            members = float(rng.randrange(1, 400))
            group_requests = members * rng.uniform(1.0, 500.0)
            x.update({
                f"{kind}_members": members, f"{kind}_young": rng.random(),
                f"{kind}_aged": rng.random(), f"{kind}_requests": group_requests,
                f"{kind}_harvest": rng.random() * group_requests,
                f"{kind}_long": rng.random() * group_requests,
                f"{kind}_evenness": rng.random(), f"{kind}_single": rng.random(),
            })  # fmt: skip
    return x


def baseline() -> PeerBaseline:
    learned = PeerBaseline(min_accounts=20)
    rng = random.Random(3)
    for _ in range(300):
        learned.learn_one(
            {k: v for k, v in random_vector(rng).items() if "_" in k or k == "requests"}
        )
    return learned


@pytest.fixture(params=list(REGISTRY))
def detector(request: pytest.FixtureRequest) -> Detector:
    return REGISTRY[request.param](baseline())


def test_the_registry_holds_one_detector_per_family() -> None:
    assert tuple(REGISTRY) == FAMILIES
    assert [d.family for d in build()] == list(FAMILIES)
    assert [d.family for d in build(disabled={"farm", "content"})] == [
        f for f in FAMILIES if f not in ("farm", "content")
    ]


def test_a_clone_has_the_same_parameters_and_scores_the_same(detector: Detector) -> None:
    twin = clone(detector)
    assert type(twin) is type(detector) and repr(twin) == repr(detector)
    rng = random.Random(11)
    for _ in range(200):
        x = random_vector(rng)
        assert twin.score_one(x) == detector.score_one(x)


def test_scores_are_deterministic_sums_of_their_signals(detector: Detector) -> None:
    rng = random.Random(5)
    for _ in range(500):
        x = random_vector(rng)
        signals = detector.explain_one(x)
        score = detector.score_one(x)
        assert score == detector.score_one(dict(x))
        assert score == pytest.approx(sum(s.weight for s in signals))
        assert score >= -1e-9 and math.isfinite(score)
        for signal in signals:
            assert family_of(signal.reason) == detector.family, signal.reason
            assert not signal.feature or signal.feature in x or signal.feature.endswith("_share")


def test_nothing_is_evidence_of_nothing(detector: Detector) -> None:
    assert detector.score_one({}) == 0.0
    assert detector.score_one({"requests": 50.0, "account_age_days": 300.0}) == 0.0


def test_learning_stays_off_for_what_the_scorer_flags() -> None:
    """The scorer teaches the baseline only accounts it does not find suspect (the pipeline
    asks ``PROTECT_ABOVE``); learning never changes a family's parameters."""
    from service.scoring import PROTECT_ABOVE

    learned = baseline()
    scorer = Scorer(build(learned))
    rng = random.Random(9)
    flagged = next(
        x for x in (random_vector(rng) for _ in range(2000)) if scorer.score_one(x) >= 0.97
    )
    before = learned.learned
    if scorer.score_one(flagged) < PROTECT_ABOVE:
        learned.learn_one(flagged)
    assert learned.learned == before
    for detector in scorer.detectors:
        params = repr(detector)
        detector.learn_one(flagged)
        assert repr(detector) == params


def test_a_switched_off_family_adds_nothing() -> None:
    rng = random.Random(13)
    for _ in range(200):
        x = random_vector(rng)
        for family in FAMILIES:
            assessment = Scorer(build(disabled={family})).assess(x)
            assert family not in assessment.families
            assert all(s.family != family for s in assessment.signals)


@pytest.mark.parametrize("module", sorted(p.stem for p in DETECTORS.glob("*.py")))
def test_docstring_examples_run(module: str) -> None:
    loaded = importlib.import_module(f"detectors.{module}")
    failures, _ = doctest.testmod(loaded)
    assert failures == 0


def test_every_evidence_family_has_a_runnable_example() -> None:
    for family in FAMILIES:
        module = type(REGISTRY[family](None)).__module__
        assert doctest.testmod(importlib.import_module(module)).attempted > 0, module


def test_detectors_import_nothing_from_the_service() -> None:
    for path in DETECTORS.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not [n for n in names if n.split(".")[0] in ("service", "simulations")], path


def test_families_are_estimators_with_a_family_name() -> None:
    for family, make in REGISTRY.items():
        detector = make(None)
        assert isinstance(detector, Detector) and isinstance(detector, Evidence)
        assert detector.family == family
