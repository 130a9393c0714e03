"""Detection on wording it was not written from (issue 13, item 4).

The matrix base (``simulations/scenarios/matrix``) at full size, in its default wording
and in each held-out wording family of ``simulations/wording/`` (benign accounts worded
the same way as the campaigns), against the bounds its ``expected.json`` declares: the
issue's targets for every cell of the adaptive-attacker matrix (precision >= 0.97, recall
>= 0.9 per campaign, leaked tokens <= 0.2 per campaign), benign FPR <= 0.004 (the target is
0.003), no heavy benign account enforced on, and for the campaign types under
``known_gaps`` the floors measured for them. The failure lists what is missed.
The run is the one ``harvestguard evaluate --matrix`` makes for the ``none`` and
``reworded-*`` rows.
"""

from __future__ import annotations

import orjson
import pytest

from simulations.acceptance import expected
from simulations.evaluate import check_bounds
from simulations.evasions import apply
from simulations.matrix import run_scenario
from simulations.spec import load_scenario
from simulations.wording import HELD_OUT

BASE = "matrix"


@pytest.mark.slow
@pytest.mark.parametrize("evasion", ["none", *(f"reworded-{w}" for w in HELD_OUT)])
def test_the_matrix_base_meets_its_bounds_in_every_wording(evasion: str) -> None:
    scenario = apply(load_scenario(BASE), evasion)
    assert evasion == "none" or scenario.wording != "default"
    run = run_scenario(scenario)
    assert run.metrics.tp + run.metrics.fn >= 250, "every campaign at full size"
    failures = check_bounds(run.metrics, expected(BASE)["detection"], scenario.wording)
    print(f"\nHELD-OUT [{evasion}]:", orjson.dumps(run.summary()).decode())
    assert not failures, failures
