"""The streaming worker against a real Tansu broker and a real redis-server.

The worker runs as the real ``harvestguard worker`` process. These tests check
what users see: alerts on the alerts topic, decisions in Redis, malformed
records in the DLQ with their reasons, committed offsets, and after SIGKILLs
mid-stream the same per-account state as one clean pass.
"""

from __future__ import annotations

import signal
import time

import orjson
import pytest
import redis
from kafka import KafkaConsumer, KafkaProducer

from service.eventtime import EventClock
from service.features.observation import parser
from service.sources.kafka import KafkaSource
from service.state.account import Decision
from service.watermark import Marks
from tests.factories import T0, event, redis_contents, traffic
from tests.servers import committed_offsets, create_topics, read_topic
from tests.workers import (
    Topics,
    account_states,
    as_records,
    finish,
    produce,
    start_worker,
    worker_env,
)

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)

CANARY = "CANARY-worker-91c2"
MALFORMED = [
    b"{not json at all",
    b'{"event_id": "bad-1", "account_id": "org_1", "model": "m",'
    b' "prompt_tokens": 1, "completion_tokens": 1}',
    b'{"event_id": "bad-2", "ts": 1795874400, "account_id": "org_1", "model": "m",'
    b' "prompt_tokens": -4, "completion_tokens": 1, "prompt": "' + CANARY.encode() + b'"}',
]


def test_worker_publishes_alerts_decisions_dlq_and_commits(
    kafka_bootstrap: str, redis_url: str, redis_client: redis.Redis
) -> None:
    topics = Topics(kafka_bootstrap)
    events = list(traffic(events=8000, canary=CANARY, lookalikes=True))
    records = list(as_records(events))
    records[10:10] = [(b"org_1", raw) for raw in MALFORMED]
    produced = produce(kafka_bootstrap, topics.requests, records)

    log = finish(start_worker(worker_env(kafka_bootstrap, redis_url, topics, "hgw")))

    # Decisions in Redis: the harvester is flagged, the inline check can read it.
    raw = redis_client.get("hgw:{org_harvest}:d")
    assert raw is not None, log
    decision = Decision.from_json(raw)
    assert decision.action in {"review", "throttle", "block"}
    assert decision.reasons
    # ... and no benign control is: chat accounts, a tutor and an eval harness.
    controls = {e["account_id"] for e in events} - {"org_harvest"}
    assert {"org_tutor", "org_evals"} <= controls
    for account in controls:
        held = redis_client.get(f"hgw:{{{account}}}:d")
        assert held is None or Decision.from_json(held).action == "allow", account

    # Alerts on the alerts topic: one JSON message per verdict change, keyed by account.
    alerts = [
        orjson.loads(value or b"") for _, _, _, value in read_topic(kafka_bootstrap, topics.alerts)
    ]
    harvester_alerts = [a for a in alerts if a["account_id"] == "org_harvest"]
    assert harvester_alerts and harvester_alerts[0]["previous_action"] == "allow"
    assert {a["account_id"] for a in alerts} == {"org_harvest"}
    assert {"alert_id", "action", "score", "reasons", "explanation", "ts", "event_id"} <= set(
        harvester_alerts[0]
    )

    # DLQ: every malformed record, with its reason and where it came from.
    dead = [
        orjson.loads(value or b"") for _, _, _, value in read_topic(kafka_bootstrap, topics.dlq)
    ]
    assert sorted(d["reason"].split(":")[0] for d in dead) == ["prompt_tokens", "record", "ts"]
    requests = read_topic(kafka_bootstrap, topics.requests)
    for d in dead:
        original = next(v for p, o, _, v in requests if (p, o) == (d["partition"], d["offset"]))
        assert original in MALFORMED
        assert d["topic"] == topics.requests

    # Offsets: committed up to the end of every partition, only after the state was written.
    ends: dict[int, int] = {}
    for partition, offset, _, _ in requests:
        ends[partition] = max(ends.get(partition, 0), offset + 1)
    assert committed_offsets(kafka_bootstrap, topics.group, topics.requests) == ends
    assert sum(ends.values()) == produced

    # Every valid event counted once; no prompt text anywhere we write.
    states = account_states(redis_client, "hgw")
    assert sum(events_ for _, events_, _, _ in states.values()) == len(events)
    everything = b"".join(
        (value or b"") for topic in (topics.alerts, topics.dlq)
        for _, _, _, value in read_topic(kafka_bootstrap, topic)
    ) + redis_contents(redis_client)  # fmt: skip
    assert CANARY.encode() not in everything
    assert CANARY not in log


