# ruff: noqa: RUF001 - the phrases are meant to be in these scripts
"""Detection: content flags, the harvest scorer, the peer baseline, linkage, policy overrides."""

from __future__ import annotations

import doctest
import json
from typing import Any

import pytest

from detectors import baseline as baseline_module
from detectors import harvest as harvest_module
from detectors.baseline import FrozenBaseline, PeerBaseline
from detectors.harvest import BIAS, SIGNAL_FEATURES, HarvestScorer, logistic
from detectors.linkage import link_signal
from service.features.content import COT, LANGUAGES, RUBRIC, TRACE, analyse
from service.features.observation import observe_raw
from service.features.vector import FEATURES, account_vector
from service.features.windows import AccountWindows
from service.pipeline import Envelope, Pipeline
from service.policy import Policy
from service.settings import Settings
from service.state.account import Decision
from service.state.links import Group, MemoryLinks
from service.state.memory import MemoryStore
from tests.factories import T0, event

REVIEW = 0.8


@pytest.mark.parametrize(
    ("prompt", "language"),
    [
        ("Solve 3x + 4 = 19. Let's think step by step.", "en"),
        ("解方程：3x + 4 = 19。请一步一步地思考。", "zh"),
        ("この問題を解いてください。段階的に説明してください。", "ja"),
        ("방정식을 푸세요. 단계별로 설명해 주세요.", "ko"),
        ("Реши уравнение. Давай рассуждать шаг за шагом.", "ru"),
        ("Resuelve la ecuación. Pensemos paso a paso, por favor.", "es"),
        ("Résous l'équation et explique ton raisonnement étape par étape.", "fr"),
        ("Löse die Gleichung und denke Schritt für Schritt, bitte.", "de"),
        ("Resolva a equação passo a passo, por favor, com o seu raciocínio.", "pt"),
        ("حل المعادلة خطوة بخطوة من فضلك.", "ar"),
    ],
)
def test_reasoning_requests_are_seen_in_many_languages(prompt: str, language: str) -> None:
    content = analyse(prompt)
    assert content.flags & COT
    assert LANGUAGES[content.language] == language


def test_trace_demands_rubrics_and_plain_prompts_are_told_apart() -> None:
    trace = analyse("Articulate the internal reasoning behind your answer step by step.")
    assert trace.flags & TRACE and trace.flags & COT
    explain = analyse("Explain each step in detail.")
    assert explain.flags & COT and not explain.flags & TRACE
    rubric = analyse("Please act as an impartial judge and rate it on a scale of 1 to 10.")
    assert rubric.flags & RUBRIC
    plain = analyse("What should I cook tonight with rice and beans?")
    assert not plain.flags & (COT | TRACE | RUBRIC) and plain.language == -1
    assert analyse(None).flags == 0


def test_only_the_head_and_tail_of_a_long_prompt_are_read() -> None:
    middle = "context " * 50_000 + "step by step " + "context " * 50_000
    assert not analyse(middle).flags & COT
    assert analyse("context " * 50_000 + "Think step by step.").flags & COT


def vector(requests: float, **counts: float) -> dict[str, float]:
    x = {"requests": requests, "account_age_days": 400.0, "rate_1h": 3.0}
    return {**x, **counts}


def test_a_trace_harvester_is_flagged_and_the_reason_names_it() -> None:
    scorer = HarvestScorer()
    x = vector(400, trace_count=150, harvest_count=320, single_turn_share=1.0)
    assessment = scorer.assess(x)
    assert assessment.score >= REVIEW
    assert assessment.reasons[0] == "reasoning_trace_harvest"


def test_few_requests_or_honest_reasoning_shares_are_not_flagged() -> None:
    scorer = HarvestScorer()
    # Three requests, all harvesting: too few to judge.
    assert scorer.score_one(vector(3, trace_count=3, harvest_count=3)) < REVIEW
    # A tutoring app: half its answers are long worked explanations, no trace demands.
    assert scorer.score_one(vector(800, harvest_count=300)) < REVIEW
    # Context alone: a brand-new account asking in five languages, no harvesting.
    fresh = vector(300, cot_languages=5.0, account_age_days=0.5, new_model_share=1.0)
    assert scorer.score_one(fresh) == pytest.approx(logistic(-BIAS))


