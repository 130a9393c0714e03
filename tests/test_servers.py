"""The test servers themselves: real redis-server and real Tansu, started by the suite."""

from __future__ import annotations

import time
import uuid
from collections import Counter, defaultdict

import pytest
import redis
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from tests.servers import (
    DEFAULT_SESSION_TIMEOUT_MS,
    RedisServer,
    TansuBroker,
    committed_offsets,
    create_topics,
    free_port,
    read_topic,
)

pytestmark = pytest.mark.integration


def _topic(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _produce(bootstrap: str, topic: str, n: int, start: int = 0) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    try:
        for i in range(start, start + n):
            producer.send(topic, key=f"acct-{i % 37}".encode(), value=f"event-{i}".encode())
        producer.flush(timeout=30)
    finally:
        producer.close()


def _consume_group(
    bootstrap: str, topic: str, group: str, n: int, timeout: float = 60.0
) -> tuple[list[bytes], dict[int, int]]:
    """Consume ``n`` records in ``group``, commit them manually; return values and highwaters."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=DEFAULT_SESSION_TIMEOUT_MS,
        heartbeat_interval_ms=1000,
    )
    values: list[bytes] = []
    try:
        deadline = time.monotonic() + timeout
        while len(values) < n:
            assert time.monotonic() < deadline, f"only {len(values)}/{n} consumed"
            for records in consumer.poll(timeout_ms=500).values():
                values.extend(r.value for r in records)
        consumer.commit()
        high = {tp.partition: consumer.highwater(tp) for tp in consumer.assignment()}
        return values, {p: hw for p, hw in high.items() if hw is not None}
    finally:
        consumer.close()


def test_free_port_is_bindable() -> None:
    port = free_port()
    assert 1024 < port < 65536


def test_produce_read_back_and_group_commit(kafka_bootstrap: str) -> None:
    topic = _topic("roundtrip")
    create_topics(kafka_bootstrap, [topic], partitions=4)
    _produce(kafka_bootstrap, topic, 1000)

    records = read_topic(kafka_bootstrap, topic, timeout=30)
    assert len(records) == 1000
    assert sorted(v for _, _, _, v in records if v is not None) == sorted(
        f"event-{i}".encode() for i in range(1000)
    )
    per_partition: dict[int, list[int]] = defaultdict(list)
    key_partition: dict[bytes | None, set[int]] = defaultdict(set)
    for partition, offset, key, _ in records:
        per_partition[partition].append(offset)
        key_partition[key].add(partition)
    assert set(per_partition) == {0, 1, 2, 3}, "keys should spread over all 4 partitions"
    for offsets in per_partition.values():
        assert offsets == list(range(len(offsets))), "offsets are contiguous from 0"
    assert all(len(parts) == 1 for parts in key_partition.values()), "a key sticks to a partition"

    group = _topic("group")
    values, high = _consume_group(kafka_bootstrap, topic, group, 1000)
    assert Counter(values) == Counter(f"event-{i}".encode() for i in range(1000))
    counts = {p: len(o) for p, o in per_partition.items()}
    # The fetch high watermark is right on Tansu (ListOffsets/end_offsets is not): lag 0.
    assert high == counts
    assert committed_offsets(kafka_bootstrap, group, topic) == counts
    assert committed_offsets(kafka_bootstrap, group, "no-such-topic") == {}


def test_create_topics_is_idempotent_and_produce_auto_creates(kafka_bootstrap: str) -> None:
    a, b = _topic("idem-a"), _topic("idem-b")
    create_topics(kafka_bootstrap, [a], partitions=2)
    create_topics(kafka_bootstrap, [a, b], partitions=3)  # a exists: left as it is
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        described = {t["name"]: len(t["partitions"]) for t in admin.describe_topics([a, b])}
        assert described == {a: 2, b: 3}
        auto = _topic("auto")
        _produce(kafka_bootstrap, auto, 10)  # Tansu auto-creates on produce
        assert auto in admin.list_topics()
    finally:
        admin.close()
    assert len(read_topic(kafka_bootstrap, auto, timeout=15)) == 10
    assert read_topic(kafka_bootstrap, b, timeout=15) == []


def test_read_topic_times_out_on_missing_topic(kafka_bootstrap: str) -> None:
    with pytest.raises(TimeoutError):
        read_topic(kafka_bootstrap, _topic("missing"), timeout=1.5)


def test_redis_set_get(redis_client: redis.Redis) -> None:
    assert redis_client.dbsize() == 0, "redis_client starts on an empty server"
    redis_client.set("acct:1:count", 41)
    assert redis_client.incr("acct:1:count") == 42
    assert redis_client.get("acct:1:count") == b"42"


def test_redis_restart_same_port_starts_empty(
    redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    redis_client.set("survives", "no")
    url = redis_server.url
    redis_server.restart()
    assert redis_server.url == url and redis_server.running
    # Persistence is off (--save "" --appendonly no): a restart loses every key.
    with redis.Redis.from_url(url) as fresh:
        assert fresh.get("survives") is None


def test_memory_broker_restart_loses_data() -> None:
    # A private broker: restarting the shared in-memory one would wipe other tests' topics.
    with TansuBroker(storage="memory") as broker:
        topic = _topic("volatile")
        create_topics(broker.bootstrap, [topic], partitions=2)
        _produce(broker.bootstrap, topic, 50)
        assert len(read_topic(broker.bootstrap, topic)) == 50
        bootstrap = broker.bootstrap
        broker.restart(hard=True)
        assert broker.bootstrap == bootstrap
        # memory:// keeps nothing across a restart: the topic is gone.
        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        try:
            assert topic not in admin.list_topics()
        finally:
            admin.close()


def test_durable_broker_restart_keeps_records_and_offsets(
    durable_kafka_broker: TansuBroker,
) -> None:
    broker = durable_kafka_broker
    topic, group = _topic("durable"), _topic("durable-group")
    create_topics(broker.bootstrap, [topic], partitions=4)
    _produce(broker.bootstrap, topic, 400)
    _, high = _consume_group(broker.bootstrap, topic, group, 400)
    before = read_topic(broker.bootstrap, topic)
    assert len(before) == 400
    assert committed_offsets(broker.bootstrap, group, topic) == high

    broker.restart(hard=True)  # SIGKILL, like a crash, then start on the same port

    # S3 storage keeps records, the topic and the committed offsets across the restart.
    assert read_topic(broker.bootstrap, topic) == before
    assert committed_offsets(broker.bootstrap, group, topic) == high
    _produce(broker.bootstrap, topic, 100, start=400)
    after = read_topic(broker.bootstrap, topic)
    assert len(after) == 500 and set(before) <= set(after)
    for partition in range(4):  # new records continue the old offsets, no gap, no reuse
        offsets = [o for p, o, _, _ in after if p == partition]
        assert offsets == list(range(len(offsets)))
    # The group resumes from its committed offsets: it sees only the 100 new records.
    values, _ = _consume_group(broker.bootstrap, topic, group, 100)
    assert sorted(values) == sorted(f"event-{i}".encode() for i in range(400, 500))
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=None)
    try:
        tps = [TopicPartition(topic, p) for p in range(4)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        assert all(consumer.position(tp) == 0 for tp in tps)
    finally:
        consumer.close()
