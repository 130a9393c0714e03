"""The sensitivity table's machinery: what a threshold moved by a factor is, that a move is
undone after its run, that every named threshold exists, and that moving one changes what
detection flags in the direction it should."""

from __future__ import annotations

from typing import Any

import pytest

import detectors.farm
from detectors.content import KINDS
from detectors.registry import Scorer
from simulations.sensitivity import KNOBS, moved, run_sensitivity, scaled
from simulations.spec import load_scenario


def test_scaled_moves_numbers_ramps_and_sizes() -> None:
    assert scaled(8.0, 1.3) == pytest.approx(10.4)
    assert scaled(3, 0.7) == 2 and scaled(1, 0.3) == 1  # a count stays a whole number >= 1
    assert scaled((12.0, 60.0), 0.7) == pytest.approx((8.4, 42.0))
    assert scaled({"payment": 8.0}, 1.3) == {"payment": pytest.approx(10.4)}
    kind = scaled(KINDS[1], 1.3)  # reasoning_harvest: share 0.5 to 0.9
    assert kind.share_floor == pytest.approx(0.65) and kind.share_full == 1.0  # a share <= 1
    assert kind.volume_full == pytest.approx(KINDS[1].volume_full * 1.3)
    assert kind.weight == KINDS[1].weight


def test_a_move_lasts_for_its_run_only() -> None:
    bias, crowd = Scorer([]).bias, detectors.farm.CROWD
    settings: dict[str, Any] = {}
    knobs = {k.name: k for k in KNOBS}
    with moved(knobs["bias"], 1.3, settings), moved(knobs["crowd"], 0.7, settings):
        assert Scorer([]).bias == pytest.approx(bias * 1.3)
        assert pytest.approx(tuple(c * 0.7 for c in crowd)) == detectors.farm.CROWD
    assert Scorer([]).bias == bias and crowd == detectors.farm.CROWD
    with moved(knobs["new_account_days"], 0.7, settings):
        pass
    assert settings == {"new_account_days": pytest.approx(21.0)}


@pytest.mark.parametrize("knob", KNOBS, ids=lambda k: k.name)
def test_every_threshold_names_something_that_exists(knob: Any) -> None:
    """A renamed constant or parameter must fail here, not move nothing in silence."""
    with moved(knob, 1.3, {}):
        pass


def test_a_higher_bias_flags_no_more_accounts_and_a_lower_one_no_fewer() -> None:
    base = load_scenario("smoke").scaled(0.5)
    runs = run_sensitivity(base, ["none"], ["bias"])
    flagged = {f: r.metrics.tp + r.metrics.fp for (_, _, f), r in runs.items()}
    assert set(flagged) == {1.0, 0.7, 1.3}
    assert flagged[1.3] <= flagged[1.0] <= flagged[0.7]
    assert flagged[1.3] < flagged[0.7]
    # Moved in worker processes, the same (and the move does not leak into the next run).
    again = run_sensitivity(base, ["none"], ["bias"], jobs=2)
    assert {f: r.metrics.tp + r.metrics.fp for (_, _, f), r in again.items()} == flagged