def test_sigkill_mid_stream_loses_nothing_and_counts_nothing_twice(
    kafka_bootstrap: str, redis_url: str, redis_client: redis.Redis
) -> None:
    topics = Topics(kafka_bootstrap)
    events = list(traffic(seed=11, events=30000, benign_accounts=120))
    parts = [events[i::4] for i in range(4)]  # each part spans the whole hour: interleaved
    parts = [sorted(p, key=lambda e: e["ts"]) for p in parts]
    env = worker_env(kafka_bootstrap, redis_url, topics, "hgk")

    def committed() -> int:
        return sum(committed_offsets(kafka_bootstrap, topics.group, topics.requests).values())

    # The stream keeps growing: each worker is killed as soon as it has committed progress
    # on its part, while more of the stream is still to come.
    kills = 0
    for part in parts[:3]:
        before = committed()
        produce(kafka_bootstrap, topics.requests, as_records(part))
        process = start_worker(env, idle_s=60)
        deadline = time.monotonic() + 90
        while committed() <= before and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
    assert 0 < committed() < len(events)
    produce(kafka_bootstrap, topics.requests, as_records(parts[3]))
    finish(start_worker(env))

    clean_env = worker_env(kafka_bootstrap, redis_url, topics, "hgc", group=topics.group + "-c")
    finish(start_worker(clean_env))

    recovered = account_states(redis_client, "hgk")
    clean = account_states(redis_client, "hgc")
    assert kills == 3
    assert sum(n for _, n, _, _ in clean.values()) == len(events)
    assert recovered.keys() == clean.keys()
    for account, state in clean.items():
        assert recovered[account] == state, account


@pytest.mark.parametrize("signum", [signal.SIGTERM])
def test_sigterm_finishes_the_batch_and_exits_cleanly(
    kafka_bootstrap: str, redis_url: str, redis_client: redis.Redis, signum: int
) -> None:
    topics = Topics(kafka_bootstrap)
    events = list(traffic(seed=5, events=20000))
    produce(kafka_bootstrap, topics.requests, as_records(events))
    env = worker_env(kafka_bootstrap, redis_url, topics, "hgt")
    process = start_worker(env, idle_s=60)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if committed_offsets(kafka_bootstrap, topics.group, topics.requests):
            break
        time.sleep(0.2)
    process.send_signal(signum)
    finish(process, timeout=60)
    committed = sum(committed_offsets(kafka_bootstrap, topics.group, topics.requests).values())
    counted = sum(n for _, n, _, _ in account_states(redis_client, "hgt").values())
    # State and offsets agree: everything committed was counted, nothing beyond.
    assert 0 < committed <= len(events)
    assert counted == committed


def test_a_worker_reads_on_while_its_own_partition_holds_the_watermark(
    kafka_bootstrap: str,
) -> None:
    """One partition read far ahead fills the waiting records; the other, this worker's too,
    still holds the watermark. Stopping the polls there would wait for itself for good."""
    topic = f"hold-{time.time_ns()}"
    create_topics(kafka_bootstrap, [topic], partitions=2)

    def send(partition: int) -> None:
        producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
        for i in range(400):
            e = event(event_id=f"p{partition}-{i}", ts=T0 + 18 * i, account_id=f"org_{i % 40}")
            producer.send(topic, value=orjson.dumps(e), partition=partition)
        producer.flush()
        producer.close()

    send(0)
    consumer = KafkaConsumer(
        bootstrap_servers=kafka_bootstrap, group_id=topic, enable_auto_commit=False,
        auto_offset_reset="earliest", max_poll_records=100,
    )  # fmt: skip
    source = KafkaSource(consumer, topic, parser(), Marks(idle_s=600), EventClock(60, 3600, 60), 50)
    source.subscribe()
    released = 0

    def read_for(seconds: float) -> None:
        nonlocal released
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and released < 800:
            batch = source.next_batch(100)
            if batch is not None:
                released += len(batch.observed)
                source.done(batch)

    read_for(5)
    assert released == 0, "partition 1 has sent nothing yet: no epoch is complete"
    send(1)
    read_for(60)  # returns as soon as all 800 are out; slow only when the broker is (under load)
    # It failed twice in about forty runs, releasing nothing: what the source held then.
    held = (consumer.assignment(), len(source._waiting), source.marks._read(),
            dict(source._next_offset), source.epochs.newest)  # fmt: skip
    consumer.close()
    assert released == 800, held
