"""Gateway adapters: real gateway records (tests/samples/) mapped onto the contract exactly,
no text where it does not belong, rejections that name the field; the Envoy example and the
LiteLLM callback (against the real Kafka broker)."""

from __future__ import annotations

import asyncio
import copy
import importlib.util
import json
import sqlite3
import sys
import time
import types
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from service.adapters import (
    ADAPTERS,
    EnvoyAdapter,
    KongAdapter,
    LiteLLMAdapter,
    adapt_litellm,
    adapt_raw,
)
from service.adapters.envoy import JSON_LOG_FORMAT
from service.contract import InvalidEvent, RequestEvent, event_to_json, parse_event
from tests.servers import create_topics, free_port, read_topic

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)

REPO = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).resolve().parent / "samples"
CALLBACK = REPO / "deploy" / "litellm" / "harvestguard_callback.py"

# Markers planted in the samples' texts: only the last user message may reach `prompt`,
# only the system message `system_prompt`; history, answers and tool schemas go nowhere.
LAST_USER, SYSTEM = "Zebra-7731", "Axolotl-3307"
ELSEWHERE = ("Quokka-1184", "Narwhal-5520", "Okapi-9012", "Pangolin-4470")


def sample(name: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text())
    return record


def contract(event: RequestEvent) -> dict[str, Any]:
    """The event's contract JSON, floats to the microsecond (RFC 3339 times are decoded
    through datetime, whose float may differ from the literal in the last bit)."""

    def rounded(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, 6)
        return {k: rounded(v) for k, v in value.items()} if isinstance(value, dict) else value

    as_json: dict[str, Any] = rounded(orjson.loads(event_to_json(event)))
    return as_json


# (format, sample): tests/samples/NAME.json is what the gateway logs, NAME.expected.json the
# contract event it must become, field for field.
CASES = [
    ("litellm", "litellm_success"),
    ("litellm", "litellm_failure"),
    ("envoy", "envoy_als_entry"),
    ("envoy", "envoy_als_entry_camel"),
    ("envoy-json", "envoy_json_log"),
    ("kong", "kong_ai_proxy"),
    ("nginx", "nginx_log"),
]


@pytest.mark.parametrize(("fmt", "name"), CASES)
def test_sample_maps_onto_exactly_the_expected_contract_fields(fmt: str, name: str) -> None:
    raw = (SAMPLES / f"{name}.json").read_bytes()
    event = adapt_raw(fmt, raw)
    assert contract(event) == sample(f"{name}.expected")  # nothing invented, nothing dropped
    assert ADAPTERS[fmt](json.loads(raw)) == event


@pytest.mark.parametrize(("fmt", "name"), CASES)
def test_texts_reach_only_prompt_and_system_prompt(fmt: str, name: str) -> None:
    expected = sample(f"{name}.expected")
    fields = contract(adapt_raw(fmt, (SAMPLES / f"{name}.json").read_bytes()))
    for field, value in fields.items():
        text = json.dumps(value)
        assert not any(marker in text for marker in ELSEWHERE), field
        assert (LAST_USER in text) == (
            field == "prompt" and LAST_USER in expected.get("prompt", "")
        )
        assert (SYSTEM in text) == (field == "system_prompt" and "system_prompt" in expected)


def test_registry_and_raw_decoding() -> None:
    assert set(ADAPTERS) == {"contract", "litellm", "envoy", "envoy-json", "kong", "nginx"}
    line = event_to_json(adapt_litellm(sample("litellm_success")))
    assert (
        adapt_raw("contract", line) == parse_event(line) == adapt_litellm(sample("litellm_success"))
    )
    with pytest.raises(InvalidEvent, match=r"^record: not valid JSON .*\(kong\)$"):
        adapt_raw("kong", b'{"started_at": 17')
    with pytest.raises(InvalidEvent, match=r"^record: expected an object, got array \(envoy\)$"):
        adapt_raw("envoy", b"[1, 2]")
    with pytest.raises(ValueError, match="unknown record format 'caddy'"):
        adapt_raw("caddy", b"{}")


def _drop(record: dict[str, Any], *path: str) -> None:
    for key in path[:-1]:
        record = record[key]
    del record[path[-1]]


def _set(record: dict[str, Any], value: Any, *path: str) -> dict[str, Any]:
    inner = record
    for key in path[:-1]:
        inner = inner[key]
    inner[path[-1]] = value
    return record