def test_reproducible_decoding_discounts_reasoning_but_not_probing() -> None:
    scorer = HarvestScorer()
    harvest = vector(400, trace_count=150, harvest_count=320)
    benchmark = {**harvest, "reproducible_share": 0.6}
    assert scorer.score_one(benchmark) < REVIEW <= scorer.score_one(harvest)
    assert "reproducible_benchmark" in scorer.assess(benchmark).reasons
    probe = vector(500, probe_count=480)
    assert scorer.score_one({**probe, "reproducible_share": 1.0}) == scorer.score_one(probe)
    assert scorer.score_one(probe) >= REVIEW


def test_the_baseline_learns_only_what_does_not_look_like_harvesting() -> None:
    baseline = PeerBaseline(min_accounts=5)
    scorer = HarvestScorer(baseline)
    for _ in range(10):
        scorer.learn_one(vector(500, harvest_count=10))
        scorer.learn_one(vector(500, trace_count=400, harvest_count=450))
    assert baseline.learned == 10
    peer = baseline.peer(vector(700), "harvest_count")  # read as a share by the baseline
    assert peer is not None and peer.p99 == pytest.approx(10 / 510)


def test_peers_raise_the_floor_of_a_share_that_is_normal_in_their_tier() -> None:
    harvest = vector(400, harvest_count=330)
    alone = HarvestScorer(PeerBaseline(min_accounts=5))
    among_tutors = HarvestScorer(PeerBaseline(min_accounts=5))
    for _ in range(20):  # a tier where most answers are long worked explanations
        among_tutors.baseline.learn_one(vector(400, harvest_count=300))
    assert among_tutors.score_one(harvest) < alone.score_one(harvest)


def test_a_baseline_snapshot_answers_like_the_baseline() -> None:
    baseline = PeerBaseline(min_accounts=3)
    for i in range(30):
        baseline.learn_one(vector(200 + i, harvest_count=float(i)))
    frozen = FrozenBaseline(baseline.snapshot(), min_accounts=3)
    x = vector(250)
    assert frozen.peer(x, "harvest_count") == baseline.peer(x, "harvest_count")
    assert FrozenBaseline(baseline.snapshot(), min_accounts=100).peer(x, "harvest_count") is None


def test_a_restarted_baseline_starts_from_the_published_one_until_it_knows_enough() -> None:
    tutors = PeerBaseline(min_accounts=5)
    for _ in range(20):
        tutors.learn_one(vector(400, harvest_count=300))
    x = vector(400)
    published = tutors.peer(x, "harvest_count")
    restarted = PeerBaseline(min_accounts=5, prior=FrozenBaseline(tutors.snapshot(), 5))
    assert restarted.peer(x, "harvest_count") == published
    assert restarted.share_floors(x) == tutors.share_floors(x)
    # What it publishes before it knows the tier itself is still the prior's, not less.
    restarted.learn_one(vector(400, harvest_count=0))
    assert FrozenBaseline(restarted.snapshot(), 5).peer(x, "harvest_count") == published
    for _ in range(5):  # now it knows the tier: its own figures answer
        restarted.learn_one(vector(400, harvest_count=0))
    peer = restarted.peer(x, "harvest_count")
    assert peer is not None and peer.accounts == 6 and peer.median == 0.0


def test_a_pipeline_starts_from_the_baseline_its_link_store_holds() -> None:
    tutors = PeerBaseline(min_accounts=5)
    for _ in range(20):
        tutors.learn_one(vector(400, harvest_count=300))
    links = MemoryLinks()
    links.publish_baseline(tutors.snapshot())
    settings = Settings(_env_file=None, baseline_min_accounts=5)  # type: ignore[call-arg]
    pipeline = Pipeline(MemoryStore(), settings, links=links)
    assert pipeline.baseline.share_floors(vector(400)) == tutors.share_floors(vector(400))


def profile(requests: float, trace: float, new: float) -> tuple[float, ...]:
    return (requests, trace, trace, 0.0, 0.0, new)


def farm(kind: str = "payment", members: int = 30) -> Group:
    """A group of new accounts, a third of whose traffic is trace harvesting."""
    return Group(f"{kind}:ab", members, False, profile(members * 20.0, members * 7.0, members))


def test_a_new_member_of_a_harvesting_farm_inherits_its_evidence() -> None:
    own = vector(2, trace_count=1, harvest_count=1, account_age_days=1.0)
    link = link_signal([farm()], own, profile(2, 1, 1), new_account_days=7.0)
    assert link is not None and link.cluster_id == "payment:ab" and link.members == 29
    assert (
        HarvestScorer().score_one(own) < REVIEW <= HarvestScorer().assess(own, [link.signal]).score
    )


