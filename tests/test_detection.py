# ruff: noqa: RUF001 - the phrases are meant to be in these scripts
"""Detection: content flags and cues, the evidence families, the mergeable peer baseline,
linked groups, policy overrides."""

from __future__ import annotations

import math
from typing import Any

import pytest

from detectors.baseline import ESTABLISHED_TIER, PeerBaseline
from detectors.content import ContentEvidence
from detectors.coordination import CoordinationEvidence
from detectors.economics import EconomicsEvidence
from detectors.farm import KIND_WEIGHTS, FarmEvidence
from detectors.groups import (
    EMPTY_PROFILE,
    FIELD,
    PROFILE_FIELDS,
    SKELETON_ONCE,
    Group,
    group_features,
)
from detectors.registry import BIAS, Scorer, build
from detectors.structure import StructureEvidence
from service.features.content import COT, ELICIT, GRADE, LANGUAGES, RUBRIC, TRACE, analyse
from service.pipeline import Pipeline
from service.policy import Policy
from service.settings import Settings
from service.state.account import Decision
from service.state.links import LATEST, Contribution, MemoryLinks
from service.state.memory import MemoryStore
from tests.factories import T0, event, observed

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


@pytest.mark.parametrize(
    "prompt",
    [
        "Lay out your logic in full and justify every inference before the final answer.",
        "Narrate your whole deliberation, derivation included; do not skip anything.",
        "Walk through the solution path and give the rationale for each stage.",
        "Détaille ton raisonnement et ta démarche.",
    ],
)
def test_reworded_reasoning_requests_are_seen_by_their_cues(prompt: str) -> None:
    """No phrase of the phrase lists, yet kinds of words that ask for reasoning."""
    content = analyse(prompt)
    assert content.flags & ELICIT and content.elicit >= 0.5


def test_grading_cues_begin_words() -> None:
    assert analyse("Rate the answer from 1 to 10 and justify it.").flags & GRADE
    assert not analyse("Narrate an accurate, frank story about a pirate.").flags & GRADE


def vector(requests: float, **features: float) -> dict[str, float]:
    x = {"requests": requests, "account_age_days": 400.0, "rate_1h": 3.0}
    return {**x, **features}


def log_odds(family: Any, x: dict[str, float]) -> float:
    return float(family.score_one(x))


def test_strong_evidence_of_one_family_alone_reaches_a_verdict() -> None:
    scorer = Scorer(build())
    review = BIAS + 1.39  # log-odds of a 0.8 score
    trace = vector(400, trace_count=200, harvest_count=380, single_turn_share=1.0, rate_1h=5.0)
    assert log_odds(ContentEvidence(), trace) > review
    farm = {"account_age_days": 2.0, "payment_members": 40.0, "payment_young": 1.0,
            "payment_requests": 1600.0, "payment_harvest": 900.0, "payment_long": 1400.0,
            "payment_evenness": 0.9}  # fmt: skip
    assert log_odds(FarmEvidence(), farm) > review
    assert scorer.assess(farm).score >= 0.8 and scorer.assess(farm).drivers[0] == "farm"


def test_few_requests_or_honest_shares_add_little() -> None:
    content = ContentEvidence()
    assert log_odds(content, vector(3, trace_count=3, harvest_count=3)) < 1.0
    # A tutor: reasoning asked for in a third of its requests.
    assert log_odds(content, vector(300, harvest_count=90, trace_count=5)) == 0.0


def test_a_shorter_answer_or_a_share_a_little_under_scores_a_little_lower() -> None:
    """Ramps, not cliffs."""
    content = ContentEvidence()
    full = log_odds(content, vector(400, harvest_count=300))
    less = log_odds(content, vector(400, harvest_count=260))
    least = log_odds(content, vector(400, harvest_count=220))
    assert full > less > least > 0


def test_reproducible_decoding_discounts_only_part_of_the_content_family() -> None:
    content = ContentEvidence()
    x = vector(400, harvest_count=320, trace_count=150)
    seeded = {**x, "reproducible_share": 1.0}
    assert log_odds(content, x) * 0.55 < log_odds(content, seeded) < log_odds(content, x)
    probing = vector(400, probe_count=300)
    assert log_odds(content, {**probing, "reproducible_share": 1.0}) == log_odds(content, probing)