NOT_RFC3339 = (
    "ts: must be RFC 3339 with a UTC offset (2026-11-28T14:03:11Z) "
    "or seconds since the epoch as a JSON number (1795874591.0)"
)
ORG, TEAM = ("metadata", "user_api_key_org_id"), ("metadata", "user_api_key_team_id")
REJECTIONS = [
    # (format, sample, change, expected reason)
    ("litellm", "litellm_success", lambda r: _set(_set(r, None, *ORG), "", *TEAM),
     "account_id: is required (litellm: from metadata.user_api_key_org_id "
     "or metadata.user_api_key_team_id)"),
    ("litellm", "litellm_success", lambda r: _drop(r, "completion_tokens"),
     "completion_tokens: is required (litellm: from completion_tokens)"),
    ("litellm", "litellm_success", lambda r: _set(r, "yesterday", "startTime"),
     f"{NOT_RFC3339} (litellm: from startTime)"),
    ("envoy", "envoy_als_entry", lambda r: _drop(r, "request", "request_headers", "x-account-id"),
     "account_id: is required (envoy: from header x-account-id)"),
    ("envoy", "envoy_als_entry",
     lambda r: _drop(r, "common_properties", "metadata", "filter_metadata", "harvestguard",
                     "prompt_tokens"),
     "prompt_tokens: is required (envoy: from filter_metadata[harvestguard] "
     "or filter_metadata[io.envoy.ai_gateway])"),
    ("envoy", "envoy_als_entry",
     lambda r: _set(r, "2026-11-28T14:03:11", "common_properties", "start_time"),
     f"{NOT_RFC3339} (envoy: from common_properties.start_time)"),
    ("envoy-json", "envoy_json_log", lambda r: _set(r, "-", "account_id"),
     "account_id: is required (envoy-json: from account_id (%REQ(X-ACCOUNT-ID)%))"),
    ("envoy-json", "envoy_json_log", lambda r: _set(r, "-", "prompt_tokens"),
     "prompt_tokens: is required (envoy-json: from prompt_tokens "
     "(%DYNAMIC_METADATA(harvestguard:prompt_tokens)%))"),
    ("envoy-json", "envoy_json_log", lambda r: _set(r, "99999999999", "ts"),
     "ts: is outside 1970..2200 (envoy-json: from ts (%START_TIME(%s.%3f)%))"),
    ("kong", "kong_ai_proxy", lambda r: _drop(r, "consumer"),
     "account_id: is required (kong: from consumer.id)"),
    ("kong", "kong_ai_proxy", lambda r: _drop(r, "ai", "proxy", "usage", "prompt_tokens"),
     "prompt_tokens: is required (kong: from ai.proxy.usage.prompt_tokens)"),
    ("kong", "kong_ai_proxy", lambda r: _set(r, -5, "started_at"),
     "ts: is outside 1970..2200 (kong: from started_at (ms))"),
]  # fmt: skip


@pytest.mark.parametrize(("fmt", "name", "change", "reason"), REJECTIONS)
def test_a_broken_record_is_rejected_naming_the_field(
    fmt: str, name: str, change: Any, reason: str
) -> None:
    record = sample(name)
    change(record)
    with pytest.raises(InvalidEvent) as caught:
        ADAPTERS[fmt](record)
    assert caught.value.reason == reason


def test_the_account_comes_from_the_configured_place() -> None:
    litellm = sample("litellm_success")
    assert LiteLLMAdapter(account_from=("metadata.user_api_key_team_id",))(litellm).account_id == (
        "team_analytics"
    )
    kong = sample("kong_ai_proxy")
    assert KongAdapter(account_from=("consumer.custom_id",))(kong).account_id == "org_7"
    header = KongAdapter(account_from=("request.headers.x-account-id",))
    assert header(kong).account_id == "acct_header_1"
    als = sample("envoy_als_entry")
    als["request"]["request_headers"]["x-tenant"] = "tenant_3"
    assert EnvoyAdapter(account_from=("header:X-Tenant",))(als).account_id == "tenant_3"


