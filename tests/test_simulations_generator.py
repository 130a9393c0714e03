"""The generator: contract-valid, deterministic traffic with the properties each persona and
campaign is supposed to have (checked on the ``smoke`` scenario)."""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from service.contract import DEFAULT_STATUS, NO_PARAMS, RequestEvent, iter_lines, parse_event
from simulations.generator import generate
from simulations.i18n import _BANKS
from simulations.labels import Label, read_labels
from simulations.spec import CAMPAIGN_TYPES, PERSONAS, Scenario, load_scenario
from simulations.vocabulary import words

Smoke = tuple[Scenario, list[RequestEvent], dict[str, Label]]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> Smoke:
    scenario = load_scenario("smoke")
    out = tmp_path_factory.mktemp("smoke") / "smoke.jsonl"
    generate(scenario, out)
    events = [parse_event(line) for _, line in iter_lines(out)]
    return scenario, events, read_labels(out.with_name("smoke.labels.jsonl"))


def _by(smoke: Smoke, **match: object) -> list[RequestEvent]:
    _, events, labels = smoke
    keep = {a for a, lab in labels.items() if all(getattr(lab, k) == v for k, v in match.items())}
    return [e for e in events if e.account_id in keep]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_persona_and_campaign_type_is_present(smoke: Smoke) -> None:
    assert set(smoke[0].benign.personas) == set(PERSONAS[:8])  # smoke predates support_desk
    for persona in smoke[0].benign.personas:
        assert _by(smoke, persona=persona), persona
    for kind in CAMPAIGN_TYPES:
        assert _by(smoke, campaign_type=kind), kind


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    scenario = load_scenario("smoke").scaled(0.3)
    for name in ("a.jsonl", "b.jsonl", "a.jsonl.gz", "b.jsonl.gz"):
        generate(scenario, tmp_path / name)
    assert _digest(tmp_path / "a.jsonl") == _digest(tmp_path / "b.jsonl")
    assert _digest(tmp_path / "a.jsonl.gz") == _digest(tmp_path / "b.jsonl.gz")
    assert _digest(tmp_path / "a.labels.jsonl") == _digest(tmp_path / "b.labels.jsonl")
    generate(scenario.scaled(1.0, seed=scenario.seed + 1), tmp_path / "c.jsonl")
    assert _digest(tmp_path / "a.jsonl") != _digest(tmp_path / "c.jsonl")


def test_heavy_benign_accounts_burst_at_real_rates(smoke: Smoke) -> None:
    heavy = _by(smoke, heavy=True)
    assert heavy
    _, counts = np.unique(np.floor([e.ts for e in heavy]), return_counts=True)
    assert counts.max() >= 100  # hundreds of requests a second, as the real client did


def test_benign_hard_negatives(smoke: Smoke) -> None:
    def share(events: list[RequestEvent], test: Callable[[RequestEvent], object]) -> float:
        return sum(1 for e in events if test(e)) / len(events)

    step = {"step", "steps", "reasoning", "work", "explain"}
    assert share(_by(smoke, persona="eval_harness"), lambda e: words(e.prompt or "") & step) > 0.1
    assert share(_by(smoke, persona="tutoring"), lambda e: (e.messages or 0) > 2) > 0.2
    chat = _by(smoke, persona="chat_app")
    assert share(chat, lambda e: (e.messages or 0) > 2) > 0.3 and all(e.session_id for e in chat)
    rag = [e for e in _by(smoke, persona="rag_summarisation") if e.completion_tokens]
    assert statistics.median(e.prompt_tokens / e.completion_tokens for e in rag) > 5
    tiny = _by(smoke, persona="classification")
    assert statistics.median(e.completion_tokens for e in tiny) <= 5
    translation = {e.prompt.split(":")[0] for e in _by(smoke, persona="translation") if e.prompt}
    assert len(translation) >= 3
    synthetic = _by(smoke, persona="synthetic_data")
    assert statistics.median(e.completion_tokens for e in synthetic) > 300


def test_honest_linkage_exists(smoke: Smoke) -> None:
    _, events, labels = smoke
    payments: dict[str, set[str]] = defaultdict(set)
    subnets: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if not labels[e.account_id].is_attack:
            payments[e.payment_fingerprint or ""].add(e.account_id)
            subnets[(e.client_ip or "").rsplit(".", 1)[0]].add(e.account_id)
    assert any(len(accounts) > 1 for accounts in payments.values())  # enterprise sub-accounts
    # A corporate NAT /24 shared by unrelated customers, each with its own payment method.
    pay = {e.account_id: e.payment_fingerprint for e in events}
    shared = [
        a
        for a in subnets.values()
        if len(a) > 1 and all(labels[x].nat for x in a) and len({pay[x] for x in a}) > 1
    ]
    assert shared


def test_hydra_is_many_new_small_accounts_behind_proxies(smoke: Smoke) -> None:
    scenario, events, labels = smoke
    hydra = _by(smoke, campaign_type="hydra")
    accounts = {e.account_id for e in hydra}
    assert len(accounts) >= 20
    assert all(e.account_created and scenario.t0 - e.account_created < 15 * 86_400 for e in hydra)
    assert len({(e.client_ip or "").rsplit(".", 1)[0] for e in hydra}) >= 8
    by_payment = Counter(
        next(e.payment_fingerprint for e in hydra if e.account_id == a) for a in accounts
    )
    assert max(by_payment.values()) >= 4
    per_account = Counter(e.account_id for e in hydra)
    benign = Counter(e.account_id for e in events if not labels[e.account_id].is_attack)
    assert max(per_account.values()) <= np.percentile(list(benign.values()), 90)
    # A share of ordinary-looking traffic: multi-turn chat requests.
    assert any((e.messages or 0) > 2 for e in hydra)