def test_structure_needs_valuable_answers() -> None:
    structure = StructureEvidence()
    templated = vector(500, template_repeat=0.98, distinct_prompt_share=0.97,
                       single_turn_share=1.0, focus_share=0.9)  # fmt: skip
    assert log_odds(structure, {**templated, "long_share": 0.9}) > 2.0
    # A classification job: one template, many inputs, a label each.
    assert log_odds(structure, templated) == 0.0


def test_peers_raise_the_floor_of_a_share_that_is_normal_in_their_tier() -> None:
    baseline = PeerBaseline(min_accounts=20)
    for _ in range(40):
        baseline.learn_one({"requests": 400.0, "harvest_share": 0.45})
    tutor = vector(400, harvest_count=320)
    assert log_odds(ContentEvidence(baseline), tutor) < log_odds(ContentEvidence(), tutor)


def test_established_customers_set_the_bar_for_the_volume_they_send_whatever_their_score() -> None:
    baseline = PeerBaseline(min_accounts=50)
    grader = {"requests": 500.0, "grade_count": 480.0, "account_age_days": 400.0}
    # Young and suspect: teaches nothing. Established and suspect: only what it sends.
    assert baseline.sample(grader, suspect=True) == {}
    assert baseline.established_sample({**grader, "account_age_days": 5.0}) == {}
    cells = baseline.established_sample(grader)
    assert cells and all(key.startswith(f"{ESTABLISHED_TIER}:") for key in cells)
    for i in range(100):
        assert baseline.common("grade_count") is None or i >= 50
        baseline.add(baseline.established_sample({**grader, "grade_count": 300.0 + 2 * i}))
    common = baseline.common("grade_count")
    assert common is not None and 400.0 <= common <= 520.0  # the 24th busiest's bin
    assert baseline.learned == 0  # the tiers learned nothing from suspect accounts
    # A grading account sending what dozens of established graders send says little; ten
    # times that, as much as ever; and with no established graders the bar stays low.
    content, plain = ContentEvidence(baseline), ContentEvidence(PeerBaseline(min_accounts=50))
    same = vector(500, grade_count=480, completion_mean=800.0)  # grades with their reasons
    assert log_odds(content, same) < 1.0 < 6.0 < log_odds(plain, same)
    busier = vector(5000, grade_count=4800, completion_mean=800.0)
    assert log_odds(content, busier) == pytest.approx(log_odds(plain, busier))
    # A new account sending what established graders send is not one of them.
    young = {**same, "account_age_days": 5.0}
    assert log_odds(content, young) == pytest.approx(log_odds(plain, young))
    assert log_odds(content, young) > 6.0
    # So for the tokens an account takes away in a day.
    for _ in range(60):
        baseline.add(baseline.established_sample({**grader, "completion_day": 2e6}))
    taker = vector(500, completion_day=2e6)

    def served(economics: EconomicsEvidence) -> float:
        return sum(s.weight for s in economics.explain_one(taker) if s.reason == "tokens_served")

    assert served(EconomicsEvidence(baseline)) == 0.0 < 1.0 < served(EconomicsEvidence())


def test_grades_count_in_full_with_their_reasons_and_half_as_bare_scores() -> None:
    """A reward model's training example is the reasoned judgement; the bare score is what
    every LLM-as-judge pipeline takes by the thousand."""
    family = ContentEvidence()

    def grading(answer_tokens: float) -> float:
        x = vector(500, grade_count=480, completion_mean=answer_tokens, account_age_days=5.0)
        return sum(s.weight for s in family.explain_one(x) if s.reason == "rubric_volume")

    reasoned, bare = grading(800.0), grading(40.0)
    assert reasoned > 6.0 and bare == pytest.approx(0.5 * reasoned)
    assert bare < grading(375.0) < reasoned  # halfway along the ramp, part of the reasons
    assert grading(600.0) == pytest.approx(reasoned)