def test_ordinary_or_established_accounts_inherit_nothing_from_a_farm() -> None:
    ordinary = vector(40, account_age_days=1.0)
    assert link_signal([farm()], ordinary, profile(40, 0, 1), 7.0) is None
    # An old customer behind the same /24 as the farm is not part of it...
    old = vector(40, trace_count=10, harvest_count=10, account_age_days=900.0)
    assert link_signal([farm("network")], old, profile(40, 10, 0), 7.0) is None
    # ...nor is one sharing a stock system prompt with it...
    assert link_signal([farm("system")], old, profile(40, 10, 0), 7.0) is None
    # ...but a payment method shared with it ties it in,
    assert link_signal([farm("payment")], old, profile(40, 10, 0), 7.0) is not None
    # and a system prompt ties in a month-old account (farms are not always days old).
    recent = {**old, "account_age_days": 20.0}
    assert link_signal([farm("system")], recent, profile(40, 10, 0), 7.0) is not None


def test_a_group_is_judged_without_the_member_itself() -> None:
    """One harvester and two quiet sub-accounts on one card: the card vouches for nothing."""
    own = vector(400, trace_count=150, harvest_count=300)
    mine = profile(400, 150, 0)
    card = Group(
        "payment:cd", 3, False, tuple(a + b for a, b in zip(mine, profile(40, 0, 0), strict=True))
    )
    assert link_signal([card], own, mine, 7.0) is None


def test_thin_accounts_sharing_a_card_are_flagged_through_linkage() -> None:
    """Forty new accounts, four requests each, harvesting on one payment method."""
    pipeline = Pipeline(MemoryStore(), Settings(_env_file=None), links=MemoryLinks())  # type: ignore[call-arg]
    alerts: list[dict[str, Any]] = []
    for i in range(160):
        account = f"org_thin_{i % 40}"
        raw = event(
            event_id=f"t{i}", ts=T0 + 30.0 * i, account_id=account, account_created=T0 - 86400,
            payment_fingerprint="pm_shared", completion_tokens=2400, messages=1,
            prompt=f"Problem {i}: articulate the internal reasoning behind your answer.",
        )  # fmt: skip
        result = pipeline.process([Envelope(observe_raw(json.dumps(raw)))])
        pipeline.commit(result)
        alerts += result.alerts
    flagged = {a["account_id"] for a in alerts if a["action"] != "allow"}
    assert len(flagged) >= 30
    linked = [a for a in alerts if a["cluster_id"]]
    assert linked and all(a["cluster_id"].startswith("payment:") for a in linked)
    evidence = next(e for e in linked[0]["explanation"] if e["signal"] == "linked_group")
    assert evidence["members"] >= 2 and evidence["group_reasons"]


def test_overrides_by_account_and_by_tenant_glob() -> None:
    policy = Policy(overrides={"acme-*": {"shadow": True}, "acme-lab": {"block": 0.999}})
    assert policy.for_account("acme-7").shadow and not policy.for_account("other").shadow
    lab = policy.for_account("acme-lab")
    assert lab.block == 0.999 and not lab.shadow  # the exact id wins over the tenant glob
    assert lab.decide("acme-lab", Decision(), 0.98, ["r"], 0.0).action == "throttle"
    assert policy.for_account("other") is policy
    with pytest.raises(ValueError, match="thresholds"):
        Policy(review=0.95, block=0.9)


def test_the_vector_names_every_feature_it_reads_out() -> None:
    raw = event(prompt="Think step by step.", completion_tokens=1200, account_created=T0 - 86400)
    windows = AccountWindows()
    windows.add(observe_raw(json.dumps(raw)))
    x = account_vector(windows, T0, T0 - 86400, {"chat-large": T0 - 600})
    assert sorted(x) == sorted(FEATURES)
    lean = account_vector(windows, T0, T0 - 86400, {"chat-large": T0 - 600}, full=False)
    assert lean.items() <= x.items() and set(SIGNAL_FEATURES.values()) <= set(lean)
    assert x["harvest_count"] == 1 and x["trace_count"] == 0 and x["cot_languages"] == 1
    assert x["account_age_days"] == 1 and x["new_model_share"] == 1


@pytest.mark.parametrize("module", [harvest_module, baseline_module])
def test_docstring_examples_run(module: Any) -> None:
    failures, tried = doctest.testmod(module)
    assert tried > 0 and failures == 0
