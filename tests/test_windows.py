"""Event-time windows: sliding values, late events, bounded state, distinct-count sketches."""

from __future__ import annotations

import json
import random

import pytest
from xxhash import xxh3_64_intdigest

from service.contract import RequestEvent, parse_event
from service.features import sketch
from service.features.fingerprint import fingerprint, template_hash
from service.features.observation import observe
from service.features.windows import MAX_MODELS, AccountWindows
from tests.factories import T0, event

HOUR = 1
DAY = 2
MINUTE = 0


def ev(**fields: object) -> RequestEvent:
    return parse_event(json.dumps(event(**fields)))


def add(windows: AccountWindows, e: RequestEvent) -> None:
    windows.add(observe(e))


def test_counts_land_in_every_horizon() -> None:
    w = AccountWindows()
    for i in range(10):
        add(w, ev(ts=T0 + i, prompt_tokens=100, completion_tokens=50, finish_reason="length"))
    now = T0 + 9
    for h in (MINUTE, HOUR, DAY):
        assert w.counter("requests", h, now) == pytest.approx(10)
        assert w.counter("prompt_tokens", h, now) == pytest.approx(1000)
        assert w.counter("length_finishes", h, now) == pytest.approx(10)
    assert w.counter("gap_count", HOUR, now) == 9
    assert w.counter("gap_sum", HOUR, now) == pytest.approx(9.0)


def test_sliding_value_fades_the_previous_bucket() -> None:
    w = AccountWindows()
    add(w, ev(ts=T0 + 30))  # minute bucket of T0 (T0 is a whole minute)
    add(w, ev(ts=T0 + 60))  # next minute: the first event moves to "previous"
    # 15 s into the new minute, a quarter of the previous minute has slid out.
    assert w.counter("requests", MINUTE, T0 + 75) == pytest.approx(1 + 0.75)
    # A whole minute later only the newer bucket remains, fading.
    assert w.counter("requests", MINUTE, T0 + 150) == pytest.approx(0.5)
    assert w.counter("requests", MINUTE, T0 + 240) == 0.0
    assert w.counter("requests", HOUR, T0 + 75) == pytest.approx(2)


def test_late_events_count_where_they_belong_and_very_late_ones_are_dropped() -> None:
    w = AccountWindows()
    add(w, ev(ts=T0 + 125))
    add(w, ev(ts=T0 + 70))  # previous minute: still counted in the minute window
    add(w, ev(ts=T0 + 5))  # two minutes back: too late for the minute, fine for the hour
    assert w.counter("requests", MINUTE, T0 + 125) == pytest.approx(1 + 1 * (1 - 5 / 60))
    assert w.counter("requests", HOUR, T0 + 125) == pytest.approx(3)
    assert w.last_ts == T0 + 125  # the clock never goes back
    assert w.counter("gap_count", HOUR, T0 + 125) == 0  # late events give no gap


def test_a_long_pause_resets_both_buckets() -> None:
    w = AccountWindows()
    add(w, ev(ts=T0))
    add(w, ev(ts=T0 + 3 * 86400))
    assert w.counter("requests", DAY, T0 + 3 * 86400) == pytest.approx(1)


def test_distinct_prompts_ips_and_keys() -> None:
    w = AccountWindows()
    for i in range(200):
        prompt = f"question number {i % 50} about cats"
        add(w, ev(ts=T0 + i, prompt=prompt, client_ip=f"10.0.0.{i % 7}", api_key_id=f"k{i % 3}"))
    now = T0 + 199
    assert w.distinct("prompts", HOUR, now) == pytest.approx(50, rel=0.25)
    assert w.distinct("templates", HOUR, now) == pytest.approx(1, abs=0.2)
    assert w.distinct("client_ips", HOUR, now) == pytest.approx(7, rel=0.2)
    assert w.distinct("api_keys", DAY, now) == pytest.approx(3, rel=0.2)


def test_model_mix_is_bounded() -> None:
    w = AccountWindows()
    for i in range(50):
        add(w, ev(ts=T0 + i, model=f"model-{i}"))
    mix = w.model_mix(HOUR, T0 + 49)
    assert len(w.models) <= MAX_MODELS
    assert sum(mix.values()) == pytest.approx(50)


def test_sketch_accuracy_across_cardinalities() -> None:
    for n in (1, 10, 100, 1000, 20000):
        registers = bytearray(sketch.REGISTERS)
        for i in range(n):
            sketch.add(registers, 0, xxh3_64_intdigest(str(i).encode()))
        assert sketch.estimate(registers, 0) == pytest.approx(n, rel=0.35)


def test_templates_ignore_numbers_and_the_filled_in_middle() -> None:
    long_a = (
        "Summarise the following document in three short bullet points: "
        + "alpha " * 400
        + "Keep it short and plain."
    )
    long_b = (
        "Summarise the following document in three short bullet points: "
        + "beta " * 300
        + "Keep it short and plain."
    )
    assert template_hash(long_a) == template_hash(long_b)
    assert template_hash("Solve 12+7 step by step") == template_hash("Solve 3+95 step by step")
    assert template_hash("Translate to French: hello") != template_hash("Write a poem: hello")


def test_fingerprints_are_numbers_only() -> None:
    fp = fingerprint("secret prompt text", "secret system text")
    assert all(isinstance(value, int) for value in fp)
    assert fingerprint(None, None) == (0, 0, 0)


def test_observation_carries_each_field_under_its_name() -> None:
    obs = observe(
        ev(
            event_id="x", ts=T0, reasoning_tokens=9, status=500, finish_reason="length",
            messages=1, client_ip="198.51.100.7", asn=77, user_agent="ua",
            payment_fingerprint="pf", account_created=T0 - 86400, api_key_id="k",
            params={"n": 3, "top_logprobs": 2, "logit_bias": 7, "max_tokens": 99},
            prompt="Explain it", system_prompt="Be nice",
        )
    )  # fmt: skip
    assert (obs.event_id, obs.ts, obs.account_id, obs.model) == ("x", T0, "org_1", "chat-large")
    assert (obs.prompt_tokens, obs.completion_tokens, obs.reasoning_tokens) == (400, 300, 9)
    assert (obs.error, obs.truncated, obs.single_turn) == (True, True, True)
    assert (obs.choices, obs.logprobs, obs.top_logprobs, obs.logit_bias) == (3, True, 2, 7)
    assert obs.max_tokens == 99
    assert (obs.network, obs.asn) == ("198.51.100.0/24", 77)
    assert (obs.user_agent, obs.payment) == ("ua", "pf")
    assert obs.account_created == T0 - 86400
    assert obs.prompt_fp and obs.template_fp and obs.system_fp and obs.ip_hash and obs.key_hash
    assert "Explain it" not in repr(obs) and "Be nice" not in repr(obs)
    assert observe(ev(client_ip="2001:db8:1:2::7")).network == "2001:db8:1::/48"


def test_the_inlined_sketch_update_agrees_with_register_and_rank() -> None:
    rng = random.Random(5)
    hashes = [rng.getrandbits(64) for _ in range(4)]
    expected = [sketch.register_and_rank(h, k * sketch.REGISTERS) for k, h in enumerate(hashes)]
    assert sketch.sketch_updates(*hashes) == expected
    assert sketch.sketch_updates(0, hashes[1]) == [expected[1]]