def test_an_established_account_counts_once_in_the_bar_at_its_latest_volume() -> None:
    """An account's volumes grow through its day: sent to the store as its latest sample at
    each scoring, it is one entry at its day's volume; added up hour after hour as before,
    the graders' quieter hours would pull the bar under their days."""
    links, hourly = MemoryLinks(), PeerBaseline(min_accounts=50)
    for hour in range(1, 7):  # six hourly samples of a growing day
        samples = {}
        for account in range(1000):
            grader = account < 60  # dozens of established graders among quiet customers
            day = 300.0 + 10.0 * account if grader else 0.0
            x = {"requests": 50.0, "grade_count": day * hour / 6, "account_age_days": 400.0}
            samples[f"org_{account}{LATEST}"] = hourly.established_sample(x)
            hourly.add(samples[f"org_{account}{LATEST}"])
        links.contribute(hour, Contribution({}, samples, ()))
    cells = links.histograms(6).cells
    replaced = PeerBaseline(min_accounts=50)
    anywhere = PeerBaseline(min_accounts=50, common_accounts=1)  # a bare 99th percentile
    replaced.load(cells)
    anywhere.load(cells)
    assert replaced.accounts(ESTABLISHED_TIER) == 1000 < hourly.accounts(ESTABLISHED_TIER)
    common, early = replaced.common("grade_count"), hourly.common("grade_count")
    assert common is not None and early is not None
    assert common > 640.0 > early  # the busiest days, not their mornings
    # A young account adds nothing to the tier.
    assert replaced.established_sample({"account_age_days": 20.0}) == {}
    # A campaign through a dozen aged accounts, however busy, does not set the bar: that
    # takes two dozen established accounts (``common_accounts``), not 1 % of a thousand.
    campaign = {"requests": 5000.0, "grade_count": 5000.0, "account_age_days": 400.0}
    for baseline in (replaced, anywhere):
        for sample in (baseline.established_sample(campaign) for _ in range(12)):
            baseline.add(sample)
    bar, bare = replaced.common("grade_count"), anywhere.common("grade_count")
    assert bar is not None and bare is not None and bar < 1000.0 < bare


def test_histograms_merge_in_any_order_into_the_same_peers() -> None:
    samples = [{"requests": 300.0 + i, "long_share": (i * 37 % 100) / 100} for i in range(300)]
    forward, backward = PeerBaseline(min_accounts=50), PeerBaseline(min_accounts=50)
    merged: dict[str, int] = {}
    for x in samples:
        forward.learn_one(x)
        for cell, count in forward.sample(x).items():
            merged[cell] = merged.get(cell, 0) + count
    for x in reversed(samples):
        backward.learn_one(x)
    loaded = PeerBaseline(min_accounts=50)
    loaded.load(merged)
    probe = {"requests": 350.0}
    assert forward.peer(probe, "long_share") == backward.peer(probe, "long_share")
    assert loaded.peer(probe, "long_share") == forward.peer(probe, "long_share")
    peer = forward.peer(probe, "long_share")
    assert peer is not None and 0.45 <= peer.median <= 0.55 and peer.p99 >= 0.95


def profile(requests: float, harvest: float = 0.0, young: float = 1.0) -> tuple[float, ...]:
    values = dict.fromkeys(PROFILE_FIELDS, 0.0)
    pace = math.log1p(requests / 6)
    values.update(accounts=1.0, requests=requests, pace=pace, pace_sq=pace**2,
                  harvest=harvest, long=harvest, young=young, aged=1.0 - young)  # fmt: skip
    return tuple(values[f] for f in PROFILE_FIELDS)


def farm_group(
    kind: str = "payment",
    members: int = 30,
    young: float = 1.0,
    spread: float = 1.0,
    flagged: int = 0,
) -> Group:
    """``members`` accounts alike; ``spread`` > 1: their paces spread (a NAT, not a farm);
    ``flagged`` of them flagged already."""
    one = profile(40, 30, young)
    sums = [members * v for v in one]
    sums[FIELD["pace_sq"]] *= spread
    sums[FIELD["flagged"]] = float(flagged)
    return Group(f"{kind}:ab", members, False, tuple(sums))


def test_a_thin_member_of_a_farm_inherits_by_membership() -> None:
    """Its own traffic ordinary; a young account on a card shared by a harvesting farm."""
    features, linked = group_features([farm_group()], {})
    x = vector(4, account_age_days=2.0, **features)
    assert linked == {"payment": "payment:ab"}
    assert log_odds(FarmEvidence(), x) > BIAS


def test_of_two_groups_of_a_kind_an_account_is_read_against_the_younger_crowd() -> None:
    """A farm member whose cover chat carries a stock system prompt is in two system groups:
    the farm's, of thirty young accounts, and the stock prompt's, larger and mostly
    established. It is read against the farm's; an account of the stock prompt alone is not."""
    farm = farm_group("system", members=30)
    stock = farm_group("system", members=80, young=0.2)._replace(value="system:cd")
    for order in ([farm, stock], [stock, farm]):
        features, linked = group_features(order, {})
        assert linked == {"system": "system:ab"} and features["system_members"] == 30
    _, alone = group_features([stock], {})
    assert alone == {"system": "system:cd"}


