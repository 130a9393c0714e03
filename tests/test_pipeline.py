"""The pipeline end to end in one process: offline detect, deduplication, policy."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from detectors.baseline import ESTABLISHED_TIER, bin_of
from detectors.groups import SKELETON_ONCE
from service.offline import detect_file
from service.pipeline import Pipeline
from service.policy import Policy
from service.scoring import ScoringRound
from service.settings import Settings
from service.state.account import ACTIONS, Decision
from service.state.memory import MemoryStore
from tests.factories import T0, EncodedStore, event, observed, traffic

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)

FAST = Settings(learn_interval_s=0, batch_size=200)


def write_events(path: Path, events: list[dict[str, Any]], extra: list[bytes] = ()) -> Path:  # type: ignore[assignment]
    lines = [orjson.dumps(e) for e in events] + list(extra)
    data = b"\n".join(lines) + b"\n"
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def read_verdicts(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_detect_flags_the_harvester_and_writes_contract_verdicts(tmp_path: Path) -> None:
    events = list(traffic(events=8000, lookalikes=True))
    source = write_events(tmp_path / "events.jsonl.gz", events)
    summary = detect_file(source, tmp_path / "verdicts.jsonl", FAST)
    verdicts = read_verdicts(tmp_path / "verdicts.jsonl")
    assert summary.events == len(events)
    by_account = {v["account_id"]: v for v in verdicts}
    # The harvester, and none of the controls: chat accounts, a tutor and an eval harness
    # that ask for reasoning too.
    assert set(by_account) == {"org_harvest"}
    assert {"org_tutor", "org_evals", "org_0"} <= {e["account_id"] for e in events}
    harvest = by_account["org_harvest"]
    harvester_ids = [e["event_id"] for e in events if e["account_id"] == "org_harvest"]
    assert harvest["first_flagged_event_id"] in harvester_ids
    assert (
        harvester_ids.index(harvest["first_flagged_event_id"]) + 1 == harvest["events_before_flag"]
    )
    for verdict in verdicts:
        assert set(verdict) == {
            "account_id",
            "action",
            "score",
            "first_flagged_ts",
            "first_flagged_event_id",
            "events_before_flag",
            "reasons",
            "cluster_id",
            "families",  # harvestguard's additions to the contract's fields
            "explanation",
        }
        assert verdict["action"] in ACTIONS[1:]
        assert 0.0 <= verdict["score"] <= 1.0
        assert verdict["events_before_flag"] >= FAST.min_events
        assert verdict["reasons"] and all(isinstance(r, str) for r in verdict["reasons"])
        assert [e["signal"] for e in verdict["explanation"]][:1] == verdict["reasons"][:1]
        assert verdict["families"] and {e["family"] for e in verdict["explanation"]} >= set(
            verdict["families"]
        )


def test_malformed_lines_are_reported_not_fatal(tmp_path: Path) -> None:
    events = list(traffic(events=300, harvester=None))
    bad = [b"{not json", b'{"event_id": "x"}', b"[1, 2]", b"\xff\xfe\xfd"]
    source = write_events(tmp_path / "events.jsonl", events, bad)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.cli",
            "detect",
            "--input",
            str(source),
            "--output",
            str(tmp_path / "v.jsonl"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "rejected lines: 4" in result.stderr
    assert f"events: {len(events)}" in result.stderr
    assert "ts: is required" in result.stderr  # the reason names the field


def test_duplicate_event_ids_are_counted_once() -> None:
    events = list(traffic(events=400))
    once, twice = MemoryStore(), MemoryStore()
    first = Pipeline(once, FAST)
    first.commit(first.process(observed(events)))
    second = Pipeline(twice, FAST)
    result = second.process(observed([*events[:200], *events[100:200], *events[200:]]))
    second.commit(result)
    assert result.duplicates == 100
    for account, state in once.load([e["account_id"] for e in events]).items():
        assert twice.load([account])[account].windows == state.windows


def test_kafka_redelivery_is_skipped_by_applied_offset() -> None:
    events = list(traffic(events=600))
    # One partition: offsets are positions. Redeliver 250 events after the first pass.
    store = MemoryStore()
    pipeline = Pipeline(store, FAST)
    pipeline.commit(pipeline.process(observed(events[:400], partition=0)))
    # Ids older than the dedup memory would be counted again without the offsets.
    result = pipeline.process(observed(events[150:], partition=0, first_offset=150))
    pipeline.commit(result)
    assert result.redelivered == 250
    clean = MemoryStore()
    clean_pipeline = Pipeline(clean, FAST)
    clean_pipeline.commit(clean_pipeline.process(observed(events, partition=0)))
    accounts = {e["account_id"] for e in events}
    counted = {a: (s.windows, s.events) for a, s in store.load(accounts).items()}
    assert counted == {a: (s.windows, s.events) for a, s in clean.load(accounts).items()}


def test_policy_escalates_at_once_and_steps_down_with_hysteresis() -> None:
    policy = Policy(review=0.8, throttle=0.9, block=0.97, hysteresis=0.1)
    decision = Decision()
    seen = []
    for score in (0.5, 0.85, 0.95, 0.86, 0.81, 0.79, 0.69, 0.99, 0.3):
        decision = policy.decide("a", decision, score, ["r"], 0.0)
        seen.append(decision.action)
    assert seen == [
        "allow",
        "review",
        "throttle",
        "throttle",
        "throttle",
        "review",
        "allow",
        "block",
        "allow",
    ]


def test_policy_allowlist_and_shadow() -> None:
    policy = Policy(allowlist=frozenset({"friend"}), shadow=True)
    assert policy.decide("friend", Decision(), 0.99, ["r"], 0.0).action == "allow"
    flagged = policy.decide("other", Decision(), 0.99, ["r"], 0.0)
    assert flagged.action == "block"
    assert policy.enforced(flagged) == "allow"


def test_allowlisted_harvester_is_never_flagged(tmp_path: Path) -> None:
    source = write_events(tmp_path / "e.jsonl", list(traffic(events=6000)))
    settings = FAST.model_copy(update={"allowlist": frozenset({"org_harvest"})})
    detect_file(source, tmp_path / "v.jsonl", settings)
    assert "org_harvest" not in {v["account_id"] for v in read_verdicts(tmp_path / "v.jsonl")}


def test_policy_ceiling_holds_an_action_at_review() -> None:
    policy = Policy(review=0.8, throttle=0.9, block=0.97, hysteresis=0.1)
    held = policy.decide("a", Decision(), 0.99, ["r"], 0.0, ceiling="review")
    assert held.action == "review"
    assert policy.decide("a", held, 0.99, ["r"], 1.0).action == "block"


@pytest.mark.parametrize("age_days", [400.0, 5.0])
def test_an_established_account_harvesting_alone_is_sent_to_review(
    tmp_path: Path, age_days: float
) -> None:
    events = list(traffic(events=6000))
    created = events[0]["ts"] - age_days * 86400
    for e in events:
        if e["account_id"] == "org_harvest":
            e["account_created"] = created
    source = write_events(tmp_path / "e.jsonl", events)
    for days, strongest in ((90.0, "review" if age_days >= 90 else "block"), (0.0, "block")):
        settings = FAST.model_copy(update={"established_account_days": days})
        detect_file(source, tmp_path / "v.jsonl", settings)
        by_account = {v["account_id"]: v for v in read_verdicts(tmp_path / "v.jsonl")}
        assert by_account["org_harvest"]["action"] == strongest, (days, age_days)


@pytest.mark.parametrize("bad", ["review_threshold", "block_threshold"])
def test_settings_refuse_unordered_thresholds(bad: str) -> None:
    values = {"review_threshold": 0.99} if bad == "review_threshold" else {"block_threshold": 0.5}
    with pytest.raises(ValueError, match="thresholds"):
        Settings(**values)  # type: ignore[arg-type]


def test_invalid_settings_are_named_without_a_traceback() -> None:
    env = dict(
        os.environ,
        HARVESTGUARD_STORE="mongo",
        HARVESTGUARD_REVIEW_THRESHOLD="high",
        HARVESTGUARD_REDIS_URL="redis://a:6379/0,redis://b:6379/0",
    )
    for command in ("settings", "worker", "api"):
        run = subprocess.run(
            [sys.executable, "-m", "service.cli", command], env=env, capture_output=True, text=True
        )
        assert run.returncode == 2, run.stderr
        assert "Traceback" not in run.stderr
        assert "HARVESTGUARD_STORE: Input should be 'memory' or 'redis'" in run.stderr
        assert "HARVESTGUARD_REVIEW_THRESHOLD: Input should be a valid number" in run.stderr
    env.update(HARVESTGUARD_STORE="redis", HARVESTGUARD_REVIEW_THRESHOLD="0.8")
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "settings"], env=env, capture_output=True, text=True
    )
    assert run.returncode == 2 and "HARVESTGUARD_REDIS_CLUSTER=true" in run.stderr
    env.update(HARVESTGUARD_REDIS_URL="http://cache:6379")
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "settings"], env=env, capture_output=True, text=True
    )
    assert run.returncode == 2 and "redis_url: 'http://cache:6379'" in run.stderr


def test_metrics_count_what_happened_with_bounded_labels(tmp_path: Path) -> None:
    from prometheus_client import REGISTRY

    def value(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    events = list(traffic(events=6000))
    source = write_events(tmp_path / "e.jsonl", events, [b'{"event_id": "x"}', b"{"])
    before = {
        "processed": value("hg_events_processed_total", source="file"),
        "rejected_ts": value("hg_events_rejected_total", source="file", field="ts"),
        "rejected_record": value("hg_events_rejected_total", source="file", field="record"),
        "changes": sum(
            value("hg_verdict_changes_total", action=a) for a in ("review", "throttle", "block")
        ),
    }
    detect_file(source, tmp_path / "v.jsonl", FAST)
    flagged = len(read_verdicts(tmp_path / "v.jsonl"))
    assert value("hg_events_processed_total", source="file") - before["processed"] == len(events)
    assert value("hg_events_rejected_total", source="file", field="ts") - before["rejected_ts"] == 1
    assert (
        value("hg_events_rejected_total", source="file", field="record") - before["rejected_record"]
        == 1
    )
    changes = sum(
        value("hg_verdict_changes_total", action=a) for a in ("review", "throttle", "block")
    )
    assert changes - before["changes"] >= flagged > 0
    reasons = REGISTRY.get_sample_value  # reason codes of the harvester's verdict, e.g.:
    assert (reasons("hg_verdict_reasons_total", {"reason": "reasoning_trace_harvest"}) or 0) > 0
    accounts = {e["account_id"] for e in events}
    for metric in REGISTRY.collect():
        for sample in metric.samples:
            assert not accounts & set(sample.labels.values()), sample


@pytest.mark.parametrize(
    ("fmt", "sample"), [("litellm", "litellm_success"), ("kong", "kong_ai_proxy")]
)
def test_detect_reads_gateway_logs_with_format(tmp_path: Path, fmt: str, sample: str) -> None:
    record = json.loads((Path(__file__).parent / "samples" / f"{sample}.json").read_text())
    id_field = "id" if fmt == "litellm" else None
    lines = []
    for i in range(20):
        copy = json.loads(json.dumps(record))
        if id_field:
            copy[id_field] = f"req-{i}"
        else:
            copy["request"]["id"] = f"req-{i}"
        lines.append(orjson.dumps(copy))
    source = write_events(tmp_path / f"{fmt}.jsonl", [], lines)
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "detect", "--format", fmt, "--input", str(source),
         "--output", str(tmp_path / "v.jsonl")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "rejected lines: 0" in result.stderr
    assert "events: 20 " in result.stderr and "accounts: 1" in result.stderr, result.stderr


def test_detect_writes_no_prompt_text_to_its_verdicts_or_its_output(tmp_path: Path) -> None:
    canary = "CANARY-detect-91c2"
    source = write_events(tmp_path / "e.jsonl", list(traffic(events=4000, canary=canary)))
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "--log-level", "DEBUG", "detect",
         "--input", str(source), "--output", str(tmp_path / "v.jsonl")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    verdicts = (tmp_path / "v.jsonl").read_text()
    assert [json.loads(line)["account_id"] for line in verdicts.splitlines()] == ["org_harvest"]
    assert canary not in verdicts + run.stdout + run.stderr


_WORDS = ("tide", "maple", "quartz", "lantern", "harbor", "cobalt", "meadow", "falcon")


def case_file(i: int) -> str:
    """One prompt skeleton, filled with the ``i``-th payload of five words."""
    payload = " ".join(_WORDS[(i + k) % len(_WORDS)] for k in range(1, 6))
    return f"Case file review. {payload}. Reply with every step that leads to the verdict."


def skeleton_links(result: Any, account: str) -> list[str]:
    return [v for v in result.states[account].links if v.startswith("skeleton:")]


def test_an_accounts_links_are_what_its_requests_used_not_its_last_one() -> None:
    """An account sends under its farm's system prompt, then cover chat under a stock prompt
    and without one: it keeps both system prompts (its last two) and its card. Another
    sending under three prompts keeps the last two. Cut into batches of one event, with the
    state written after each, the stream leaves the same links."""
    farm, stock = "You are the extraction bot of the team.", "You are a helpful assistant."
    sent = {"org_cover": [farm, stock, None], "org_three": [farm, stock, "You answer in verse."]}
    events = [
        event(event_id=f"{a}-{i}", ts=T0 + 70 * i, account_id=a, system_prompt=system,
              payment_fingerprint="pm_1", messages=2 if system else 1, prompt="Hello there")
        for a, prompts in sent.items()
        for i, system in enumerate(prompts)
    ]  # fmt: skip
    events.sort(key=lambda e: e["ts"])
    whole = Pipeline(MemoryStore(), FAST).process(observed(events)).states

    def kinds(links: list[str]) -> list[str]:
        return sorted(v.split(":")[0] for v in links if not v.startswith("skeleton:"))

    assert kinds(whole["org_cover"].links) == ["payment", "system", "system"]
    assert kinds(whole["org_three"].links) == ["payment", "system", "system"]
    assert set(whole["org_cover"].links) != set(whole["org_three"].links)
    pipeline = Pipeline(EncodedStore(), FAST)
    cut = {}
    for e in events:
        result = pipeline.process(observed([e]))
        pipeline.commit(result)
        cut.update(result.states)
    assert {a: s.links for a, s in cut.items()} == {a: s.links for a, s in whole.items()}


def test_a_thin_new_account_joins_a_young_crowds_skeleton(monkeypatch: pytest.MonkeyPatch) -> None:
    """Six young accounts repeat one prompt skeleton and make it a group. In a later epoch a
    young account filling it twice joins that group (too few requests to count as repeating
    it); an established customer doing the same does not. A young account whose one prompt
    matches it joins too, marked as weak membership (``skeleton_once``)."""
    created = T0 - 3 * 86400
    events = [
        event(event_id=f"c{a}-{i}", ts=T0 + 10 * i + a, account_id=f"org_crowd{a}",
              account_created=created, prompt=case_file(7 * a + i))
        for i in range(6)
        for a in range(6)
    ]  # fmt: skip
    later = T0 + 600  # ten epochs on: the crowd's group is in
    joiners = {"org_thin": created, "org_old": T0 - 400 * 86400}
    events += [
        event(event_id=f"{a}-{i}", ts=later + 10 * i, account_id=a, account_created=c,
              prompt=case_file(3 + i))
        for i in range(2)
        for a, c in joiners.items()
    ]  # fmt: skip
    events += [
        event(event_id="once-0", ts=later, account_id="org_once", account_created=created,
              prompt="What rhymes with orange, and why is it so hard?"),
        event(event_id="once-1", ts=later + 10, account_id="org_once", account_created=created,
              prompt=case_file(5)),
    ]  # fmt: skip
    once: dict[str, bool] = {}
    score = ScoringRound.score

    def recording(
        self: ScoringRound, account: str, state: Any, extra: Any = None, **options: Any
    ) -> Any:
        once[account] = bool(extra and extra.get(SKELETON_ONCE))
        return score(self, account, state, extra, **options)

    monkeypatch.setattr(ScoringRound, "score", recording)
    pipeline = Pipeline(MemoryStore(), FAST)
    result = pipeline.process(observed(events))

    crowd = {tuple(skeleton_links(result, f"org_crowd{a}")) for a in range(6)}
    assert len(crowd) == 1 and len(next(iter(crowd))) == 1, crowd
    assert skeleton_links(result, "org_thin") == list(next(iter(crowd)))
    assert not once["org_thin"]
    assert skeleton_links(result, "org_old") == [] and not once["org_old"]
    assert skeleton_links(result, "org_once") == list(next(iter(crowd))) and once["org_once"]


CREATED = T0 - 3 * 86400  # the new accounts of the card tests below


def harvester_on_card(start: float) -> list[dict[str, Any]]:
    """A new account harvesting reasoning at volume on the card ``pm_farm``, from ``start``."""
    return [
        event(event_id=f"h-{i}", ts=start + 5 * i, account_id="org_head", account_created=CREATED,
              payment_fingerprint="pm_farm", prompt_tokens=80, completion_tokens=4096,
              finish_reason="length", messages=1, params={"max_tokens": 4096},
              prompt=f"Problem {i}: articulate the internal reasoning behind your answer step "
              "by step.")
        for i in range(60)
    ]  # fmt: skip


def thin_pair(start: float, on_card: str, alone: str) -> list[dict[str, Any]]:
    """Two new accounts sending two long one-turn answers each: one on ``pm_farm``, one on a
    card of its own."""
    return [
        event(event_id=f"{a}-{i}", ts=start + 10 * i, account_id=a, account_created=CREATED,
              payment_fingerprint=card, prompt_tokens=60, completion_tokens=900,
              finish_reason="stop", messages=1, prompt=f"Problem {i + 7}: what follows?")
        for i in range(2)
        for a, card in ((on_card, "pm_farm"), (alone, "pm_alone"))
    ]  # fmt: skip


def test_a_young_account_on_a_flagged_harvesters_card_inherits_its_verdict() -> None:
    """A new account harvests on a card and is flagged; ten epochs later two more new accounts
    send two long one-turn answers each. The one on the harvester's card is flagged for it
    (its group's report carries the flag); the one on a card of its own is not."""
    events = harvester_on_card(T0) + thin_pair(T0 + 900, "org_tail", "org_alone")
    result = Pipeline(MemoryStore(), FAST).process(observed(events))
    assert "org_head" in result.flagged
    assert "org_tail" in result.flagged and "org_alone" not in result.flagged
    assert "farm_flagged_card" in result.flagged["org_tail"].reasons


def recheck_case() -> list[dict[str, Any]]:
    """A new account sends two long one-turn answers on a card and falls silent; a minute later
    a harvester on the same card starts, and is flagged within minutes; an account on a card
    of its own sends what the silent one sent; a bystander's events carry time on."""
    bystander = [
        event(event_id=f"b-{i}", ts=T0 + 60 * i, account_id="org_bystander", prompt="Hello")
        for i in range(40)
    ]
    events = thin_pair(T0, "org_early", "org_alone") + harvester_on_card(T0 + 60) + bystander
    return sorted(events, key=lambda e: e["ts"])


def test_a_silent_account_is_rechecked_once_its_card_shows_a_harvester() -> None:
    """Scored at its own events the early account is clean: its card's harvester is not flagged
    yet. Ten minutes after it fell silent it is scored again against its groups as they
    stand, and inherits the harvester's verdict; its verdict names its own last event, at the
    recheck's time. The account on its own card is rechecked too, and stays clean. The
    bystander, with forty requests of its own, is scored often enough at them: no recheck."""
    settings = FAST.model_copy(update={"recheck_after_s": (600.0,)})
    pipeline = Pipeline(MemoryStore(), settings)
    result = pipeline.process(observed(recheck_case()))
    assert "org_head" in result.flagged and "org_alone" not in result.flagged
    flag = result.flagged["org_early"]
    assert "farm_flagged_card" in flag.reasons
    assert (flag.event_id, flag.events_before) == ("org_early-1", 2)
    due = (int(T0 + 10) // settings.epoch_s + 10) * settings.epoch_s
    assert flag.ts == due
    assert result.flagged["org_head"].ts < flag.ts
    bystander = result.states["org_bystander"]
    assert bystander.links and bystander.recheck_due == -1

    never = Pipeline(MemoryStore(), FAST.model_copy(update={"recheck_after_s": ()}))
    assert "org_early" not in never.process(observed(recheck_case())).flagged


def test_a_young_account_used_in_one_burst_is_rechecked_and_a_busy_one_is_not() -> None:
    """Two new accounts on the harvester's card send a burst of long one-turn answers and fall
    silent before the harvester starts: thirty requests, and 150. The first is rechecked and
    inherits the harvester's verdict; the second, as busy as a customer, is judged at its own
    events only (no recheck, so it stays clean). So is one of thirty requests whose age is
    not known."""

    def burst(account: str, n: int, created: float | None = CREATED) -> list[dict[str, Any]]:
        return [
            event(event_id=f"{account}-{i}", ts=T0 + i, account_id=account,
                  account_created=created, payment_fingerprint="pm_farm", prompt_tokens=60,
                  completion_tokens=900, messages=1, prompt=f"Problem {i}: what follows?")
            for i in range(n)
        ]  # fmt: skip

    events = burst("org_burst", 30) + burst("org_busy", 150) + burst("org_unknown", 30, None)
    events += harvester_on_card(T0 + 200)
    events += [
        event(event_id=f"b-{i}", ts=T0 + 60 * i, account_id="org_bystander", prompt="Hello")
        for i in range(40)
    ]
    settings = FAST.model_copy(update={"recheck_after_s": (600.0,)})
    stream = observed(sorted(events, key=lambda e: e["ts"]))
    result = Pipeline(MemoryStore(), settings).process(stream)
    assert "org_head" in result.flagged
    flag = result.flagged["org_burst"]
    assert "farm_flagged_card" in flag.reasons and flag.events_before == 30
    assert flag.ts > result.flagged["org_head"].ts  # given at a recheck, after the harvester
    for account in ("org_busy", "org_unknown"):  # on the same card, never looked at again
        assert account not in result.flagged and result.states[account].recheck_due == -1


def test_a_recheck_is_the_same_however_the_stream_is_batched() -> None:
    """Cut into batches of one event, with the state written after each, the stream gives the
    verdicts of one batch: the recheck index and the states agree at every cut."""
    events = recheck_case()
    whole = Pipeline(MemoryStore(), FAST).process(observed(events)).flagged
    store = EncodedStore()
    pipeline = Pipeline(store, FAST)
    cut = {}
    for e in events:
        result = pipeline.process(observed([e]))
        pipeline.commit(result)
        cut.update(result.flagged)
    assert "org_early" in whole
    assert cut == whole


def test_thin_new_accounts_form_a_crowd_from_one_prompt_each() -> None:
    """Eight new accounts send one prompt each, filling one skeleton: none repeats anything,
    yet each reports that prompt's skeleton weakly, and in a later epoch a ninth new account
    whose one prompt fills it joins their crowd. An established account sending it reports
    no skeleton at all."""
    created = T0 - 3 * 86400
    events = [
        event(event_id=f"c{a}", ts=T0 + 5 * a, account_id=f"org_crowd{a}",
              account_created=created, prompt=case_file(a))
        for a in range(8)
    ]  # fmt: skip
    later = T0 + 600
    events += [
        event(event_id="late", ts=later, account_id="org_late", account_created=created,
              prompt=case_file(11)),
        event(event_id="old", ts=later, account_id="org_old", account_created=T0 - 400 * 86400,
              prompt=case_file(12)),
    ]  # fmt: skip
    pipeline = Pipeline(MemoryStore(), FAST)
    result = pipeline.process(observed(events))

    shared = set.intersection(*(set(skeleton_links(result, f"org_crowd{a}")) for a in range(8)))
    assert shared, "the crowd's one prompts share no skeleton"
    late = set(skeleton_links(result, "org_late"))
    assert len(late) == 1 and late <= shared
    assert skeleton_links(result, "org_old") == []
    # The crowd with the late joiner, every member weak: no other family reads them.
    crowd = next(iter(pipeline.links.groups(sorted(late), result.epochs[-1]).values()))
    assert crowd.members == 9 and crowd.get("weak") == 9.0


def test_an_established_account_is_in_the_established_tier_once_at_its_latest_volume() -> None:
    """Scored again and again as its day grows, within epochs and across them, an established
    account stays one entry in the tier that sets the established bar: its latest. Cut into
    batches of one event, the stream leaves the same histograms."""
    days = {"org_old1": 300, "org_old2": 200, "org_old3": 100}
    events = sorted(
        (
            event(event_id=f"{account}-{i}", account_id=account, ts=T0 + 5400.0 * i / n,
                  account_created=T0 - 400 * 86400, completion_tokens=800)
            for account, n in days.items()
            for i in range(n)
        ),
        key=lambda e: e["ts"],
    )  # fmt: skip

    tier_prefix = f"{ESTABLISHED_TIER}:"

    def established(pipeline: Pipeline, epoch: int) -> dict[str, int]:
        cells = pipeline.links.histograms(epoch).cells
        return {cell: n for cell, n in cells.items() if cell.startswith(tier_prefix) and n}

    whole = Pipeline(MemoryStore(), FAST)
    result = whole.process(observed(events))
    last = max(result.epochs)
    tier = established(whole, last + 1)
    assert tier[f"{tier_prefix}#"] == len(days)
    served = [cell for cell, n in tier.items() for _ in range(n)
              if cell.startswith(f"{tier_prefix}completion_day:")]  # fmt: skip
    bins = sorted(int(cell.rsplit(":", 1)[1]) for cell in served)
    # Each account as of its last scoring (a quarter of growth at most before its last
    # event), not of its first minutes.
    for got, n in zip(bins, sorted(days.values()), strict=True):
        assert bin_of("completion_day", 600.0 * n) <= got <= bin_of("completion_day", 800.0 * n)

    cut = Pipeline(EncodedStore(), FAST)
    for e in events:
        cut.commit(cut.process(observed([e])))
    assert established(cut, last + 1) == tier
    # Their states expired halfway (an idle day, an eviction): still one entry each.
    store = MemoryStore()
    expired = Pipeline(store, FAST)
    half = len(events) // 2
    expired.commit(expired.process(observed(events[:half])))
    store._states.clear()
    expired.commit(expired.process(observed(events[half:])))
    assert established(expired, last + 1)[f"{tier_prefix}#"] == len(days)


def test_a_bias_sweep_is_a_probe_and_a_calibration_study_reading_top_logprobs_is_not() -> None:
    """Two established accounts send the same 600 one-token requests with the top 20
    log-probabilities over an hour; one also sets a logit_bias of 200 entries on each (the
    extraction's instrument). Only that one is flagged."""

    def study(account: str, bias: int) -> list[dict[str, Any]]:
        params = {"max_tokens": 1, "logprobs": True, "top_logprobs": 20, "temperature": 0.0}
        return [
            event(event_id=f"{account}-{i}", ts=T0 + 6.0 * i, account_id=account,
                  account_created=T0 - 400 * 86400.0, completion_tokens=1, prompt_tokens=12,
                  prompt=f"Q{i}: is this claim true?", params={**params, "logit_bias": bias}
                  if bias else params)
            for i in range(600)
        ]  # fmt: skip

    events = sorted(study("org_probe", 200) + study("org_study", 0), key=lambda e: e["ts"])
    result = Pipeline(MemoryStore(), FAST).process(observed(events))
    assert "org_probe" in result.flagged and "logit_probing" in result.flagged["org_probe"].reasons
    assert "org_study" not in result.flagged
