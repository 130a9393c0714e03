"""Scenarios as acceptance tests: every folder under ``simulations/scenarios`` is generated at
its test size, twice, and checked against its ``expected.json``.

Checked here: contract validity, ts order, unique ids, labels matching the
events, count bounds, every persona and campaign present, heavy accounts at real rates,
honest linkage, same bytes for the same seed. Full sizes run in ``benchmarks/simulate.py``.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from service.offline import detect_file
from simulations.acceptance import check_generated, expected
from simulations.evaluate import Metrics, check_bounds, evaluate, read_verdicts
from simulations.generator import generate
from simulations.labels import read_labels
from simulations.spec import load_scenario, scenario_names

# ---------------------------------------------------------------- DETECTION BOUNDS (issue 4)
# The detection targets in expected.json ("detection": precision >= 0.95, recall >= 0.9 per
# campaign, benign FPR <= 0.005, no heavy benign account enforced on, leaked tokens <= 0.2)
# are asserted at full size, where the issue measures them; a campaign type declared under
# "known_gaps" is held to the floor measured for it instead. At the test size
# (3 % of the accounts and events) a hydra account sends one or two requests, too few for
# any detector; there the verdict lines are checked against the contract only.
FULL_SIZE = ("mixed", "hydra", "holdout")
# Folders whose declared detection bounds another test file asserts at full size.
ASSERTED_ELSEWHERE = {"matrix": Path(__file__).with_name("test_heldout_wording.py")}


def _generate(name: str, directory: Path) -> tuple[Path, Path]:
    scenario = load_scenario(name).scaled(expected(name)["test_scale"])
    events = directory / f"{name}.jsonl"
    generate(scenario, events)
    return events, directory / f"{name}.labels.jsonl"


@pytest.mark.parametrize("name", scenario_names())
def test_scenario_generates_as_expected(name: str, tmp_path: Path) -> None:
    exp = expected(name)
    scenario = load_scenario(name).scaled(exp["test_scale"])
    events, labels = _generate(name, tmp_path / "a")
    again, again_labels = _generate(name, tmp_path / "b")
    assert events.read_bytes() == again.read_bytes(), "same seed must give the same bytes"
    assert labels.read_bytes() == again_labels.read_bytes()
    failed = [
        str(c)
        for c in check_generated(scenario, events, read_labels(labels), exp["test"])
        if not c.ok
    ]
    assert not failed, "\n".join(failed)


def test_every_scenario_folder_is_complete() -> None:
    names = scenario_names()
    assert {"smoke", "mixed", "hydra", "holdout", "matrix"} <= set(names)
    for name in names:
        exp = expected(name)
        assert {"full", "test", "test_scale", "detection"} <= set(exp), name
        spec = load_scenario(name)
        assert spec.campaigns and spec.benign.heavy.accounts >= 1, name


def test_every_declared_detection_bound_is_asserted_at_its_size() -> None:
    """A folder declares detection bounds only if a test asserts them at full size."""
    declaring = {name for name in scenario_names() if expected(name)["detection"]}
    assert declaring == set(FULL_SIZE) | set(ASSERTED_ELSEWHERE)
    for name in declaring:
        assert expected(name)["detection"]["recall_min_per_campaign"] >= 0.9, name
    for name, test_file in ASSERTED_ELSEWHERE.items():
        assert f'"{name}"' in test_file.read_text(), f"{test_file.name} does not run {name}"


def _detect(
    name: str, events: Path, labels_path: Path, tmp_path: Path
) -> tuple[Metrics, list[str]]:
    """Run offline detection; its metrics and the failures against the scenario's bounds."""
    verdicts_path = tmp_path / "verdicts.jsonl"
    detect_file(events, verdicts_path)
    labels = read_labels(labels_path)
    verdicts = read_verdicts(verdicts_path)
    for v in verdicts.values():  # the verdict lines follow the contract
        assert v.account_id in labels and v.action in ("review", "throttle", "block")
        assert v.score is not None and 0.0 <= v.score <= 1.0
        assert v.events_before_flag is None or v.events_before_flag >= 1
    metrics = evaluate(events, labels, verdicts)
    return metrics, check_bounds(metrics, expected(name)["detection"])


@pytest.mark.parametrize("name", scenario_names())
def test_verdicts_follow_the_contract_at_test_size(name: str, tmp_path: Path) -> None:
    events, labels_path = _generate(name, tmp_path)
    metrics, _ = _detect(name, events, labels_path, tmp_path)
    assert metrics.tp + metrics.fp + metrics.fn + metrics.tn == len(read_labels(labels_path))


@pytest.mark.slow
@pytest.mark.parametrize("name", FULL_SIZE)
def test_detection_meets_the_issue_bounds_at_full_size(name: str, tmp_path: Path) -> None:
    events = tmp_path / f"{name}.jsonl"
    generate(load_scenario(name), events)
    metrics, failures = _detect(name, events, tmp_path / f"{name}.labels.jsonl", tmp_path)
    print(f"\nDETECTION BOUNDS [{name}]:", orjson.dumps(metrics.as_dict()).decode())
    assert not failures, failures