def test_a_farm_that_rewords_and_shortens_is_still_a_farm() -> None:
    """No phrase or cue matched and 250-token answers: the cohort's shape carries the evidence,
    each kind of instrument a separate chance, so four kinds outweigh one."""
    values = dict.fromkeys(PROFILE_FIELDS, 0.0)
    pace = math.log1p(5.0)
    values.update(accounts=1.0, requests=30.0, pace=pace, pace_sq=pace**2, single_turn=28.0,
                  completion_k=7.5, young=1.0)  # fmt: skip
    one = [values[f] for f in PROFILE_FIELDS]
    kinds = ("payment", "system", "network", "asn_agent")
    groups = [Group(f"{kind}:ef", 12, False, tuple(12 * v for v in one)) for kind in kinds]
    farm = FarmEvidence()
    alone, _ = group_features(groups[:1], {})
    together, _ = group_features(groups, {})
    x_alone = vector(30, account_age_days=3.0, **alone)
    x_together = vector(30, account_age_days=3.0, **together)
    assert 0.0 < log_odds(farm, x_alone) < BIAS
    assert log_odds(farm, x_together) > BIAS
    assert {s.reason for s in farm.explain_one(x_together)} == {"farm_payment", "farm_corroborated"}
    # What the members take still scales it: the same cohort taking nothing says less.
    values.update(single_turn=0.0, completion_k=0.3)
    idle = tuple(12 * values[f] for f in PROFILE_FIELDS)
    quiet, _ = group_features([Group(f"{k}:ef", 12, False, idle) for k in kinds], {})
    assert log_odds(farm, vector(30, account_age_days=3.0, **quiet)) < log_odds(farm, x_together)


def test_a_crowd_of_young_accounts_counts_like_a_card_against_members_like_it() -> None:
    """Sixty accounts opened this month behind one cloud and SDK, three to a card: strangers
    share clouds and SDKs, not by the dozen all new at once. The crowd counts against a
    member that is young, takes what the crowd takes and shares a second young group with
    it (a card here); not against an established customer of that cloud, a young one
    sending ordinary chat, or a young one sharing nothing else with the crowd (a stock
    system prompt's honest users are in a farm's group too)."""
    farm = FarmEvidence()
    card = farm_group("payment", members=2, spread=3.0)
    crowd = farm_group("asn_agent", members=60, spread=3.0)
    few = farm_group("asn_agent", members=6, spread=3.0)
    takes = {"harvest_share": 0.5, "long_share": 0.6, "single_turn_share": 1.0,
             "completion_mean": 700.0}  # fmt: skip

    def member(*groups: Group, age: float = 3.0, **own: float) -> float:
        features, _ = group_features(list(groups), {})
        return log_odds(farm, vector(20, account_age_days=age, **own, **features))

    unlifted = member(card, few, **takes)
    assert member(card, crowd, **takes) > BIAS > unlifted
    assert member(card, crowd, age=400.0, **takes) < unlifted  # through the card only
    chat = {"harvest_share": 0.0, "long_share": 0.0, "single_turn_share": 0.3,
            "completion_mean": 150.0}  # fmt: skip
    alone = farm.weight * KIND_WEIGHTS["asn_agent"]  # what the shared instrument says by itself
    assert member(crowd, **chat) == pytest.approx(alone)
    assert member(crowd, **takes) == pytest.approx(alone)