def test_logit_probe_one_token_completions(smoke: Smoke) -> None:
    probe = _by(smoke, campaign_type="logit_probe")
    probe_params = [e.params or NO_PARAMS for e in probe]
    assert all(p.logprobs and (p.logit_bias or 0) >= 50 for p in probe_params)
    assert all(p.max_tokens == 1 for p in probe_params)
    assert all(e.completion_tokens <= 1 for e in probe)
    # Honest classification pipelines use logit_bias and logprobs too, with tiny outputs.
    classification = _by(smoke, persona="classification")
    assert any((e.params or NO_PARAMS).logit_bias for e in classification)


def test_model_pivot_moves_half_its_traffic_within_hours(smoke: Smoke) -> None:
    scenario, events, _ = smoke
    release = scenario.t0 + scenario.release.at * scenario.duration_s
    pivot = _by(smoke, campaign_type="model_pivot")
    pivot_accounts = {e.account_id for e in pivot}
    before = [e for e in pivot if e.ts < release]
    late = [e for e in pivot if e.ts > release + 0.4 * 3600]
    assert before and not any(e.model == "reasoner-2" for e in before)
    assert sum(e.model == "reasoner-2" for e in late) / len(late) >= 0.5
    benign = [e for e in events if e.ts > release and e.account_id not in pivot_accounts]
    assert sum(e.model == "reasoner-2" for e in benign) / len(benign) < 0.05


def _language(text: str) -> set[str]:
    found = set()
    vocab = words(text)
    for lang, bank in _BANKS.items():
        if vocab & set().union(*(words(p) for p in bank["reasoning"])):
            found.add(lang)
    return found


def test_multilingual_coercion_spans_six_languages(smoke: Smoke) -> None:
    langs: set[str] = set()
    for e in _by(smoke, campaign_type="multilingual_cot"):
        langs |= _language(e.prompt or "")
    assert len(langs) >= 6, langs


def test_slow_drip_and_mimicry_look_human(smoke: Smoke) -> None:
    for kind in ("slow_drip", "chat_mimicry"):
        events = _by(smoke, campaign_type=kind)
        by_account: dict[str, list[float]] = defaultdict(list)
        for e in events:
            by_account[e.account_id].append(e.ts)
        gaps = [b - a for ts in by_account.values() for a, b in itertools.pairwise(ts)]
        assert statistics.median(gaps) >= 5.0, kind  # think time, not a script's pace
        assert all(e.session_id for e in events)
    mimic = _by(smoke, campaign_type="chat_mimicry")
    assert sum((e.messages or 0) > 2 for e in mimic) / len(mimic) > 0.4
    assert all(e.user_id for e in mimic)


def test_reasoning_models_report_reasoning_and_length_means_max_tokens(smoke: Smoke) -> None:
    _, events, _ = smoke
    for e in events:
        status, params = e.status or DEFAULT_STATUS, e.params or NO_PARAMS
        if status == 200 and e.model.startswith("reasoner"):
            assert e.reasoning_tokens is not None and e.reasoning_tokens <= e.completion_tokens
        if e.finish_reason == "length":
            assert e.completion_tokens == (params.max_tokens or 0) * (params.n or 1)
        if status != 200:
            assert e.completion_tokens == 0
    statuses = Counter(e.status or DEFAULT_STATUS for e in events)
    assert statuses[429] and (statuses[500] or statuses[503])


def test_scaling_and_hours() -> None:
    s = load_scenario("mixed")
    half = s.scaled(0.5)
    assert half.benign.events == round(s.benign.events * 0.5)
    assert half.campaigns[1].accounts == round(s.campaigns[1].accounts * 0.5)
    short = s.scaled(1.0, hours=3.0)
    assert short.hours == 3.0 and short.benign.events == round(s.benign.events / 2)
    assert math.isclose(short.duration_s, 3 * 3600)


@pytest.mark.parametrize(
    "patch",
    [
        {"campaigns": [{"id": "x", "type": "nope", "accounts": 1, "events": 1}]},
        {
            "campaigns": [
                {"id": "x", "type": "hydra", "accounts": 1, "events": 1, "start": 0.5, "end": 0.4}
            ]
        },
        {"benign": {"accounts": 1, "events": 1, "personas": {"astrologer": 1}}},
        {"start": "2026-01-01T00:00:00"},
    ],
)
def test_spec_rejects_mistakes(patch: dict[str, object]) -> None:
    base = load_scenario("smoke").model_dump(mode="json")
    with pytest.raises(ValidationError):
        Scenario.model_validate({**base, **patch})


@pytest.mark.parametrize(
    ("patch", "named"),
    [
        ({"wording": "shakespeare"}, "unknown wording 'shakespeare'; known: default, spec"),
        ({"omit_fields": ["asn", "account_id"]}, "omit_fields ['account_id'] are not optional"),
    ],
)
def test_spec_names_an_unknown_wording_or_a_required_field(
    patch: dict[str, object], named: str
) -> None:
    base = load_scenario("smoke").model_dump(mode="json")
    with pytest.raises(ValidationError, match=re.escape(named)):
        Scenario.model_validate({**base, **patch})


def test_jittered_synchronised_ticks_still_come_out_in_ts_order(tmp_path: Path) -> None:
    base = load_scenario("smoke").model_dump(mode="json")
    base["campaigns"] = [
        {"id": "sync", "type": "multilingual_cot", "accounts": 8, "events": 3000,
         "timing": "poisson"}
    ]  # fmt: skip
    out = tmp_path / "sync.jsonl"
    generate(Scenario.model_validate(base).scaled(0.3), out)
    ts = [parse_event(line).ts for _, line in iter_lines(out)]
    assert ts == sorted(ts)