def test_litellm_derivations() -> None:
    record = sample("litellm_success")
    # With message logging turned off LiteLLM logs a placeholder: it is not a prompt.
    record["messages"] = [{"role": "user", "content": "redacted-by-litellm"}]
    # The legacy completions API's integer logprobs, the old "functions", max_tokens.
    record["model_parameters"] = {"logprobs": 3, "functions": [{}, {}], "max_tokens": 64}
    record["metadata"]["user_api_key_request_route"] = None
    record["call_type"] = "atext_completion"
    record["status"], record["error_information"] = "failure", {"error_code": "None"}
    event = contract(adapt_litellm(record))
    assert "prompt" not in event and "system_prompt" not in event and event["messages"] == 1
    assert event["params"] == {"max_tokens": 64, "logprobs": True, "top_logprobs": 3,
                               "tools": 2, "stream": False}  # fmt: skip
    assert event["endpoint"] == "/v1/completions" and event["status"] == 500


def test_envoy_renderings() -> None:
    # json_format without typing: every value is text, unset values are "-".
    untyped = {
        key: "-" if value is None else str(value) for key, value in sample("envoy_json_log").items()
    }
    assert contract(adapt_raw("envoy-json", json.dumps(untyped))) == sample(
        "envoy_json_log.expected"
    )
    line = sample("envoy_json_log") | {"ts": "2026-11-28T14:03:11.482Z", "status": 0}
    event = contract(adapt_raw("envoy-json", json.dumps(line)))
    assert event["ts"] == 1795874591.482 and "status" not in event  # 0: no answer
    # Timestamp and Duration written as messages, not in their canonical JSON forms.
    entry = sample("envoy_als_entry")
    entry["common_properties"]["start_time"] = {"seconds": "1795874591", "nanos": 482000000}
    entry["common_properties"]["duration"] = {"seconds": 18, "nanos": 403000000}
    entry["response"]["response_code"] = {"value": 503}
    event = contract(adapt_raw("envoy", json.dumps(entry)))
    assert event["ts"] == 1795874591.482
    assert event["latency_ms"] == 18403.0 and event["status"] == 503


def test_kong_older_usage_names_and_no_payload() -> None:
    record = sample("kong_ai_proxy")
    usage = record["ai"]["proxy"]["usage"]
    usage["prompt_token"], usage["completion_token"] = (
        usage.pop("prompt_tokens"),
        usage.pop("completion_tokens"),
    )
    del record["ai"]["payload"], record["ai"]["proxy"]["payload"], record["request"]["id"]
    event = contract(adapt_raw("kong", json.dumps(record)))
    full = sample("kong_ai_proxy.expected")
    assert event == {key: full[key] for key in (
        "event_id", "ts", "account_id", "model", "prompt_tokens", "completion_tokens", "api_key_id",
        "client_ip", "user_agent", "endpoint", "status", "latency_ms")}  # fmt: skip


def test_envoy_example_wires_ext_authz_to_the_sidecar_and_logs_the_json_format() -> None:
    config = yaml.safe_load((REPO / "deploy" / "envoy" / "envoy.yaml").read_text())
    resources = config["static_resources"]
    hcm = resources["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    checks = [
        f["typed_config"]
        for f in hcm["http_filters"]
        if f["name"] == "envoy.filters.http.ext_authz"
        and f["typed_config"]["http_service"]["server_uri"]["cluster"] == "harvestguard"
    ]
    assert len(checks) == 1
    check = checks[0]
    service = check["http_service"]
    assert service["path_prefix"] == "/v1/check" and service["server_uri"]["timeout"] == "0.05s"
    assert check["failure_mode_allow"] is True
    allowed = {p["exact"] for p in check["allowed_headers"]["patterns"]}
    assert {"x-account-id", "x-api-key-hash"} <= allowed
    response = service["authorization_response"]
    assert response["allowed_upstream_headers"]["patterns"] == [{"prefix": "x-harvestguard-"}]
    assert response["allowed_client_headers"]["patterns"] == [
        {"prefix": "x-harvestguard-"},
        {"exact": "retry-after"},
    ]
    cluster = next(c for c in resources["clusters"] if c["name"] == "harvestguard")
    endpoint = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]
    assert endpoint["address"]["socket_address"] == {"address": "127.0.0.1", "port_value": 8080}
    assert hcm["http_filters"][-1]["name"] == "envoy.filters.http.router"
    assert hcm["access_log"][0]["typed_config"]["log_format"]["json_format"] == JSON_LOG_FORMAT


