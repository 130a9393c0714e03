"""The real ``harvestguard worker`` as tests run it: topics, producing, the process, its state.

Shared by the worker tests, the fuzz run and the fault harness, so that every
one of them drives the same command a user runs, with the same settings.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import orjson
import redis
from kafka import KafkaProducer

from service.state.account import Decision, decode
from tests.servers import create_topics

PARTITIONS = 4


class Topics:
    """Fresh topic names (and a consumer group) per test, created with ``PARTITIONS``."""

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
        HARVESTGUARD_WATERMARK_IDLE_S="1",
    )
    return env


def start_worker(
    env: dict[str, str], idle_s: float = 8.0, log: IO[bytes] | None = None
) -> subprocess.Popen[bytes]:
    """The worker command; its output goes to ``log``, or to a pipe that :func:`finish` reads.

    A long-running worker needs ``log``: nobody reads a pipe until it exits, and a full
    pipe would stop the worker at its next log line."""
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "--log-level", "INFO" if log else "WARNING",
         "worker", "--exit-when-idle", str(idle_s)],
        env=env,
        stdout=log or subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip


def finish(process: subprocess.Popen[bytes], timeout: float = 180.0) -> str:
    output, _ = process.communicate(timeout=timeout)
    log = (output or b"").decode(errors="replace")
    assert process.returncode == 0, log
    return log


def _account_of(key: bytes) -> str:
    return key.decode().split("{", 1)[1].rsplit("}", 1)[0]


def account_states(client: redis.Redis, prefix: str) -> dict[str, Any]:
    """Per account, what must equal one clean pass: windows, events, first time, ids seen."""
    states = {}
    for key in client.scan_iter(f"{prefix}:*:s", count=1000):
        state = decode(client.get(key) or b"")
        states[_account_of(key)] = (state.windows, state.events, state.first_ts, state.recent_ids)
    return states


def account_decisions(client: redis.Redis, prefix: str) -> dict[str, Decision]:
    """Per account, its current decision (accounts never flagged have none stored)."""
    return {
        _account_of(key): Decision.from_json(client.get(key) or b"")
        for key in client.scan_iter(f"{prefix}:*:d", count=1000)
    }


def verdict_lines(client: redis.Redis, prefix: str) -> bytes:
    """The verdicts the workers reached, as ``harvestguard detect`` writes them: one line per
    account ever flagged, from the first flag kept in its state, in the same order."""
    from service.offline import verdict_line

    flags = {}
    for key in client.scan_iter(f"{prefix}:*:s", count=1000):
        state = decode(client.get(key) or b"")
        if state.first_flag is not None:
            flags[_account_of(key)] = state.first_flag
    ordered = sorted(flags, key=lambda a: (flags[a].ts, a))
    return b"".join(orjson.dumps(verdict_line(a, flags[a])) + b"\n" for a in ordered)
