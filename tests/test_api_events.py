"""Push ingestion: body shapes, limits, per-record errors, dedup, sinks, and no prompt text."""

from __future__ import annotations

import gzip
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import redis

from detectors.baseline import PeerBaseline
from service.adapters import adapt_raw
from service.contract import InvalidEvent, parse_event
from service.state.links import Contribution
from service.state.redis_links import RedisLinks
from tests.factories import T0, event, redis_contents, traffic
from tests.servers import create_topics, read_topic
from tests.test_api_support import (
    AUTH,
    FAST,
    INGEST_TOKEN,
    all_alerts,
    api_client,
    api_settings,
    ndjson,
    push,
)

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)


def events(n: int, account: str = "org_1") -> list[dict[str, object]]:
    return [event(event_id=f"e{i}", ts=1_795_874_400.0 + i, account_id=account) for i in range(n)]


def post(body: bytes, **headers: str) -> tuple[int, dict[str, object]]:
    with api_client(api_settings()) as api:
        response = api.post("/v1/events", content=body, headers=headers)
    return response.status_code, response.json()


@pytest.mark.parametrize(
    "body",
    [
        orjson.dumps(events(1)[0]),
        orjson.dumps(events(1)[0], option=orjson.OPT_INDENT_2),
        orjson.dumps(events(5)),
        ndjson(events(5)),
        b"\n\n" + ndjson(events(5)) + b"\n\n",
    ],
    ids=["one", "one-pretty", "array", "ndjson", "ndjson-blank-lines"],
)
def test_body_shapes(body: bytes) -> None:
    status, report = post(body)
    expected = 1 if body.lstrip()[:1] == b"{" and body.count(b"event_id") == 1 else 5
    assert status == 200
    assert (report["received"], report["applied"], report["rejected_count"]) == (expected,) * 2 + (
        0,
    )


def test_gzip_bodies_are_inflated_also_multi_member() -> None:
    body = gzip.compress(ndjson(events(3))) + gzip.compress(ndjson(events(6)[3:]))
    status, report = post(body, **{"content-encoding": "gzip"})
    assert status == 200 and report["applied"] == 6


def test_each_rejected_record_is_reported_and_the_valid_ones_are_processed() -> None:
    good = events(4)
    records = [
        orjson.dumps(good[0]),
        b"{not json",
        orjson.dumps({**good[1], "ts": None}),
        orjson.dumps(good[2]),
        orjson.dumps({**good[3], "prompt_tokens": -1}),
        b"[1, 2]",
    ]
    settings = api_settings()
    with api_client(settings) as api:
        response = api.post("/v1/events", content=b"\n".join(records))
        account = api.get("/v1/accounts/org_1", headers=AUTH).json()
    report = response.json()
    assert response.status_code == 200
    assert (report["received"], report["applied"], report["rejected_count"]) == (6, 2, 4)
    reasons = {r["index"]: r["reason"] for r in report["rejected"]}
    assert set(reasons) == {1, 2, 4, 5}
    assert reasons[1].startswith("record: not valid JSON")
    assert reasons[2].startswith("ts: ")
    assert reasons[4].startswith("prompt_tokens: ")
    assert account["events"] == 2


def test_array_positions_are_reported() -> None:
    records = [events(1)[0], {"event_id": "x"}, events(2)[1]]
    status, report = post(orjson.dumps(records))
    assert status == 200
    assert [r["index"] for r in report["rejected"]] == [1]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"[{}, ", {}, 400),
        (b"\x1f\x8b not really gzip", {"content-encoding": "gzip"}, 400),
        (gzip.compress(b"{}")[:-6], {"content-encoding": "gzip"}, 400),
        (b"{}", {"content-encoding": "br"}, 415),
    ],
    ids=["broken-array", "corrupt-gzip", "truncated-gzip", "brotli"],
)
def test_unreadable_bodies_are_refused_whole(
    body: bytes, headers: dict[str, str], status: int
) -> None:
    assert post(body, **headers)[0] == status