def load_callback() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("harvestguard_callback", CALLBACK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_callback_imports_with_and_without_litellm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "litellm", None)  # as if not installed
    assert load_callback().HarvestguardLogger.__bases__ == (object,)
    fake = types.ModuleType("litellm.integrations.custom_logger")

    class CustomLogger:
        def __init__(self, **kwargs: Any) -> None:
            self.base_initialised = True

    fake.CustomLogger = CustomLogger  # type: ignore[attr-defined]
    for name in ("litellm", "litellm.integrations"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "litellm.integrations.custom_logger", fake)
    handler = load_callback().HarvestguardLogger(bootstrap_servers="127.0.0.1:1")
    assert isinstance(handler, CustomLogger) and handler.base_initialised


def spooled_rows(folder: Path) -> int:
    total = 0
    for path in folder.glob("spool-*.sqlite"):
        with sqlite3.connect(path) as db:
            total += db.execute("SELECT count(*) FROM spool").fetchone()[0]
    return total


def test_callback_never_waits_for_an_unreachable_kafka_and_keeps_every_event(
    tmp_path: Path,
) -> None:
    handler = load_callback().HarvestguardLogger(
        bootstrap_servers=f"127.0.0.1:{free_port()}", spool_dir=tmp_path
    )
    kwargs = {"standard_logging_object": sample("litellm_success")}
    started = time.perf_counter()
    for _ in range(1000):
        handler.publish(kwargs)
    # Liveness, not a timing goal: Kafka's client would block for seconds (max_block_ms).
    assert time.perf_counter() - started < 5.0
    handler.close(timeout=0.5)
    assert (handler.published, handler.dropped) == (0, 0)
    assert spooled_rows(tmp_path) == 1000  # on disk, for the next process


@pytest.mark.integration
def test_callback_publishes_contract_events_keyed_by_account(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    topic = f"llm.requests.adapters-{uuid.uuid4().hex[:8]}"
    create_topics(kafka_bootstrap, [topic], partitions=2)
    handler = load_callback().HarvestguardLogger(
        bootstrap_servers=kafka_bootstrap, topic=topic, spool_dir=tmp_path
    )
    success, failure = sample("litellm_success"), sample("litellm_failure")
    unowned = copy.deepcopy(success)
    unowned["metadata"]["user_api_key_org_id"] = unowned["metadata"]["user_api_key_team_id"] = None

    async def calls() -> None:
        await handler.async_log_success_event({"standard_logging_object": success}, None, 0, 1)
        await handler.async_log_failure_event({"standard_logging_object": failure}, None, 0, 1)
        await handler.async_log_success_event({"standard_logging_object": unowned}, None, 0, 1)
        await handler.async_log_success_event({"model": "no payload"}, None, 0, 1)

    asyncio.run(calls())
    handler.close(timeout=20)
    assert (handler.published, handler.rejected, handler.dropped, handler.failed) == (2, 1, 0, 0)
    records = {key: value or b"" for _, _, key, value in read_topic(kafka_bootstrap, topic)}
    assert set(records) == {b"org_5521", b"team_free_tier"}
    assert parse_event(records[b"org_5521"]) == adapt_litellm(success)
    assert parse_event(records[b"team_free_tier"]) == adapt_litellm(failure)


@pytest.mark.integration
def test_what_a_stopped_callback_left_on_disk_is_sent_by_the_next_one(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    """A proxy stopped while Kafka was unreachable: the next process delivers its events."""
    topic = f"llm.requests.spool-{uuid.uuid4().hex[:8]}"
    create_topics(kafka_bootstrap, [topic], partitions=1)
    module = load_callback()
    first = module.HarvestguardLogger(
        bootstrap_servers=f"127.0.0.1:{free_port()}", spool_dir=tmp_path
    )
    payload = sample("litellm_success")
    for n in range(300):
        first.publish({"standard_logging_object": {**payload, "id": f"call-{n}"}})
    first.close(timeout=0.5)
    assert first.published == 0 and spooled_rows(tmp_path) == 300
    second = module.HarvestguardLogger(
        bootstrap_servers=kafka_bootstrap, topic=topic, spool_dir=tmp_path
    )
    second.start()
    deadline = time.monotonic() + 30
    while second.published < 300 and time.monotonic() < deadline:
        time.sleep(0.1)
    second.close(timeout=10)
    ids = [parse_event(value or b"").event_id for *_, value in read_topic(kafka_bootstrap, topic)]
    assert sorted(ids) == sorted(f"call-{n}" for n in range(300))
    assert spooled_rows(tmp_path) == 0 and not list(tmp_path.glob("spool-*"))
