"""The request-event contract: exact field rules, and a parser that never fails unexpectedly."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client import REGISTRY

from service.contract import InvalidEvent, event_to_json, iter_lines, parse_event, validate_event
from tests.factories import event

CONTRACT_EXAMPLE = (
    b'{"event_id": "req_01HZX3", "ts": "2026-11-28T14:03:11.482Z", "account_id": "org_5521",'
    b' "api_key_id": "key_9f2c", "client_ip": "203.0.113.7", "user_agent": "OpenAI/Python 1.54.0",'
    b' "model": "chat-large", "status": 200, "prompt_tokens": 412, "completion_tokens": 1780,'
    b' "finish_reason": "length", "messages": 2,'
    b' "params": {"max_tokens": 2048, "temperature": 0.7, "n": 1},'
    b' "system_prompt": "You are a meticulous expert.",'
    b' "prompt": "Solve the following and write out your full reasoning step by step: ..."}'
)


def reason_of(record: Any) -> str:
    with pytest.raises(InvalidEvent) as caught:
        parse_event(json.dumps(record))
    return caught.value.reason


def test_the_contract_example_parses() -> None:
    parsed = parse_event(CONTRACT_EXAMPLE)
    assert parsed.account_id == "org_5521"
    assert parsed.ts == pytest.approx(1_795_874_591.482)
    assert parsed.params is not None
    assert parsed.params.max_tokens == 2048
    assert parsed.params.n == 1
    assert parsed.endpoint is None  # not known: the contract's default applies where used


def test_unknown_fields_are_ignored() -> None:
    parsed = parse_event(json.dumps(event(future_field={"x": [1, {"y": 2}]}, params={"knob": 3})))
    assert parsed.event_id == "e1"


def test_absent_and_null_optional_fields_both_mean_not_known() -> None:
    nulls = event(status=None, endpoint=None, params={"n": None}, client_ip=None, asn=None)
    assert parse_event(json.dumps(nulls)) == parse_event(json.dumps(event(params={})))
    parsed = parse_event(json.dumps(nulls))
    assert parsed.status is None and parsed.endpoint is None and parsed.client_ip is None
    assert parse_event(json.dumps(event(params=None))).params is None


@pytest.mark.parametrize(
    ("ts", "expected"),
    [
        (1_795_874_400, 1_795_874_400.0),
        (1_795_874_400.25, 1_795_874_400.25),
        ("2026-11-28T14:00:00Z", 1_795_874_400.0),
        ("2026-11-28T15:00:00+01:00", 1_795_874_400.0),
        ("2026-11-28t14:00:00.123456789z", 1_795_874_400.123456),
    ],
)
def test_ts_is_rfc3339_or_unix_seconds(ts: Any, expected: float) -> None:
    assert parse_event(json.dumps(event(ts=ts))).ts == pytest.approx(expected)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"event_id": ""}, "event_id"),
        ({"event_id": "x" * 129}, "event_id"),
        ({"account_id": None}, "account_id"),
        ({"ts": "2026-11-28"}, "ts"),
        ({"ts": "2026-11-28T14:00:00"}, "ts"),  # RFC 3339 needs an offset
        ({"ts": -5}, "ts"),
        ({"ts": True}, "ts"),
        ({"prompt_tokens": -1}, "prompt_tokens"),
        ({"prompt_tokens": "412"}, "prompt_tokens"),
        ({"completion_tokens": 1.5}, "completion_tokens"),
    ],
)
def test_rejections_name_the_field(change: dict[str, Any], field: str) -> None:
    assert reason_of(event(**change)).startswith(f"{field}: ")


def nulled_count(field: str) -> float:
    return REGISTRY.get_sample_value("hg_event_fields_nulled_total", {"field": field}) or 0.0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": 99}, "status"),
        ({"status": 600}, "status"),
        ({"status": "200"}, "status"),
        ({"client_ip": "999.1.1.1"}, "client_ip"),
        ({"client_ip": "198.51.100.23, 10.0.0.5"}, "client_ip"),
        ({"asn": "AS24940"}, "asn"),
        ({"latency_ms": -1}, "latency_ms"),
        ({"account_created": "yesterday"}, "account_created"),
        ({"user_agent": ["a", "b"]}, "user_agent"),
        ({"params": {"temperature": 2.5, "n": 2}}, "params.temperature"),
        ({"params": {"top_p": 1.5, "n": 2}}, "params.top_p"),
        ({"params": {"n": 0}}, "params.n"),
        ({"params": {"top_logprobs": 21, "n": 2}}, "params.top_logprobs"),
        ({"params": {"logit_bias": -1, "n": 2}}, "params.logit_bias"),
        ({"params": {"logprobs": "yes", "n": 2}}, "params.logprobs"),
        ({"params": []}, "params"),
        ({"prompt": "x" * ((1 << 20) + 1)}, "prompt"),
    ],
)
def test_a_bad_optional_field_is_null_and_counted(change: dict[str, Any], field: str) -> None:
    before = nulled_count(field)
    record = event(**change)
    parsed = parse_event(json.dumps(record))
    assert parsed == validate_event(record)
    assert nulled_count(field) == before + 2  # once per parse
    name, _, sub = field.partition(".")
    if sub:
        assert getattr(parsed.params, sub) is None
        if sub != "n":  # the rest of the params survive
            assert parsed.params is not None and parsed.params.n == 2
    else:
        assert getattr(parsed, name) is None
    assert (parsed.event_id, parsed.prompt_tokens) == ("e1", record["prompt_tokens"])
    assert record == event(**change)  # the caller's record is not changed


def test_several_bad_optional_fields_are_all_dropped_and_required_ones_still_reject() -> None:
    record = event(client_ip="x", asn=-1, status=0, params={"temperature": 9, "seed": 7})
    parsed = validate_event(record)
    assert (parsed.client_ip, parsed.asn, parsed.status) == (None, None, None)
    assert parsed.params is not None and parsed.params.seed == 7
    assert reason_of({**record, "prompt_tokens": -1}).startswith("prompt_tokens: ")


def test_missing_required_fields_are_named() -> None:
    record = event()
    del record["model"]
    assert reason_of(record) == "model: is required"


def test_non_finite_numbers_and_broken_json_are_rejected() -> None:
    for raw in (b"{", b"[]", b"null", b"\xff\xfe", b"[" * 5000):
        with pytest.raises(InvalidEvent) as caught:
            parse_event(raw)
        assert caught.value.reason.startswith("record: ")
    # A non-finite optional number is not known; a non-finite count is a rejection.
    with_inf = json.dumps(event()).replace("}", ', "latency_ms": 1e999}', 1)
    assert parse_event(with_inf).latency_ms is None
    assert validate_event(event(latency_ms=float("inf"))).latency_ms is None
    with pytest.raises(InvalidEvent, match="prompt_tokens: "):
        parse_event(json.dumps(event()).replace("}", ', "prompt_tokens": 1e999}', 1))


def test_utf8_prompt_limit_counts_bytes_not_characters() -> None:
    fits = "é" * ((1 << 19) - 10)  # 2 bytes each: just under 1 MiB
    assert parse_event(json.dumps(event(prompt=fits))).prompt == fits
    assert parse_event(json.dumps(event(prompt="é" * ((1 << 19) + 1)))).prompt is None


def test_validate_event_takes_decoded_records() -> None:
    assert validate_event(event()).event_id == "e1"
    with pytest.raises(InvalidEvent, match="record: expected `object`, got `array`"):
        validate_event(["not", "an", "object"])
    with pytest.raises(InvalidEvent, match="prompt_tokens: expected `int`"):
        validate_event(event(prompt_tokens="412"))


def test_jsonl_plain_and_gzip(tmp_path: Path) -> None:
    lines = [json.dumps(event(event_id=f"e{i}")).encode() for i in range(3)]
    plain = tmp_path / "events.jsonl"
    plain.write_bytes(b"\n".join(lines) + b"\n\n")
    packed = tmp_path / "events.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    for path in (plain, packed):
        parsed = [parse_event(line).event_id for _, line in iter_lines(path)]
        assert parsed == ["e0", "e1", "e2"]


# --- properties -------------------------------------------------------------------------

ids = st.text(min_size=1, max_size=128)
# Account ids as service/account_ids.py has them: no control characters or lone surrogates,
# no surrounding white space.
account_ids = (
    st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=128)
    .map(str.strip)
    .filter(bool)
)
optional_text = st.none() | st.text(max_size=200)
counts = st.integers(min_value=0, max_value=2**40)
finite = st.floats(allow_nan=False, allow_infinity=False)

valid_params = st.fixed_dictionaries(
    {},
    optional={
        "max_tokens": counts,
        "temperature": st.floats(0, 2),
        "top_p": st.floats(0, 1),
        "n": st.integers(1, 128),
        "seed": st.integers(-(2**62), 2**62),
        "logprobs": st.booleans(),
        "top_logprobs": st.integers(0, 20),
        "logit_bias": counts,
        "stream": st.booleans(),
        "tools": counts,
    },
)
valid_events = st.fixed_dictionaries(
    {
        "event_id": ids,
        "ts": st.floats(0, 7_000_000_000) | st.integers(0, 7_000_000_000),
        "account_id": account_ids,
        "model": st.text(max_size=40),
        "prompt_tokens": counts,
        "completion_tokens": counts,
    },
    optional={
        "api_key_id": optional_text,
        "user_id": optional_text,
        "client_ip": st.none() | st.ip_addresses().map(str),
        "asn": st.none() | st.integers(0, 2**32),
        "status": st.integers(100, 599),
        "reasoning_tokens": counts,
        "latency_ms": st.floats(0, 1e9),
        "finish_reason": optional_text,
        "messages": counts,
        "params": valid_params,
        "prompt": optional_text,
        "system_prompt": optional_text,
    },
)


@settings(max_examples=300, deadline=None)
@given(valid_events)
def test_valid_events_round_trip(record: dict[str, Any]) -> None:
    parsed = parse_event(json.dumps(record))
    again = parse_event(event_to_json(parsed))
    assert again == parsed
    assert math.isclose(parsed.ts, float(record["ts"]), rel_tol=0, abs_tol=1e-6)


json_values = st.recursive(
    st.none() | st.booleans() | finite | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
field_names = st.sampled_from(
    [
        "event_id",
        "ts",
        "account_id",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "params",
        "status",
        "client_ip",
        "prompt",
        "messages",
        "latency_ms",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_invalid_event(raw: bytes) -> None:
    try:
        parse_event(raw)
    except InvalidEvent as error:
        assert error.reason


@settings(max_examples=500, deadline=None)
@given(valid_events, st.dictionaries(field_names, json_values, max_size=4))
def test_mutated_events_are_valid_or_rejected_with_a_reason(
    record: dict[str, Any], mutation: dict[str, Any]
) -> None:
    record.update(mutation)
    try:
        parsed = parse_event(json.dumps(record))
    except InvalidEvent as error:
        field = error.reason.split(":", 1)[0]
        assert field.split(".")[0] in {*record, "record"}
    else:
        assert parsed.event_id == record["event_id"]