def test_one_prompt_skeleton_filled_by_a_young_crowd_is_a_farms_instrument() -> None:
    """Three hundred young accounts filling one template, three to a card: the skeleton by
    itself is the structure family's (honest teams share benchmark templates), but filled
    by a crowd of new accounts that also share cards it is the farm's script."""
    farm = FarmEvidence()
    takes = {"harvest_share": 0.5, "long_share": 0.6, "single_turn_share": 1.0,
             "completion_mean": 700.0}  # fmt: skip
    script = farm_group("skeleton", members=300, spread=3.0)
    card = farm_group("payment", members=2, spread=3.0)
    alone, _ = group_features([script], {})
    assert log_odds(farm, vector(20, account_age_days=3.0, **takes, **alone)) == 0.0
    both, _ = group_features([script, card], {})
    x = vector(20, account_age_days=3.0, **takes, **both)
    assert log_odds(farm, x) > BIAS
    assert farm.explain_one(x)[0].reason == "farm_skeleton"
    # A script whose answers are capped short caps every member's: a member is like the crowd
    # when its answers are worth what theirs are, not when they are long.
    values = dict.fromkeys(PROFILE_FIELDS, 0.0)
    pace = math.log1p(5.0)
    values.update(accounts=1.0, requests=5.0, pace=pace, pace_sq=pace**2, single_turn=5.0,
                  completion_k=5 * 0.35, young=1.0)  # fmt: skip
    capped = Group("skeleton:cd", 300, False, tuple(300 * values[f] for f in PROFILE_FIELDS))
    short, _ = group_features([capped, card], {})
    own = {"single_turn_share": 1.0, "completion_mean": 350.0}
    assert log_odds(farm, vector(5, account_age_days=3.0, **own, **short)) > BIAS
    assert log_odds(farm, vector(5, account_age_days=3.0, **own, **both)) < BIAS
    chat = {"single_turn_share": 0.3, "completion_mean": 150.0}
    assert log_odds(farm, vector(5, account_age_days=3.0, **chat, **short)) < BIAS / 2


def test_a_skeleton_joined_at_one_prompt_counts_only_beside_a_shared_card() -> None:
    """A thin new account whose one prompt fills a young crowd's skeleton: a farm's member if
    it shares a card with young accounts too; an honest young customer of the farm's cloud
    whose prompt opened the same way is not made one by the cloud's crowd, and the other
    families leave such a skeleton alone."""
    farm, structure = FarmEvidence(), StructureEvidence()
    takes = {"harvest_share": 0.5, "long_share": 0.6, "single_turn_share": 1.0,
             "completion_mean": 700.0}  # fmt: skip
    script = farm_group("skeleton", members=300, spread=3.0)
    card = farm_group("payment", members=2, spread=3.0)
    cloud = farm_group("asn_agent", members=60, spread=3.0)

    def member(*groups: Group, once: bool) -> dict[str, float]:
        features, _ = group_features(list(groups), {})
        return vector(2, account_age_days=3.0, **takes, **features,
                      **({SKELETON_ONCE: 1.0} if once else {}))  # fmt: skip

    assert log_odds(farm, member(script, card, once=True)) > BIAS
    on_cloud = log_odds(farm, member(script, cloud, once=True))
    assert on_cloud == pytest.approx(log_odds(farm, member(cloud, once=False)))  # the cloud only
    assert log_odds(farm, member(script, cloud, once=False)) > on_cloud + 1.0  # repeated: counts
    x = member(script, card, once=True)
    assert "shared_skeleton" not in {s.reason for s in structure.explain_one(x)}
    assert "taking_turns_skeleton" not in {s.reason for s in CoordinationEvidence().explain_one(x)}


def test_a_card_that_paid_for_a_flagged_harvester_flags_its_young_accounts() -> None:
    """Three young accounts on one card, sending at unlike paces (too few and too uneven to be
    a farm by shape), one of them flagged: a young member taking what they take inherits the
    verdict, even with two requests of its own. Not an established customer, not a member
    sending ordinary chat, and not through a card its other accounts are long established on."""
    farm = FarmEvidence()
    takes = {"harvest_share": 0.5, "long_share": 1.0, "single_turn_share": 1.0,
             "completion_mean": 900.0}  # fmt: skip
    chat = {"harvest_share": 0.0, "long_share": 0.0, "single_turn_share": 0.3,
            "completion_mean": 150.0}  # fmt: skip

    def member(card: Group, age: float = 3.0, **own: float) -> float:
        features, _ = group_features([card], {})
        return log_odds(farm, vector(2, account_age_days=age, **own, **features))

    paid = farm_group("payment", members=3, spread=3.0, flagged=1)
    unpaid = farm_group("payment", members=3, spread=3.0)
    assert member(paid, **takes) > BIAS > member(unpaid, **takes)
    features, _ = group_features([paid], {})
    assert farm.explain_one(vector(2, account_age_days=3.0, **takes, **features))[0].reason == (
        "farm_flagged_card"
    )
    assert member(paid, age=400.0, **takes) == pytest.approx(member(unpaid, age=400.0, **takes))
    assert member(paid, **chat) < BIAS / 2
    aged = farm_group("payment", members=3, young=0.0, spread=3.0, flagged=1)
    assert member(aged, **takes) == pytest.approx(
        member(farm_group("payment", members=3, young=0.0, spread=3.0), **takes)
    )


