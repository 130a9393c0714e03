"""Each cheap evasion does to the generated traffic what it says, and nothing else: the
benign population stays the same, the campaigns change in one way (checked on ``smoke``)."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import orjson
import pytest

from service.features.fingerprint import skeletons as skeletons_of
from simulations.evasions import (
    ADAPTER_GAPS,
    AGED_DAYS,
    CAPPED_TOKENS,
    COMBINED,
    EVASIONS,
    HUMAN_PER_HOUR,
    SHORT_TOKENS,
    SPLIT_CARD_ACCOUNTS,
    apply,
)
from simulations.generator import generate, plan
from simulations.labels import Label, read_labels
from simulations.network import RESIDENTIAL
from simulations.schedules import _UTC_OFFSETS
from simulations.spec import load_scenario

Run = tuple[list[dict[str, Any]], dict[str, Label], Path]
DAY = 86_400.0


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    tmp = tmp_path_factory.mktemp("evasions")
    out = {}
    for name in EVASIONS:
        path = tmp / f"{name}.jsonl"
        generate(apply(load_scenario("smoke"), name), path)
        events = [orjson.loads(line) for line in path.read_bytes().splitlines()]
        out[name] = (events, read_labels(tmp / f"{name}.labels.jsonl"), path)
    return out


def _attack(run: Run, *skip: str) -> list[dict[str, Any]]:
    events, labels, _ = run
    return [e for e in events if labels[e["account_id"]].is_attack
            and labels[e["account_id"]].campaign_type not in skip]  # fmt: skip


def test_unknown_evasions_are_named() -> None:
    with pytest.raises(KeyError, match="unknown evasion 'sneaky'; known: none, reworded-spec"):
        apply(load_scenario("smoke"), "sneaky")


def test_combined_evasions_apply_each_part_in_turn() -> None:
    base = load_scenario("smoke")
    both = apply(base, "reworded-spec+thinner+aged")
    assert both.name == "smoke+reworded-spec+thinner+aged"
    assert both.wording == "spec"
    for before, after in zip(base.campaigns, both.campaigns, strict=True):
        assert after.accounts == 2 * before.accounts
        assert after.options["aged_days"] == list(AGED_DAYS)
    with pytest.raises(KeyError, match="unknown evasion 'sneaky'"):
        apply(base, "capped+sneaky")
    for name in COMBINED:  # every default combined row names known evasions
        assert apply(base, name).name == f"smoke+{name}"


def test_none_is_the_base_and_every_evasion_keeps_the_benign_population(
    runs: dict[str, Run], tmp_path: Path
) -> None:
    generate(load_scenario("smoke"), tmp_path / "base.jsonl")
    assert (tmp_path / "base.jsonl").read_bytes() == runs["none"][2].read_bytes()

    def benign(labels: dict[str, Label]) -> dict[str, tuple[str | None, int]]:
        return {a: (lab.persona, lab.events) for a, lab in labels.items() if not lab.is_attack}

    for name, (_, labels, _) in runs.items():
        assert benign(labels) == benign(runs["none"][1]), name


def test_capped_answers_stay_in_the_range_with_max_tokens_at_its_top(runs: dict[str, Run]) -> None:
    low, high = CAPPED_TOKENS
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    labels = runs["capped"][1]
    for e in _attack(runs["capped"], "logit_probe"):
        by_type[str(labels[e["account_id"]].campaign_type)].append(e)
    assert len(by_type) == 7
    for kind, events in by_type.items():
        capped = [e for e in events if e.get("params", {}).get("max_tokens") == high]
        assert len(capped) >= 0.5 * len(events), kind  # the rest is the campaign's chat mix
        served = [e["completion_tokens"] for e in capped if e.get("status", 200) == 200]
        assert served and all(low <= t <= high for t in served), kind
    before = [e["completion_tokens"] for e in _attack(runs["none"], "logit_probe", "rubric")]
    assert statistics.median(before) > high  # the base's answers were longer


def test_seeded_requests_are_temperature_zero_with_a_seed(runs: dict[str, Run]) -> None:
    def share(run: Run) -> float:
        events = _attack(run)
        seeded = [e for e in events if e["params"].get("temperature") == 0.0
                  and "seed" in e["params"]]  # fmt: skip
        return len(seeded) / len(events)

    assert share(runs["seeded"]) >= 0.7 and share(runs["none"]) < 0.1


def test_thinner_spreads_the_same_volume_over_twice_the_accounts(runs: dict[str, Run]) -> None:
    def campaigns(run: Run) -> tuple[Counter[str], int]:
        labels = run[1]
        accounts = Counter(str(lab.campaign) for lab in labels.values() if lab.is_attack)
        return accounts, len(_attack(run))

    (before, events_before), (after, events_after) = (
        campaigns(runs["none"]),
        campaigns(runs["thinner"]),
    )
    assert after == Counter({c: 2 * n for c, n in before.items()})
    assert abs(events_after - events_before) <= 0.02 * events_before


def test_aged_accounts_are_months_old(runs: dict[str, Run]) -> None:
    def ages(run: Run) -> list[float]:
        first: dict[str, dict[str, Any]] = {}
        for e in _attack(run):
            first.setdefault(e["account_id"], e)
        return [(e["ts"] - e["account_created"]) / DAY for e in first.values()]

    assert min(ages(runs["aged"])) >= AGED_DAYS[0]
    assert max(ages(runs["aged"])) <= AGED_DAYS[1] + 1
    assert min(ages(runs["none"])) < 30  # the base has new accounts


def test_own_payment_shares_no_payment_method(runs: dict[str, Run]) -> None:
    def sharing(run: Run) -> int:
        holders: dict[str, set[str]] = defaultdict(set)
        for e in _attack(run):
            holders[e["payment_fingerprint"]].add(e["account_id"])
        return sum(1 for accounts in holders.values() if len(accounts) > 1)

    assert sharing(runs["own-payment"]) == 0 and sharing(runs["none"]) > 0


def test_split_cards_shares_a_farms_cards_among_three_accounts(runs: dict[str, Run]) -> None:
    def holders(run: Run) -> list[int]:
        found: dict[str, set[str]] = defaultdict(set)
        labels = run[1]
        for e in _attack(run):
            if labels[e["account_id"]].campaign_type == "hydra":
                found[e["payment_fingerprint"]].add(e["account_id"])
        return [len(accounts) for accounts in found.values()]

    assert max(holders(runs["split-cards"])) == SPLIT_CARD_ACCOUNTS
    assert max(holders(runs["none"])) > SPLIT_CARD_ACCOUNTS


def test_no_system_sends_no_system_prompt_with_harvesting_requests(runs: dict[str, Run]) -> None:
    def harvesting_systems(run: Run) -> int:
        return sum(1 for e in _attack(run) if e.get("system_prompt")
                   and e["system_prompt"] != "You are a helpful assistant.")  # fmt: skip

    assert harvesting_systems(runs["no-system"]) == 0 < harvesting_systems(runs["none"])


def test_residential_traffic_leaves_from_residential_networks_only(runs: dict[str, Run]) -> None:
    residential = {asn for asn, _ in RESIDENTIAL}
    after = {e["asn"] for e in _attack(runs["residential"])}
    assert after <= residential and len(after) >= 6
    assert {e["asn"] for e in _attack(runs["none"])} - residential


def test_working_hours_pace_every_account_like_one_person_at_work(runs: dict[str, Run]) -> None:
    scenario = apply(load_scenario("smoke"), "working-hours")
    labels = runs["working-hours"][1]
    per_account: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in _attack(runs["working-hours"]):
        per_account[e["account_id"]].append(e)
    for account, mine in per_account.items():
        assert all(e.get("session_id") for e in mine), account
        local = [[(e["ts"] / 3600.0 + o) % 24.0 for e in mine] for o in _UTC_OFFSETS]
        at_work = max(sum(9.0 <= h < 19.0 for h in hours) / len(mine) for hours in local)
        assert at_work >= 0.9, account
    for c in scenario.campaigns:
        accounts = [a for a, lab in labels.items() if lab.campaign == c.id]
        span_h = (c.end - c.start) * scenario.hours
        per_hour = sum(len(per_account[a]) for a in accounts) / len(accounts) / span_h
        assert c.timing == "human" and per_hour <= HUMAN_PER_HOUR * 1.15, (c.id, per_hour)
    assert len(per_account) > len({e["account_id"] for e in _attack(runs["none"])})


def test_half_chat_mixes_ordinary_chat_into_half_of_every_account(runs: dict[str, Run]) -> None:
    p = plan(apply(load_scenario("smoke"), "half-chat"))
    mixed = total = 0
    for account in p.accounts:
        if account.label.is_attack and account.choice is not None:
            mix_index = len(account.factories) - 1
            mixed += int((account.choice == mix_index).sum())
            total += account.choice.shape[0]
    assert total > 1000 and 0.45 <= mixed / total <= 0.55


def test_adapters_drop_exactly_the_fields_the_adapters_lack(runs: dict[str, Run]) -> None:
    after, _, _ = runs["adapters"]
    before, _, _ = runs["none"]
    assert not any(field in e for e in after for field in ADAPTER_GAPS)
    assert math.isclose(len(after), len(before))
    for a, b in zip(after, before, strict=True):
        assert a == {k: v for k, v in b.items() if k not in ADAPTER_GAPS}


def _hydra(run: Run) -> list[dict[str, Any]]:
    labels = run[1]
    return [e for e in _attack(run) if labels[e["account_id"]].campaign_type == "hydra"]


def test_own_agents_draws_an_agent_for_each_account(runs: dict[str, Run]) -> None:
    def agents(run: Run) -> tuple[int, int]:
        per_account: dict[str, set[str]] = defaultdict(set)
        for e in _hydra(run):
            per_account[e["account_id"]].add(e["user_agent"])
        return max(map(len, per_account.values())), len(set.union(*per_account.values()))

    assert agents(runs["own-agents"])[0] == 1 and agents(runs["own-agents"])[1] >= 8
    assert agents(runs["none"])[1] <= 2  # the farm's one script: the same two agents


def test_one_skeleton_fills_one_fixed_skeleton_with_new_payloads(runs: dict[str, Run]) -> None:
    def top_share(run: Run) -> float:
        events = _hydra(run)
        # A template fixes its opening or its closing words (or both): the commoner of the two.
        heads = Counter(skeletons_of(e["prompt"])[0] for e in events)
        tails = Counter(skeletons_of(e["prompt"])[1] for e in events)
        return max(heads.most_common(1)[0][1], tails.most_common(1)[0][1]) / len(events)

    def new_prompts(run: Run) -> dict[str, float]:
        prompts: dict[str, list[str]] = defaultdict(list)
        for e in _attack(run):
            prompts[run[1][e["account_id"]].campaign_type or ""].append(e["prompt"])
        return {kind: len(set(found)) / len(found) for kind, found in prompts.items()}

    assert top_share(runs["one-skeleton"]) >= 0.6 > 0.3 >= top_share(runs["none"])
    # The payload still varies (a probe's is one word of a short list: not counted here)...
    shares = new_prompts(runs["one-skeleton"])
    assert all(share >= 0.6 for kind, share in shares.items() if kind != "logit_probe"), shares

    # ...and the hand-written campaigns, and every draw but the skeleton's, stay as they were.
    def hand_written(run: Run) -> list[dict[str, Any]]:
        return [e for e in _attack(run) if run[1][e["account_id"]].campaign_type
                in ("slow_drip", "chat_mimicry")]  # fmt: skip

    assert hand_written(runs["one-skeleton"]) == hand_written(runs["none"])
    created = {e["account_id"]: e["account_created"] for e in _attack(runs["none"])}
    assert {e["account_id"]: e["account_created"] for e in _attack(runs["one-skeleton"])} == created


def test_three_each_leaves_a_farm_three_requests_an_account(runs: dict[str, Run]) -> None:
    _, labels, _ = runs["three-each"]
    sent = Counter(e["account_id"] for e in _attack(runs["three-each"]))
    farm = [a for a, lab in labels.items() if lab.campaign_type == "hydra"]
    assert farm and statistics.mean(sent[a] for a in farm) == pytest.approx(3.0, abs=0.5)
    others = {lab.campaign for lab in labels.values()
              if lab.is_attack and lab.campaign_type != "hydra"}  # fmt: skip
    before = runs["none"][1]
    for campaign in others:  # every other campaign as it was
        assert sum(lab.events for lab in labels.values() if lab.campaign == campaign) == sum(
            lab.events for lab in before.values() if lab.campaign == campaign
        )


def test_padded_requests_carry_a_made_up_turn_of_history(runs: dict[str, Run]) -> None:
    """No scripted harvesting request is one turn any more (what is left is the campaigns'
    cover chat), and the history is input too."""

    def one_turn(run: Run) -> float:
        scripted = _attack(run, "slow_drip", "chat_mimicry")
        return sum(
            1 for e in scripted if e.get("messages", 1) - bool(e.get("system_prompt")) <= 1
        ) / len(scripted)

    assert one_turn(runs["padded"]) < 0.05 < 0.5 < one_turn(runs["none"])
    padded, plain = (
        _attack(runs["padded"], "slow_drip", "chat_mimicry"),
        _attack(runs["none"], "slow_drip", "chat_mimicry"),
    )
    assert statistics.mean(e["prompt_tokens"] for e in padded) > statistics.mean(
        e["prompt_tokens"] for e in plain
    )


def test_stress_runs_thin_a_farm_further_and_keep_a_campaign_alone(
    runs: dict[str, Run], tmp_path: Path
) -> None:
    """``one-each`` is no matrix row, but a run may name it; ``only`` keeps one campaign type
    and the whole benign population (a farm alone: no other campaign fills its skeleton);
    the other stress runs change what they say and nothing else."""
    assert "one-each" not in EVASIONS and "one-each" not in " ".join(COMBINED)
    alone = apply(load_scenario("smoke").only(["hydra"]), "one-each")
    assert alone.name == "smoke[hydra]+one-each"
    assert {c.type for c in alone.campaigns} == {"hydra"}
    path = tmp_path / "alone.jsonl"
    generate(alone, path)
    labels = read_labels(tmp_path / "alone.labels.jsonl")
    farm = [lab for lab in labels.values() if lab.is_attack]
    assert farm and {lab.campaign_type for lab in farm} == {"hydra"}
    assert max(lab.events for lab in farm) == 1
    benign = {a: lab.events for a, lab in runs["none"][1].items() if not lab.is_attack}
    assert {a: lab.events for a, lab in labels.items() if not lab.is_attack} == benign
    with pytest.raises(ValueError, match="unknown campaign type"):
        load_scenario("smoke").only(["hydra", "sneaky"])
    # Bursts of one's own, and answers shorter than capped ones: farms but for their timing and
    # lengths; the hand-paced campaigns keep their human timing.
    changed = {c.id: c for c in apply(load_scenario("smoke"), "bursty+short").campaigns}
    for c in load_scenario("smoke").campaigns:
        human = c.type in ("slow_drip", "chat_mimicry")
        assert changed[c.id].timing == (c.timing if human else "bursty")
        if c.type != "logit_probe":
            assert changed[c.id].options["answer_tokens"] == list(SHORT_TOKENS)
    # No text on any event: the rest of each event as it was.
    blind = tmp_path / "no-text.jsonl"
    generate(apply(load_scenario("smoke"), "no-text"), blind)
    events = [orjson.loads(line) for line in blind.read_bytes().splitlines()]
    plain = runs["none"][0]
    assert any("prompt" in e for e in plain) and any("system_prompt" in e for e in plain)
    hidden = [{k: v for k, v in e.items() if k not in ("prompt", "system_prompt")} for e in plain]
    assert events == hidden


def test_logprobs_only_is_the_base_without_the_campaigns_logit_bias(
    runs: dict[str, Run],
) -> None:
    """The same events, probes' included, but for the campaigns' bias (the honest
    classifiers keep theirs): the price of the evasion is read on the same accounts."""
    (before, labels, _), after = runs["none"], runs["logprobs-only"][0]
    assert sum("logit_bias" in e.get("params", {}) for e in _attack(runs["none"])) > 100
    for plain, evading in zip(before, after, strict=True):
        if not labels[plain["account_id"]].is_attack:
            assert evading == plain
            continue
        expected = {k: v for k, v in plain.items() if k != "params"}
        params = {k: v for k, v in plain.get("params", {}).items() if k != "logit_bias"}
        assert evading == ({**expected, "params": params} if params else expected)