def test_size_limit_answers_413_by_header_by_stream_and_after_inflating() -> None:
    settings = api_settings(ingest_max_bytes=4096)
    big = ndjson(events(40))
    assert len(big) > 4096

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold while reading
        for start in range(0, len(big), 1000):
            yield big[start : start + 1000]

    bomb = gzip.compress(b" " * 1_000_000 + ndjson(events(1)))
    assert len(bomb) < 4096
    with api_client(settings) as api:
        declared = api.post("/v1/events", content=big)
        streamed = api.post("/v1/events", content=chunks())
        inflated = api.post("/v1/events", content=bomb, headers={"content-encoding": "gzip"})
        small = api.post("/v1/events", content=ndjson(events(3)))
    assert (declared.status_code, streamed.status_code, inflated.status_code) == (413, 413, 413)
    assert small.status_code == 200


def test_repeated_event_ids_are_counted_once() -> None:
    # Another body with the same events (the same body again is a retried push, answered
    # from the idempotency ledger: tests/test_adversarial_api.py).
    with api_client(api_settings()) as api:
        first = api.post("/v1/events", content=ndjson(events(10))).json()
        again = api.post("/v1/events", content=ndjson(events(10)[::-1])).json()
        view = api.get("/v1/accounts/org_1", headers=AUTH).json()
    assert (first["applied"], first["duplicates"]) == (10, 0)
    assert (again["applied"], again["duplicates"]) == (0, 10)
    assert view["events"] == 10


def test_ingest_token_when_set() -> None:
    settings = api_settings(ingest_token=INGEST_TOKEN)
    body = ndjson(events(2))
    with api_client(settings) as api:
        missing = api.post("/v1/events", content=body)
        wrong = api.post("/v1/events", content=body, headers=AUTH)  # the analyst token is not it
        right = api.post(
            "/v1/events", content=body, headers={"authorization": f"Bearer {INGEST_TOKEN}"}
        )
    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)


def test_unknown_format_is_a_validation_error() -> None:
    with api_client(api_settings()) as api:
        response = api.post("/v1/events?format=caddy", content=ndjson(events(1)))
    assert response.status_code == 422


def test_redis_store_holds_state_and_alerts_reach_kafka_and_the_log(
    redis_url: str, redis_client: redis.Redis, kafka_bootstrap: str
) -> None:
    topic = f"llm.alerts.{uuid.uuid4().hex[:8]}"
    create_topics(kafka_bootstrap, [topic], partitions=1)
    settings = api_settings(
        redis_url, kafka_bootstrap=kafka_bootstrap, topic_alerts=topic, api_publish_alerts=True,
        **FAST,
    )  # fmt: skip
    with api_client(settings) as api:
        reports = push(api, list(traffic(events=8000)))
        logged = all_alerts(api)
        ready = api.get("/readyz").json()
    assert ready["checks"] == {"store": True, "broker": True}
    assert sum(r["applied"] for r in reports) == 8000
    assert all(r["alerts_published"] in (True, None) for r in reports)
    published = [orjson.loads(value) for _, _, _, value in read_topic(kafka_bootstrap, topic)]
    assert any(a["account_id"] == "org_harvest" and a["action"] != "allow" for a in published)
    assert {a["account_id"] for a in published} == {"org_harvest"}  # and no benign control
    assert {a["alert_id"] for a in published} == {a["alert_id"] for a in logged}
    prefix = settings.redis_prefix
    assert redis_client.exists(f"{prefix}:{{org_harvest}}:s", f"{prefix}:{{org_harvest}}:d") == 2
    assert redis_client.xlen(f"{prefix}:alerts") == len(logged)