def test_an_account_on_a_card_of_mostly_flagged_accounts_inherits_whatever_it_sent() -> None:
    """A young account whose one request was ordinary chat takes nothing like its card's
    harvesters, so one flagged card-mate of four passes nothing on; four of four, or three of
    four, do: a card that paid mostly for harvesters paid for a farm, cover traffic and all,
    and bought aged accounts too. An established account inherits from such a card only."""
    farm = FarmEvidence()
    chat = {"harvest_share": 0.0, "long_share": 0.0, "single_turn_share": 0.3,
            "completion_mean": 150.0}  # fmt: skip

    def member(flagged: int, age: float = 3.0) -> float:
        features, _ = group_features([farm_group("payment", 4, spread=3.0, flagged=flagged)], {})
        return log_odds(farm, vector(1, account_age_days=age, **chat, **features))

    assert member(1) == pytest.approx(member(0)) and member(0) < BIAS
    assert member(3) > BIAS and member(4) > BIAS
    assert member(1, age=400.0) == pytest.approx(member(0, age=400.0))
    assert member(4, age=400.0) > BIAS


def test_a_thin_account_cannot_show_itself_unlike_its_card() -> None:
    """An account that takes a tenth of what its card takes, per request, is unlike the card's
    harvester after ten requests and inherits little of its verdict; after two (a harvest and
    a cover chat, say) it cannot be told apart from it, and inherits. One that took nothing at
    all inherits nothing from one flagged card-mate."""
    farm = FarmEvidence()
    features, _ = group_features([farm_group("payment", 4, spread=3.0, flagged=1)], {})
    tenth = {"harvest_share": 0.1, "long_share": 0.1, "single_turn_share": 0.5,
             "completion_mean": 500.0}  # fmt: skip
    thin = log_odds(farm, vector(2, account_age_days=3.0, **tenth, **features))
    busy = log_odds(farm, vector(10, account_age_days=3.0, **tenth, **features))
    assert thin > BIAS > busy
    nothing = {"harvest_share": 0.0, "long_share": 0.0, "single_turn_share": 0.0,
               "completion_mean": 80.0}  # fmt: skip
    alone, _ = group_features([farm_group("payment", 4, spread=3.0)], {})
    assert log_odds(farm, vector(1, account_age_days=3.0, **nothing, **features)) == (
        pytest.approx(log_odds(farm, vector(1, account_age_days=3.0, **nothing, **alone)))
    )


def test_a_template_dozens_of_established_customers_fill_is_a_public_one() -> None:
    """An established evaluation team's benchmark template, filled by twenty other
    established customers at unlike paces: a public benchmark's, hardly a shared script. The
    same template filled by twenty young accounts, or by established ones taking turns,
    still is one."""
    team = {"long_share": 0.9, "single_turn_share": 1.0, "template_repeat": 0.95,
            "distinct_prompt_share": 0.95}  # fmt: skip

    def shared(young: float, spread: float) -> float:
        features, _ = group_features([farm_group("skeleton", 20, young, spread)], {})
        x = vector(100, account_age_days=400.0, **team, **features)
        found = StructureEvidence().explain_one(x)
        return next(s.weight for s in found if s.reason == "shared_skeleton")

    public = shared(young=0.0, spread=3.0)
    assert public < 0.3 * shared(young=1.0, spread=3.0)
    assert public < 0.3 * shared(young=0.0, spread=1.0)


def test_weak_members_make_no_template_shared() -> None:
    """Ten accounts in an evaluation team's template group, sending at one pace: to the
    structure and coordination families a shared template taken in turns. When nine of them
    are young accounts that sent one prompt opening like it (weak members, which only the
    farm family counts), the template is the team's own again."""
    team = {"long_share": 0.9, "single_turn_share": 1.0, "template_repeat": 0.95,
            "distinct_prompt_share": 0.95}  # fmt: skip
    features, _ = group_features([farm_group("skeleton", members=10)], {})
    firm = vector(100, **team, **features)
    weak = {**firm, "skeleton_weak": 9.0}

    def reasons(x: dict[str, float]) -> set[str]:
        found = StructureEvidence().explain_one(x) + CoordinationEvidence().explain_one(x)
        return {s.reason for s in found}

    assert {"shared_skeleton", "taking_turns_skeleton"} <= reasons(firm)
    assert not {"shared_skeleton", "taking_turns_skeleton"} & reasons(weak)


