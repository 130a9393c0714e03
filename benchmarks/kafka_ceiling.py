"""The Kafka ceiling: how fast can kafka-python alone move records through Tansu here?

``raw_consume_rate`` reads an already-filled topic and passes each value through unparsed:
no JSON decoding, no state. Whatever the service does per record, it cannot consume faster
than this. ``python benchmarks/kafka_ceiling.py`` starts its own Tansu on a free loopback
port, fills a 4-partition topic with realistic ~600-byte request events (measuring the
produce rate), then tries several consumer settings and prints every rate and the best.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.servers import (  # noqa: E402
    DEFAULT_SESSION_TIMEOUT_MS,
    TansuBroker,
    create_topics,
)

# Measured on the 2-core machine (200k x 632 B records, 4 partitions, memory storage): every
# setting lands at ~95-120k records/s in steady state, because kafka-python decodes record
# batches in pure Python (~8-9 us a record on one core; Tansu itself uses ~0.25 s of CPU
# per 200k records). Big fetches and big poll batches win on short runs (20k records: ~98k/s
# vs ~48k/s with the defaults) and are never worse; a group adds its join time, not per-record
# cost; check_crcs=False gains nothing measurable with the crc32c package installed.
THROUGHPUT_CONSUMER: dict[str, Any] = {
    "fetch_max_bytes": 64 * 1024 * 1024,
    "max_partition_fetch_bytes": 16 * 1024 * 1024,
    "max_poll_records": 50_000,
    "fetch_min_bytes": 1,
    "fetch_max_wait_ms": 100,
    "receive_buffer_bytes": 4 * 1024 * 1024,
}

THROUGHPUT_PRODUCER: dict[str, Any] = {
    "linger_ms": 20,
    "batch_size": 512 * 1024,
    "max_request_size": 8 * 1024 * 1024,
    "acks": 1,
    "enable_idempotence": False,
    "send_buffer_bytes": 4 * 1024 * 1024,
}


class _Assigned(ConsumerRebalanceListener):
    """Notes when the group hands out partitions, so the join is timed apart from reading."""

    def __init__(self) -> None:
        self.at: float | None = None

    def on_partitions_revoked(self, revoked: Any) -> None:
        pass

    def on_partitions_assigned(self, assigned: Any) -> None:
        if assigned and self.at is None:
            self.at = time.perf_counter()


def raw_consume_rate(
    bootstrap: str,
    topic: str,
    expected: int,
    group: str | None = None,
    *,
    settings: Mapping[str, Any] | None = None,
    timeout: float = 300.0,
) -> float:
    """Records per second that kafka-python reads from ``topic`` (from its start), unparsed.

    Reads until ``expected`` records have arrived. Without ``group`` all partitions are
    assigned directly; with one, the consumer joins that group (a fresh group starts at
    the beginning) and the clock starts when partitions are assigned, so the join (2-5 s on
    Tansu) is not counted. ``settings`` overrides :data:`THROUGHPUT_CONSUMER`.
    Raises ``TimeoutError`` if ``expected`` records do not arrive within ``timeout``.
    """
    config: dict[str, Any] = {
        **THROUGHPUT_CONSUMER,
        **(settings or {}),
        "bootstrap_servers": bootstrap,
        "group_id": group,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "client_id": "harvestguard-ceiling",
    }
    if group is not None:
        config.setdefault("session_timeout_ms", DEFAULT_SESSION_TIMEOUT_MS)
        config.setdefault("heartbeat_interval_ms", 1000)
    consumer = KafkaConsumer(**config)
    try:
        listener = _Assigned()
        start: float | None
        if group is None:
            parts = consumer.partitions_for_topic(topic)
            if not parts:
                raise ValueError(f"topic {topic!r} not found on {bootstrap}")
            tps = [TopicPartition(topic, p) for p in sorted(parts)]
            consumer.assign(tps)
            consumer.seek_to_beginning(*tps)
            start = time.perf_counter()
        else:
            consumer.subscribe([topic], listener=listener)
            start = None
        deadline = time.monotonic() + timeout
        count = 0
        passed_bytes = 0
        while count < expected:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{count}/{expected} records read from {topic!r}")
            for records in consumer.poll(timeout_ms=200).values():
                count += len(records)
                for record in records:  # the value goes through as bytes, unparsed
                    value = record.value
                    passed_bytes += len(value) if value is not None else 0
        end = time.perf_counter()
        if start is None:
            start = listener.at
        if start is None:
            raise RuntimeError("records arrived but no assignment was seen")
        return count / max(end - start, 1e-9)
    finally:
        consumer.close()


# --------------------------------------------------------------------------- data

_MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "llama-3.1-70b", "o3-mini"]
_AGENTS = [
    "python-httpx/0.27.0",
    "openai-python/1.51.2",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0",
    "curl/8.5.0",
]
_WORDS = [
    "explain", "the", "difference", "between", "step", "by", "reasoning", "about", "a",
    "given", "problem", "and", "write", "code", "in", "python", "for", "following", "task",
    "summarize", "translate", "into", "french", "classify", "this", "document",
]  # fmt: skip


def make_event(i: int, rng: random.Random, t0: float) -> tuple[bytes, bytes]:
    """One realistic request-event v1 record (about 600 bytes of JSON) and its key."""
    account = f"acct_{rng.randrange(5000):05d}"
    event = {
        "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "ts": round(t0 + i * 0.001, 3),
        "account_id": account,
        "api_key_id": f"key_{account[5:]}_{rng.randrange(3)}",
        "user_id": f"user_{rng.randrange(20000):06d}",
        "session_id": f"sess_{rng.getrandbits(48):012x}",
        "client_ip": f"203.0.{rng.randrange(256)}.{rng.randrange(1, 255)}",
        "asn": rng.choice([13335, 16509, 15169, 8075, 14061]),
        "user_agent": rng.choice(_AGENTS),
        "payment_fingerprint": f"pf_{rng.getrandbits(64):016x}",
        "account_created": 1_700_000_000 + rng.randrange(30_000_000),
        "endpoint": "/v1/chat/completions",
        "model": rng.choice(_MODELS),
        "status": 200 if rng.random() > 0.02 else 429,
        "prompt_tokens": rng.randrange(20, 4000),
        "completion_tokens": rng.randrange(1, 2000),
        "latency_ms": round(rng.uniform(80, 9000), 1),
        "finish_reason": "stop",
        "messages": rng.randrange(1, 12),
        "params": {"max_tokens": 1024, "temperature": 0.7, "top_p": 1.0, "stream": False},
        "prompt": " ".join(rng.choice(_WORDS) for _ in range(rng.randrange(2, 10))),
    }
    return account.encode(), orjson.dumps(event)


def fill_topic(bootstrap: str, topic: str, n: int, seed: int = 7) -> tuple[float, int]:
    """Produce ``n`` events; return (records per second, total value bytes)."""
    rng = random.Random(seed)
    t0 = 1_795_000_000.0
    records = [make_event(i, rng, t0) for i in range(n)]  # built before the clock starts
    total = sum(len(v) for _, v in records)
    producer = KafkaProducer(bootstrap_servers=bootstrap, **THROUGHPUT_PRODUCER)
    try:
        start = time.perf_counter()
        for key, value in records:
            producer.send(topic, key=key, value=value)
        producer.flush(timeout=600)
        elapsed = time.perf_counter() - start
    finally:
        producer.close()
    return n / elapsed, total


# --------------------------------------------------------------------------- main

MB = 1024 * 1024
TRIALS: list[tuple[str, bool, dict[str, Any]]] = [
    ("kafka-python defaults", False, {
        "fetch_max_bytes": 50 * MB, "max_partition_fetch_bytes": 1 * MB,
        "max_poll_records": 500, "fetch_max_wait_ms": 500, "receive_buffer_bytes": None,
    }),
    ("poll 5k, partition 1 MB", False, {"max_partition_fetch_bytes": 1 * MB,
                                        "max_poll_records": 5_000}),
    ("poll 50k, partition 4 MB", False, {"max_partition_fetch_bytes": 4 * MB}),
    ("poll 50k, partition 16 MB (chosen)", False, {}),
    ("poll 50k, partition 16 MB, group", True, {}),
    ("poll 200k, partition 32 MB", False, {"max_partition_fetch_bytes": 32 * MB,
                                           "max_poll_records": 200_000}),
    ("chosen, no crc check", False, {"check_crcs": False}),
]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=2, help="runs per consumer setting")
    parser.add_argument("--storage", choices=["memory", "s3"], default="memory")
    args = parser.parse_args(argv)

    with TansuBroker(storage=args.storage) as broker:
        topic = "ceiling-requests"
        create_topics(broker.bootstrap, [topic], partitions=args.partitions)
        produce_rate, total = fill_topic(broker.bootstrap, topic, args.records)
        print(
            f"broker: Tansu storage={broker.storage_url} at {broker.bootstrap}; "
            f"{args.records} records, {args.partitions} partitions, "
            f"{total / args.records:.0f} B/record average"
        )
        print(
            f"produce: {produce_rate:,.0f} records/s "
            f"({produce_rate * total / args.records / MB:.1f} MB/s)"
        )
        best: tuple[float, str] = (0.0, "")
        for name, use_group, settings in TRIALS:
            rates = []
            for _ in range(args.repeat):
                group = f"ceiling-{uuid.uuid4().hex[:8]}" if use_group else None
                rates.append(
                    raw_consume_rate(
                        broker.bootstrap, topic, args.records, group, settings=settings
                    )
                )
            rate = max(rates)
            runs = ", ".join(f"{r:,.0f}" for r in rates)
            print(f"consume [{name}]: best {rate:,.0f} records/s (runs: {runs})")
            best = max(best, (rate, name))
        print(f"best raw consume: {best[0]:,.0f} records/s with [{best[1]}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