def test_alert_filters_and_pages() -> None:
    with api_client(api_settings(**FAST)) as api:
        push(api, list(traffic(events=8000)))
        every = all_alerts(api, limit=1)  # one alert a page: every cursor is followed
        blocks = all_alerts(api, action="block")
        middle_ts = sorted(a["ts"] for a in every)[len(every) // 2]
        late = all_alerts(api, since=middle_ts)
        early = all_alerts(api, until=middle_ts)
        bad = api.get("/v1/alerts", params={"cursor": "not-a-cursor"}, headers=AUTH)
    assert len(every) >= 2
    # Newest first by arrival: the first alert comes from the last batches pushed.
    assert every[0]["ts"] >= max(a["ts"] for a in every) - 300
    assert len({a["alert_id"] for a in every}) == len(every)  # pages neither overlap nor skip
    assert blocks and all(a["action"] == "block" for a in blocks)
    assert {a["alert_id"] for a in blocks} == {
        a["alert_id"] for a in every if a["action"] == "block"
    }
    assert len(late) + len(early) == len(every)
    assert all(a["ts"] >= middle_ts for a in late) and all(a["ts"] < middle_ts for a in early)
    assert bad.status_code == 400


CANARY = "CANARY-api-5e1f"


def test_no_prompt_text_in_any_response_log_or_redis_value(
    redis_url: str, redis_client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = api_settings(redis_url, **FAST)
    sample = list(traffic(events=6000, canary=CANARY))
    broken = [orjson.dumps({**sample[0], "ts": "yesterday"}), orjson.dumps({**sample[1], "n": []})]
    texts = []
    with api_client(settings) as api:
        texts += [str(r) for r in push(api, sample)]
        texts.append(api.post("/v1/events", content=b"\n".join(broken)).text)
        texts.append(api.get("/v1/alerts", params={"limit": 500}, headers=AUTH).text)
        texts.append(api.get("/v1/accounts/org_harvest", headers=AUTH).text)
        texts.append(api.get("/metrics").text)
        texts.append(api.post("/v1/check/x", headers={"x-account-id": "org_harvest"}).text)
    assert all(CANARY not in text for text in texts)
    assert CANARY not in caplog.text
    assert CANARY.encode() not in redis_contents(redis_client)


def test_rejection_reasons_never_quote_the_prompt() -> None:
    # A bad required field rejects the record; the prompts beside it are never quoted.
    record = {**events(1)[0], "prompt_tokens": "many", "prompt": CANARY, "system_prompt": CANARY}
    raw = orjson.dumps(record)
    with pytest.raises(InvalidEvent):
        parse_event(raw)
    status, report = post(raw)
    assert status == 200 and report["rejected_count"] == 1
    assert CANARY not in orjson.dumps(report).decode()


SAMPLES = Path(__file__).resolve().parent / "samples"


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("litellm", "litellm_success"), ("envoy", "envoy_als_entry"), ("kong", "kong_ai_proxy")],
)
def test_gateway_formats_go_through_the_adapters(fmt: str, name: str) -> None:
    record = orjson.loads((SAMPLES / f"{name}.json").read_bytes())
    expected = adapt_raw(fmt, orjson.dumps(record))
    with api_client(api_settings()) as api:
        ok = api.post(f"/v1/events?format={fmt}", content=orjson.dumps([record, {"x": 1}]))
        as_contract = api.post("/v1/events", content=orjson.dumps(record))
        view = api.get(f"/v1/accounts/{expected.account_id}", headers=AUTH).json()
    report = ok.json()
    assert ok.status_code == 200 and report["applied"] == 1
    assert [r["index"] for r in report["rejected"]] == [1]
    assert f"({fmt}" in report["rejected"][0]["reason"]  # names the adapter's source field
    assert view["events"] == 1
    # The same record read as the contract is rejected: the format parameter matters.
    assert as_contract.json()["rejected_count"] == 1


def test_account_view_shows_linked_accounts_and_the_workers_baseline(
    redis_url: str, redis_client: redis.Redis
) -> None:
    """Linked accounts come from the link store; peer values from the baseline the workers
    merged in Redis (the samples of complete epochs), since this API process taught none."""
    settings = api_settings(redis_url)
    worker_baseline = PeerBaseline(min_accounts=1)
    samples = {
        f"org_peer_{i}": worker_baseline.sample({"requests": 50.0, "rate_1h": 2.0 + i % 3})
        for i in range(300)
    }
    links = RedisLinks(redis_url, prefix=settings.redis_prefix)
    links.contribute(int(T0 // 60) - 30, Contribution({}, samples, ()))
    card = [
        event(event_id=f"c{i}", ts=T0 + i, account_id=f"org_card_{i % 4}",
              payment_fingerprint="pm_shared", prompt=f"question {i}")
        for i in range(80)
    ]  # fmt: skip
    with api_client(settings) as api:
        push(api, card)
        view = api.get("/v1/accounts/org_card_0", headers=AUTH).json()
    links.close()
    shared = [link for link in view["linked"] if link["kind"] == "payment"]
    assert len(shared) == 1 and shared[0]["members"] == 4
    assert shared[0]["accounts"] == ["org_card_1", "org_card_2", "org_card_3"]
    assert shared[0]["value"].startswith("payment:") and "pm_shared" not in str(view)
    rate = next(f for f in view["features"] if f["feature"] == "rate_1h")
    assert rate["peer_median"] is not None and 2.0 <= rate["peer_median"] <= 4.0