def test_established_accounts_inherit_only_through_a_card_or_a_group_taking_turns() -> None:
    farm = FarmEvidence()
    for kind in ("network", "system", "asn_agent"):
        features, _ = group_features([farm_group(kind, spread=3.0)], {})
        assert log_odds(farm, vector(40, account_age_days=900.0, **features)) == 0.0
    features, _ = group_features([farm_group("payment", spread=3.0)], {})
    assert log_odds(farm, vector(40, account_age_days=900.0, **features)) > 0.0
    # Established customers behind one NAT, sending as they please, are no farm...
    features, _ = group_features([farm_group("network", young=0.0, spread=3.0)], {})
    assert log_odds(farm, vector(40, account_age_days=2.0, **features)) == 0.0
    # ...but aged accounts behind one proxy taking turns at the same pace are.
    features, _ = group_features([farm_group("network", young=0.0)], {})
    assert log_odds(farm, vector(40, account_age_days=900.0, **features)) > BIAS / 2


def test_an_instrument_dozens_of_established_customers_share_is_a_public_one() -> None:
    """A stock system prompt that a farm's two hundred young accounts send, and so do sixty
    established customers at their own paces: a young honest user of it inherits little.
    The farm's own prompt (no established member) still counts, and so does one that
    bought accounts share taking turns."""
    farm = FarmEvidence()
    young = farm_group("system", members=200)
    public = farm_group("system", members=60, young=0.0, spread=3.0)
    stock = Group("system:ab", 260, False, tuple(a + b for a, b in zip(young.sums, public.sums,
                                                                      strict=True)))  # fmt: skip

    def newcomer(group: Group) -> float:
        features, _ = group_features([group], {})
        return log_odds(farm, vector(20, account_age_days=3.0, **features))

    assert newcomer(young) > BIAS / 2
    assert newcomer(stock) < 0.25 * newcomer(young)
    bought = farm_group("system", members=60, young=0.0)  # aged, at one pace
    assert newcomer(bought) > BIAS / 2
    # Nor is it the second young group that lets a crowd of another kind count like a card.
    cloud = farm_group("asn_agent", members=60, spread=3.0)
    takes = {"harvest_share": 0.5, "long_share": 0.6, "single_turn_share": 1.0,
             "completion_mean": 700.0}  # fmt: skip

    def member(*groups: Group) -> float:
        features, _ = group_features(list(groups), {})
        return log_odds(farm, vector(20, account_age_days=3.0, **takes, **features))

    assert member(cloud, stock) == pytest.approx(member(cloud), abs=0.05)
    assert member(cloud, young) > member(cloud) + 1.0  # a private young group does


def test_a_few_established_accounts_do_not_make_a_young_crowds_script_public() -> None:
    """Two hundred and thirty-five young accounts and five established ones filling one
    skeleton (the operator's bought accounts, or strangers whose prompts open alike): still
    a young crowd's script, which counts as it would without them; sixty established
    members at their own paces make it a public template."""
    farm = FarmEvidence()
    card = farm_group("payment", members=2, spread=3.0)
    takes = {"harvest_share": 0.5, "long_share": 0.6, "single_turn_share": 1.0,
             "completion_mean": 700.0}  # fmt: skip

    def crowd(established: int) -> Group:
        young = farm_group("skeleton", members=235, spread=3.0)
        aged = farm_group("skeleton", members=established, young=0.0, spread=3.0)
        sums = tuple(a + b for a, b in zip(young.sums, aged.sums, strict=True))
        return Group("skeleton:ab", 235 + established, False, sums)

    def member(group: Group) -> float:
        features, _ = group_features([group, card], {})
        return log_odds(farm, vector(20, account_age_days=3.0, **takes, **features))

    assert member(crowd(5)) == pytest.approx(member(crowd(0)), rel=0.05)
    assert member(crowd(5)) > BIAS
    assert member(crowd(60)) < 0.5 * member(crowd(0))


