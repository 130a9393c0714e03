"""Real-data readers, timing models and the prompt grammar."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from simulations import digest, rawdata, realdata
from simulations.arrivals import expected_events, human_sessions, renewal, trace_arrivals
from simulations.grammar import Grammar
from simulations.prompts import grammar, kinds
from simulations.realdata import FIT_GAMMA, FIT_WEIBULL, load_trace, summaries
from simulations.tokens import SERVEGEN_POOLS, sampler_for
from simulations.wording import NAMES as WORDINGS


def test_servegen_clients_are_heterogeneous_and_huge() -> None:
    s = summaries()
    assert len(s) > 140
    peaks = sorted(x.peak_rate for x in s)
    assert peaks[-1] > 2000  # m-mid's largest client: thousands of requests a second
    assert np.median([x.mean_active_rate for x in s]) < 50
    trace = load_trace("m-mid/chunk-60")
    assert trace.windows == 2016 and trace.rate.max() > 2800


def test_raw_dataset_windows_parse_and_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARVESTGUARD_CACHE", str(tmp_path))
    rawdata._dataset.cache_clear()
    rawdata.dataset_window.cache_clear()
    name = "m-small/chunk-12"
    starts = rawdata.dataset_starts(name)
    assert starts and list(tmp_path.glob("servegen/*.json"))
    inp, out = rawdata.dataset_window(name, starts[0])
    # This client labels: about 40 tokens in, 1 out.
    assert out.median() <= 3 and 10 <= inp.median() <= 200
    rawdata._dataset.cache_clear()  # the next read comes from the on-disk cache
    assert rawdata.dataset_starts(name) == starts
    rawdata._dataset.cache_clear()
    rawdata.dataset_window.cache_clear()


def test_packaged_digest_is_built_from_the_raw_data() -> None:
    built = digest.build()
    with np.load(realdata.DIGEST) as packaged:
        assert set(packaged.files) == set(built)
        for key, array in built.items():
            assert np.array_equal(packaged[key], array), key
    # And the digest keeps the raw traces: same windows, same rates, shapes to float32.
    for name in ("m-mid/chunk-60", "m-small/chunk-12", "m-mid/chunk-49"):
        raw, packed = rawdata.load_trace(name), realdata.load_trace(name)
        assert np.array_equal(raw.rate, packed.rate) and np.array_equal(raw.fit, packed.fit)
        assert np.allclose(raw.shape, packed.shape, rtol=1e-6)
    assert np.array_equal(realdata.azure_pairs("code"), rawdata.azure_pairs("code"))
    assert np.array_equal(realdata.mooncake_pairs(), rawdata.mooncake_pairs())


def test_simulator_runs_without_the_raw_data(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path\n"
        "from simulations.generator import generate\n"
        "from simulations.spec import load_scenario\n"
        f"generate(load_scenario('smoke').scaled(0.05), Path({str(tmp_path / 'e.jsonl')!r}))\n"
        "assert 'simulations.rawdata' not in sys.modules\n"
    )
    env = {**os.environ, "HARVESTGUARD_DATA": str(tmp_path / "nowhere")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=tmp_path)
    assert (tmp_path / "e.jsonl").stat().st_size > 0


@pytest.mark.parametrize("source", ["azure_code", "azure_conv", "mooncake", *SERVEGEN_POOLS])
def test_token_sources(source: str) -> None:
    prompt, completion = sampler_for(source, 0.3, 0.0)(np.random.default_rng(1), 500)
    assert prompt.shape == completion.shape == (500,)
    assert (prompt >= 0).all() and (completion >= 0).all()


def test_input_heavy_sources_are_input_heavy() -> None:
    rng = np.random.default_rng(2)
    prompt, completion = sampler_for("azure_code", 0.0, 0.0)(rng, 4000)
    assert np.median(prompt) > 20 * np.median(completion)  # Azure code: ~1,500 in, ~13 out


@pytest.mark.parametrize(("fit", "shape", "cv"), [(FIT_GAMMA, 0.25, 2.0), (FIT_WEIBULL, 1.0, 1.0)])
def test_renewal_keeps_rate_and_burstiness(fit: int, shape: float, cv: float) -> None:
    rng = np.random.default_rng(3)
    times, _ = renewal(rng, 20.0, fit, shape, 2000.0)
    assert len(times) == pytest.approx(40_000, rel=0.1)
    gaps = np.diff(times)
    assert gaps.std() / gaps.mean() == pytest.approx(cv, rel=0.2)


def test_sparse_bursty_client_is_not_overcounted() -> None:
    trace = load_trace("m-mid/chunk-12")  # active in few windows, bursty
    first = int(np.flatnonzero(trace.rate > 0)[0])
    want = expected_events(trace, first, 36) * 0.05
    counts = [
        len(trace_arrivals(np.random.default_rng(s), trace, first, 36, 0.0, 0.05))
        for s in range(300)
    ]
    # About two requests expected: restarting the process at each window would give double.
    assert np.mean(counts) == pytest.approx(want, rel=0.2)


def test_human_sessions_keep_waking_hours() -> None:
    rng = np.random.default_rng(4)
    times, sessions = human_sessions(rng, 0.0, 3 * 86_400.0, 400, utc_offset_h=0.0)
    hours = (times / 3600.0) % 24
    assert ((hours >= 8) & (hours <= 24)).mean() > 0.95
    assert len(set(sessions.tolist())) > 30 and (np.diff(times) >= 0).all()


def test_grammar_renders_escapes_and_weights() -> None:
    g = Grammar({"x": ["a{y}", "b"], "y": [("1", 9.0), ("2", 1.0)], "n": lambda r: "7"})
    rng = random.Random(0)
    assert g.render("{{literal}} {n}", rng) == "{literal} 7"
    draws = [g.expand("y", rng) for _ in range(2000)]
    assert 0.85 < draws.count("1") / 2000 < 0.95
    with pytest.raises(KeyError):
        g.render("{missing}", rng)


@pytest.mark.parametrize("wording", WORDINGS)
def test_every_template_of_every_kind_renders(wording: str) -> None:
    g, rng = grammar(wording), random.Random(5)
    for kind in kinds(wording).values():
        for template in kind.templates + kind.systems + kind.follow_ups:
            assert not re.search(r"\{[a-z0-9_]+\}", g.render(template, rng)), template


def test_module_examples_run() -> None:
    import doctest

    from simulations import evasions, generator
    from simulations import grammar as grammar_module

    for module in (grammar_module, generator, evasions):
        result = doctest.testmod(module)
        assert result.attempted and result.failed == 0, module
