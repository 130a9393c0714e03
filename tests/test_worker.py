"""The streaming worker against a real Tansu broker and a real redis-server.

The worker runs as the real ``harvestguard worker`` process. These tests check
what users see: alerts on the alerts topic, decisions in Redis, malformed
records in the DLQ with their reasons, committed offsets, and after SIGKILLs
mid-stream the same per-account state as one clean pass.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from typing import Any

import orjson
import pytest
import redis
from kafka import KafkaProducer

from service.state.account import Decision, decode
from tests.factories import redis_contents, traffic
from tests.servers import committed_offsets, create_topics, read_topic

PARTITIONS = 4
CANARY = "CANARY-worker-91c2"
MALFORMED = [
    b"{not json at all",
    b'{"event_id": "bad-1", "account_id": "org_1", "model": "m",'
    b' "prompt_tokens": 1, "completion_tokens": 1}',
    b'{"event_id": "bad-2", "ts": 1795874400, "account_id": "org_1", "model": "m",'
    b' "prompt_tokens": -4, "completion_tokens": 1, "prompt": "' + CANARY.encode() + b'"}',
]


class Topics:
    def __init__(self, bootstrap: str) -> None:
        suffix = uuid.uuid4().hex[:8]
        self.requests = f"llm.requests.{suffix}"
        self.dlq = f"llm.requests.dlq.{suffix}"
        self.alerts = f"llm.alerts.{suffix}"
        self.group = f"harvestguard-{suffix}"
        create_topics(bootstrap, [self.requests, self.dlq, self.alerts], partitions=PARTITIONS)


def produce(bootstrap: str, topic: str, records: Iterable[tuple[bytes | None, bytes]]) -> int:
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, batch_size=256 << 10)
    count = 0
    for key, value in records:
        producer.send(topic, key=key, value=value)
        count += 1
    producer.flush()
    producer.close()
    return count


def as_records(events: Iterable[dict[str, Any]]) -> Iterable[tuple[bytes | None, bytes]]:
    for e in events:
        yield e["account_id"].encode(), orjson.dumps(e)


def worker_env(
    bootstrap: str, redis_url: str, topics: Topics, prefix: str, group: str | None = None
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HARVESTGUARD_STORE="redis",
        HARVESTGUARD_REDIS_URL=redis_url,
        HARVESTGUARD_REDIS_PREFIX=prefix,
        HARVESTGUARD_KAFKA_BOOTSTRAP=bootstrap,
        HARVESTGUARD_TOPIC_REQUESTS=topics.requests,
        HARVESTGUARD_TOPIC_DLQ=topics.dlq,
        HARVESTGUARD_TOPIC_ALERTS=topics.alerts,
        HARVESTGUARD_CONSUMER_GROUP=group or topics.group,
        HARVESTGUARD_SESSION_TIMEOUT_MS="6000",
        HARVESTGUARD_METRICS_PORT="0",
        HARVESTGUARD_MAX_POLL_RECORDS="500",
        HARVESTGUARD_LEARN_INTERVAL_S="0",
    )
    return env


def start_worker(env: dict[str, str], idle_s: float = 8.0) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "--log-level", "WARNING", "worker",
         "--exit-when-idle", str(idle_s)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def finish(process: subprocess.Popen[bytes], timeout: float = 180.0) -> str:
    output, _ = process.communicate(timeout=timeout)
    log = output.decode(errors="replace")
    assert process.returncode == 0, log
    return log


def account_states(client: redis.Redis, prefix: str) -> dict[str, Any]:
    states = {}
    for key in client.scan_iter(f"{prefix}:*:s", count=1000):
        account = key.decode().split("{", 1)[1].rsplit("}", 1)[0]
        state = decode(client.get(key) or b"")
        states[account] = (state.windows, state.events, state.first_ts, state.recent_ids)
    return states


def test_worker_publishes_alerts_decisions_dlq_and_commits(
    kafka_bootstrap: str, redis_url: str, redis_client: redis.Redis
) -> None:
    topics = Topics(kafka_bootstrap)
    events = list(traffic(events=8000, canary=CANARY))
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

    # Alerts on the alerts topic: one JSON message per verdict change, keyed by account.
    alerts = [
        orjson.loads(value or b"") for _, _, _, value in read_topic(kafka_bootstrap, topics.alerts)
    ]
    harvester_alerts = [a for a in alerts if a["account_id"] == "org_harvest"]
    assert harvester_alerts and harvester_alerts[0]["previous_action"] == "allow"
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
