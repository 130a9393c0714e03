"""Event-time windows: sliding values, late events, bounded state, distinct-count sketches,
observations, and windows that do not depend on how a stream was cut into batches."""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
import pytest
from xxhash import xxh3_64_intdigest

from service.features import sketch
from service.features.fingerprint import fingerprints, frame, set_key, skeletons
from service.features.observation import COLUMN, HASH, HASHES, link_values, use_key
from service.features.segments import LONG_FROM, LONG_FULL, increments, registers
from service.features.windows import BLOCK, INDEX, MAX_MODELS, AccountWindows, M, Rate
from service.pipeline import Pipeline
from service.settings import Settings
from service.state import account as account_module
from service.state.account import AccountState
from service.state.memory import MemoryStore
from tests.factories import T0, EncodedStore, event, observed, traffic


def sums(**values: float) -> list[float]:
    row = [0.0] * M
    row[0] = 1.0
    for name, value in values.items():
        row[INDEX[name]] = value
    return row


def add(w: AccountWindows, ts: float, **values: float) -> None:
    w.add(ts, ts, sums(**values), None, {"m": int(values.get("requests", 1))}, 0, [])


def test_a_rate_slides_its_previous_bucket_out() -> None:
    rate = Rate()
    rate.add(int((T0 + 30) // 60), 1)
    rate.add(int((T0 + 60) // 60), 1)
    # 15 s into the new minute, a quarter of the previous minute has slid out.
    assert rate.at(60, T0 + 75) == pytest.approx(1 + 0.75)
    assert rate.at(60, T0 + 150) == pytest.approx(0.5)  # only the newer bucket, fading
    assert rate.at(60, T0 + 240) == 0.0
    rate.add(int((T0 - 65) // 60), 1)  # two minutes back: too late for a minute's rate
    assert rate.at(60, T0 + 75) == pytest.approx(1 + 0.75)


def test_day_counters_slide_and_late_segments_land_in_their_day() -> None:
    w = AccountWindows()
    day = 86400.0
    start = (T0 // day + 1) * day  # a whole day
    add(w, start + 10, prompt_tokens=100)
    add(w, start - 100, prompt_tokens=50)  # late: the day before, still in the window
    assert w.last_ts == start + 10  # the clock never goes back
    counts = w.day_counters(start + day / 2)
    assert counts[0] == pytest.approx(1 + 1 * 0.5)
    assert counts[INDEX["prompt_tokens"]] == pytest.approx(100 + 50 * 0.5)
    add(w, start - 2 * day, prompt_tokens=999)  # too old for either bucket: left out
    assert w.day_counters(start)[INDEX["prompt_tokens"]] == pytest.approx(150)
    add(w, start + 3 * day)  # a long pause resets both buckets
    assert w.day_requests(start + 3 * day) == pytest.approx(1)


def test_models_and_skeletons_are_bounded() -> None:
    w = AccountWindows()
    for i in range(50):
        w.add(T0 + i, T0 + i, sums(), None, {f"model-{i}": 1}, 0, [(1000 + i, 1), (7, 1)])
    assert len(w.models) <= MAX_MODELS and sum(w.model_mix(T0 + 49).values()) == pytest.approx(50)
    assert len(w.skeletons) <= 8
    assert w.top_skeleton() == (7, pytest.approx(50, abs=10))


def test_a_template_among_payload_words_seen_once_keeps_its_count() -> None:
    """Three keys a prompt, two of them the payload's own words: a template of one request in
    three is counted from its second sighting, exactly, however many one-off keys pass."""
    rng = np.random.default_rng(7)
    templates = [11, 12, 13]
    w = AccountWindows()
    for i in range(60):
        once = [(int(k), 1) for k in rng.integers(1 << 20, 1 << 62, size=2)]
        w.add(T0 + i, T0 + i, sums(), None, {}, 0, [(templates[i % 3], 1), *once])
    # Each template came 20 times; a one-off key may share a doorkeeper bit with an earlier
    # key (about 1 in 5 by the end), and then counts once.
    assert w.top_skeleton()[0] in templates and w.top_skeleton()[1] >= 17
    assert all(count <= 2 for key, count in w.skeletons.items() if key not in templates)
    w.add(T0 + 86400, T0 + 86400, sums(), None, {}, 0, [])  # a new day clears the doorkeeper
    assert w.seen == 0


def test_states_written_before_the_doorkeeper_still_read() -> None:
    state = AccountState()
    state.windows.add(T0, T0, sums(), None, {}, 0, [(511, 1), (511, 1)])  # the highest bit
    assert state.windows.seen == 1 << 511 and state.windows.skeletons == {511: 1.0}
    meta_len = account_module._HEADER.unpack_from(blob := account_module.encode(state))[1]
    start = account_module._HEADER.size
    meta = orjson.loads(blob[start : start + meta_len])
    meta["w"] = meta["w"][:-1]  # the doorkeeper's place, as older states lack it
    old = orjson.dumps(meta)
    header = account_module._HEADER.pack(2, len(old))
    read = account_module.decode(header + old + blob[start + meta_len :])
    assert read.windows.seen == 0 and read.windows.skeletons == {511: 1.0}
    assert account_module.decode(blob).windows.seen == state.windows.seen


def test_sketch_accuracy_across_cardinalities() -> None:
    for n in (1, 10, 100, 1000, 20000):
        block = bytearray(sketch.REGISTERS)
        for i in range(n):
            sketch.add(block, 0, xxh3_64_intdigest(str(i).encode()))
        assert sketch.estimate(block, 0) == pytest.approx(n, rel=0.35)


def test_the_columnar_registers_agree_with_the_sketch() -> None:
    batch = observed([event(event_id=f"e{i}", prompt=f"question {i}") for i in range(300)])
    index, rank = registers(batch)
    prompts = batch.hash_columns()[HASH["prompt"]]
    for i in range(300):
        expected = sketch.register_and_rank(int(prompts[i]))
        assert (int(index[0, i]), int(rank[0, i])) == expected
    assert index.max() < BLOCK


def state_after(
    events: list[dict[str, Any]], batch: int, written: bool = False
) -> dict[str, AccountState]:
    """Every account's state after the events, ``batch`` at a time; ``written``: each state
    encoded and decoded after each batch, as the Redis store keeps it."""
    store = EncodedStore() if written else MemoryStore()
    pipeline = Pipeline(store, Settings(_env_file=None, learn_interval_s=0))  # type: ignore[call-arg]
    for start in range(0, len(events), batch):
        pipeline.commit(pipeline.process(observed(events[start : start + batch])))
    return store.load({e["account_id"] for e in events})


def test_counts_reach_the_windows_through_the_pipeline() -> None:
    events = [
        event(event_id=f"e{i}", ts=T0 + i, prompt_tokens=100, completion_tokens=800,
              finish_reason="length", prompt=f"Problem {i % 50}: explain step by step.",
              client_ip=f"10.0.0.{i % 7}", api_key_id=f"k{i % 3}")
        for i in range(200)
    ]  # fmt: skip
    w = state_after(events, 64)["org_1"].windows
    now = T0 + 199
    day = w.day_counters(now)
    assert day[0] == pytest.approx(200) and day[INDEX["prompt_tokens"]] == pytest.approx(20000)
    assert day[INDEX["near_max"]] == pytest.approx(200) and day[INDEX["cot"]] == 200
    assert day[INDEX["long"]] == pytest.approx(200 * (800 - LONG_FROM) / (LONG_FULL - LONG_FROM))
    assert day[INDEX["gap_count"]] == 199 and day[INDEX["gap_sum"]] == pytest.approx(199)
    assert w.minute.at(60, now) > 40 and w.hour.at(3600, now) == pytest.approx(200)
    assert w.distinct("prompts", now) == pytest.approx(50, rel=0.25)
    assert w.distinct("heads", now) == pytest.approx(1, abs=0.2)
    assert w.distinct("client_ips", now) == pytest.approx(7, rel=0.2)
    assert w.distinct("api_keys", now) == pytest.approx(3, rel=0.2)
    assert w.languages_at(now) == 1


@pytest.mark.parametrize(("batch", "hours"), [(1, 1.0), (7, 1.0), (333, 1.0), (7, 14.0)])
def test_windows_do_not_depend_on_batch_boundaries(batch: int, hours: float) -> None:
    """Nor on whether the state was written between batches: across midnight too (14 hours
    from 14:00), where the day rotates and the skeletons' doorkeeper starts again."""
    events = list(traffic(events=1500, lookalikes=True, duration_s=hours * 3600.0))
    whole = state_after(events, 5000)
    cut = state_after(events, batch, written=hours > 1.0)
    assert cut.keys() == whole.keys()
    for account, state in whole.items():
        other = cut[account]
        assert (other.windows, other.events, other.scored_events) == (
            state.windows,
            state.events,
            state.scored_events,
        ), account


def test_skeletons_ignore_numbers_and_the_filled_in_middle() -> None:
    head = "Summarise the following document in three short bullet points: "
    long_a = head + "alpha " * 400 + "Keep it short and plain please."
    long_b = head + "beta " * 300 + "Keep it short and plain please."
    assert skeletons(long_a) == skeletons(long_b)
    assert skeletons("Solve 12+7 step by step") == skeletons("Solve 3+95 step by step")
    assert skeletons("Translate to French: hello") != skeletons("Write a poem: hello")
    # A template that puts the payload first still shares its tail.
    assert (
        skeletons("Alpha beta gamma " * 9 + "Show your reasoning in full please.")[1]
        == (skeletons("Delta epsilon zeta " * 7 + "Show your reasoning in full please.")[1])
    )


def test_a_fixed_sentence_shorter_than_the_window_is_a_skeleton_without_the_payload() -> None:
    """The commonest templates are one short fixed sentence before or after the question: an
    eight-word head or six-word tail would take payload words too and never repeat."""
    before = "Solve the following problem step by step.\n\n{}"
    after = "{}\nLet's think step by step."
    first, second = "A train leaves at 9:40 and travels far.", "Why is the sky blue?"
    assert skeletons(before.format(first))[0] == skeletons(before.format(second))[0]
    assert skeletons(after.format(first))[1] == skeletons(after.format(second))[1]
    # A sentence of fewer than three words is no template: "Hi." takes the payload along.
    assert skeletons("Hi. Can you help me with my essay")[0] != skeletons("Hi. What is a prime")[0]
    # Different questions under no template keep different skeletons.
    assert skeletons(first) != skeletons(second)


def test_a_frame_is_the_labels_around_the_payload_whatever_its_length() -> None:
    alpaca = "### Instruction:\n{}\n\n### Response:"
    short = frame(alpaca.format("Solve 2x+1=7."))
    long = frame(alpaca.format("A train leaves at 9:40.\nIt travels 120 km.\n" * 40))
    assert short == long != 0
    assert frame("Problem: two trains meet\nAnswer:") == frame("Problem: 3 cats\nAnswer:")
    assert frame("Problem: two trains meet\nAnswer:") != short
    # Prose and single lines have no frame: nothing to share but the payload.
    assert frame("Hi!\nCould you help me with my essay?") == 0
    assert frame("Question: what is a prime?") == 0


def test_fingerprints_are_keyed_numbers() -> None:
    found = fingerprints("secret\nprompt: text\nanswer:", "secret system text")
    assert all(isinstance(value, int) and value for value in found)
    assert fingerprints(None, None) == (0, 0, 0, 0, 0)
    try:
        use_key("one key")
        keyed = link_values("pm_1", 0, "198.51.100.7", 77, "ua")
        set_key("another key")
        assert fingerprints("secret prompt text", None)[0] != found[0]
    finally:
        use_key("")
    assert link_values("pm_1", 0, "198.51.100.7", 77, "ua") != keyed


def test_observation_carries_each_field_in_its_column() -> None:
    batch = observed([
        event(event_id="x", ts=T0, reasoning_tokens=9, status=500, finish_reason="length",
              messages=1, client_ip="198.51.100.7", asn=77, user_agent="ua",
              payment_fingerprint="pf", account_created=T0 - 86400, api_key_id="k",
              params={"n": 3, "top_logprobs": 2, "logit_bias": 7, "max_tokens": 99},
              prompt="Explain it step by step", system_prompt="Be nice"),
        event(event_id="y", client_ip="2001:db8:1:2::7"),
    ])  # fmt: skip
    c = batch.columns()[:, 0]
    assert (batch.event_ids[0], c[COLUMN["ts"]], batch.accounts[0]) == ("x", T0, "org_1")
    assert batch.models[0] == "chat-large"
    assert (c[COLUMN["prompt_tokens"]], c[COLUMN["completion_tokens"]]) == (400, 300)
    assert c[COLUMN["reasoning_tokens"]] == 9 and c[COLUMN["max_tokens"]] == 99
    assert (c[COLUMN["error"]], c[COLUMN["truncated"]], c[COLUMN["single_turn"]]) == (1, 1, 1)
    assert (c[COLUMN["choices"]], c[COLUMN["logprobs"]], c[COLUMN["logit_bias"]]) == (3, 1, 7)
    assert c[COLUMN["created"]] == T0 - 86400 and c[COLUMN["elicit"]] == 1.0
    kinds = [v.split(":")[0] for v in batch.link_sets[int(c[COLUMN["link_set"]])]]
    assert kinds == ["payment", "system", "network", "asn_agent"]
    framed = [HASH[name] for name in HASHES if name != "frame"]  # a one-line prompt has none
    assert all(batch.hash_columns()[framed, 0]) and batch.hash_columns()[HASH["frame"], 0] == 0
    assert b"Explain" not in batch.numbers + batch.hashes
    assert "Explain" not in repr(batch) and "Be nice" not in repr(batch)
    v6 = batch.link_sets[int(batch.columns()[COLUMN["link_set"], 1])]
    assert [v.split(":")[0] for v in v6] == ["network"]


def test_increments_are_ramps_not_cliffs() -> None:
    lengths = [100, 150, 400, 600, 799, 800, 1200]
    batch = observed([
        event(event_id=f"e{i}", completion_tokens=n, prompt="Explain step by step.")
        for i, n in enumerate(lengths)
    ])  # fmt: skip
    counts = increments(batch)
    long, harvest = counts[INDEX["long"]], counts[INDEX["harvest"]]
    assert long[0] == long[1] == 0.0 and long[-1] == long[-2] == 1.0
    assert np.all(np.diff(long) >= 0) and 0 < long[2] < long[3] < long[4] < 1
    # A reasoning request counts for 40 % whatever its answer, fully with a long one.
    assert harvest[0] == harvest[1] == pytest.approx(0.4) and harvest[-1] == 1.0
    assert np.all(np.diff(harvest) >= 0)


def test_a_probe_is_its_logit_bias_and_less_its_top_logprobs_alone() -> None:
    # (logit_bias entries, top_logprobs, completion tokens) -> what the request counts as a probe
    cases = [((100, 20, 1), 1.0), ((0, 20, 1), 0.3), ((2, 20, 1), 0.3), ((0, 5, 1), 0.3 * 2 / 7),
             ((2, 0, 1), 0.0), ((22, 0, 1), 0.5), ((100, 20, 9), 0.0)]  # fmt: skip
    batch = observed([
        event(event_id=f"p{i}", completion_tokens=tokens,
              params={"max_tokens": tokens, "top_logprobs": top, "logit_bias": bias})
        for i, ((bias, top, tokens), _) in enumerate(cases)
    ])  # fmt: skip
    probe = increments(batch)[INDEX["probe"]]
    assert probe.tolist() == pytest.approx([value for _, value in cases])