def test_one_heavy_account_in_a_group_does_not_hide_members_taking_turns() -> None:
    """Paces compare on a log scale: a customer a hundred times busier sharing the farm's
    network (or its stock system prompt) leaves a hundred members at one pace still even
    (their pace's spread, without logs, would be five times its mean)."""
    farm = farm_group("network", members=100, young=0.0)
    heavy = profile(4_000, 0, young=0.0)
    crowd = Group(farm.value, 101, False, tuple(a + b for a, b in zip(farm.sums, heavy,
                                                                       strict=True)))  # fmt: skip
    features, _ = group_features([crowd], {})
    assert features["network_evenness"] > 0.5
    alone, _ = group_features([farm], {})
    assert alone["network_evenness"] == pytest.approx(1.0)


def test_a_group_is_judged_without_the_member_itself() -> None:
    """One harvester and two quiet sub-accounts on one card: the card vouches for nothing."""
    mine = profile(400, 300)
    quiet = profile(40, 0)
    card = Group("payment:cd", 3, False, tuple(a + 2 * b for a, b in zip(mine, quiet, strict=True)))
    features, _ = group_features([card], {"payment:cd": mine})
    assert features["payment_members"] == 2 and features["payment_harvest"] == 0
    assert log_odds(FarmEvidence(), vector(400, account_age_days=2.0, **features)) == 0.0
    assert EMPTY_PROFILE[FIELD["accounts"]] == 0.0


def test_thin_accounts_sharing_a_card_are_flagged_without_any_phrase() -> None:
    """Forty new accounts, four plain requests each, long answers, one card: a farm."""
    pipeline = Pipeline(MemoryStore(), Settings(_env_file=None))  # type: ignore[call-arg]
    events = [
        event(
            event_id=f"t{i}", ts=T0 + 30.0 * i, account_id=f"org_thin_{i % 40}",
            account_created=T0 - 86400, payment_fingerprint="pm_shared", completion_tokens=1400,
            messages=1, prompt=f"Problem {i}: compute the volume of a torus of radius {i}.",
        )
        for i in range(240)
    ]  # fmt: skip
    alerts: list[dict[str, Any]] = []
    for start in range(0, len(events), 7):
        result = pipeline.process(observed(events[start : start + 7]))
        pipeline.commit(result)
        alerts += result.alerts
    flagged = {a["account_id"] for a in alerts if a["action"] != "allow"}
    assert len(flagged) >= 30
    farm = [a for a in alerts if a["cluster_id"]]
    assert farm and all(a["cluster_id"].startswith("payment:") for a in farm)
    assert "farm" in farm[0]["families"]
    signal = next(e for e in farm[0]["explanation"] if e["signal"] == "farm_payment")
    assert signal["members"] >= 3 and signal["cluster_id"] == farm[0]["cluster_id"]


def test_overrides_by_account_and_by_tenant_glob() -> None:
    policy = Policy(overrides={"acme-*": {"shadow": True}, "acme-lab": {"block": 0.999}})
    assert policy.for_account("acme-7").shadow and not policy.for_account("other").shadow
    lab = policy.for_account("acme-lab")
    assert lab.block == 0.999 and not lab.shadow  # the exact id wins over the tenant glob
    assert lab.decide("acme-lab", Decision(), 0.98, ["r"], 0.0).action == "throttle"
    assert policy.for_account("other") is policy
    with pytest.raises(ValueError, match="thresholds"):
        Policy(review=0.95, block=0.9)


def test_turns_whose_answers_outweigh_their_prompts_are_claimed_not_held() -> None:
    """A chat app's later turns carry the conversation so far as input; an account that
    claims the turns (a sixth of its requests one turn) while its 1,000-token answers
    outweigh its 300-token prompts does not hold them. Carrying the history, or sending one
    turn at a time, says nothing of the kind."""
    family = EconomicsEvidence()

    def history(x: dict[str, float]) -> float:
        return sum(s.weight for s in family.explain_one(x) if s.reason == "turns_without_history")

    claimed = {"requests": 400.0, "single_turn_share": 0.17, "long_share": 0.75,
               "completion_mean": 1067.0, "completion_ratio": 3.3}  # fmt: skip
    assert history(claimed) == pytest.approx(1.5)
    assert history({**claimed, "completion_ratio": 0.4}) == 0.0  # the history sent back
    assert history({**claimed, "single_turn_share": 1.0}) == 0.0  # one turn at a time
    assert history({**claimed, "long_share": 0.1}) == 0.0  # a chat's short answers
    assert 0.0 < history({**claimed, "completion_ratio": 2.0}) < 1.5  # a ramp, not a cliff
