"""Bad input through the real worker and the push endpoint: rejected with a reason or applied.

A reduced run of the issue-7 fuzz (``FUZZ_RECORDS`` records here; the full
100,000 with ``HARVESTGUARD_FUZZ_RECORDS=100000``). The expected outcome of
every record comes from the contract's own parser and the account's id memory,
applied locally in the same order.
"""

from __future__ import annotations

import os

import orjson
import pytest
import redis
from kafka import KafkaProducer
from xxhash import xxh32_intdigest

from service.contract import InvalidEvent, parse_event
from service.state.account import AccountState
from tests.adversarial import adversarial
from tests.servers import read_topic
from tests.test_api_support import api_client, api_settings
from tests.workers import Topics, account_states, finish, start_worker, worker_env

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)

FUZZ_RECORDS = int(os.environ.get("HARVESTGUARD_FUZZ_RECORDS", "3000"))


def expected(records: list[bytes]) -> tuple[set[int], int]:
    """Indexes of the records the contract rejects, and how many events get applied."""
    rejected, states = set(), {}
    applied = 0
    for i, raw in enumerate(records):
        try:
            event = parse_event(raw)
        except InvalidEvent:
            rejected.add(i)
            continue
        state = states.setdefault(event.account_id, AccountState())
        applied += state.remember_id(
            xxh32_intdigest(event.event_id.encode("utf-8", "surrogatepass"))
        )
    return rejected, applied


def keyed(records: list[bytes]) -> list[tuple[bytes, bytes]]:
    """Kafka keys as a gateway sets them: the account, so one account stays in order."""
    out = []
    for raw in records:
        try:
            key = parse_event(raw).account_id.encode("utf-8", "surrogatepass")
        except InvalidEvent:
            key = b"unparseable"
        out.append((key, raw))
    return out


def test_every_bad_kafka_record_reaches_the_dlq_and_the_rest_is_applied(
    kafka_bootstrap: str, redis_url: str, redis_client: redis.Redis
) -> None:
    records = [value for _, value in adversarial(FUZZ_RECORDS)]
    rejected, applied = expected(records)
    topics = Topics(kafka_bootstrap)
    producer = KafkaProducer(
        bootstrap_servers=kafka_bootstrap, linger_ms=20, max_request_size=4 << 20
    )
    sent = [producer.send(topics.requests, key=k, value=v) for k, v in keyed(records)]
    producer.flush()
    coordinates = [(m.partition, m.offset) for m in (f.get(timeout=30) for f in sent)]
    producer.close()

    finish(start_worker(worker_env(kafka_bootstrap, redis_url, topics, "hgf")), timeout=300)

    dead = [orjson.loads(value) for _, _, _, value in read_topic(kafka_bootstrap, topics.dlq)]
    assert sorted((d["partition"], d["offset"]) for d in dead) == sorted(
        coordinates[i] for i in rejected
    )
    assert all(d["reason"] and ":" in d["reason"] for d in dead)
    states = account_states(redis_client, "hgf")
    assert sum(events for _, events, _, _ in states.values()) == applied


def test_the_push_endpoint_answers_every_bad_record_with_a_reason() -> None:
    # One record a line: raw newlines inside a record (random garbage) would make two lines.
    records = [value for _, value in adversarial(FUZZ_RECORDS, seed=11) if b"\n" not in value]
    rejected, applied = expected(records)
    reported, counted = [], 0
    with api_client(api_settings()) as api:
        for start in range(0, len(records), 500):
            body = b"\n".join(records[start : start + 500])
            response = api.post(
                "/v1/events", content=body, headers={"content-type": "application/x-ndjson"}
            )
            assert response.status_code == 200, response.text[:300]
            report = response.json()
            counted += report["applied"]
            reported += [start + r["index"] for r in report["rejected"]]
            assert all(r["reason"] for r in report["rejected"])
    # A blank line is no record, so it is not reported.
    assert set(reported) == {i for i in rejected if records[i].strip()}
    assert counted == applied
