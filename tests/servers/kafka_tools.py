"""Small kafka-python helpers for tests: create topics, read a topic, committed offsets."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable

# --------------------------------------------------------------------------- kafka helpers


def create_topics(
    bootstrap: str, names: Iterable[str], partitions: int = 4, timeout: float = 20.0
) -> None:
    """Create topics (idempotent: an existing topic is left as is) and wait for their leaders."""
    from kafka import KafkaAdminClient
    from kafka.errors import TopicAlreadyExistsError

    wanted = list(dict.fromkeys(names))
    if not wanted:
        return
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="harvestguard-admin")
    try:
        specs = {name: {"num_partitions": partitions, "replication_factor": 1} for name in wanted}
        try:
            admin.create_topics(specs)
        except TopicAlreadyExistsError:
            # One of them existed; create the rest one by one.
            for name in wanted:
                with contextlib.suppress(TopicAlreadyExistsError):
                    admin.create_topics({name: specs[name]})
        admin.wait_for_topics(wanted, timeout_ms=int(timeout * 1000))
    finally:
        admin.close()


def read_topic(
    bootstrap: str, topic: str, timeout: float = 30.0
) -> list[tuple[int, int, bytes | None, bytes | None]]:
    """Every record of ``topic`` from the beginning up to its current end.

    Returns ``(partition, offset, key, value)`` sorted by partition then offset. The end is
    each partition's high watermark from fetch responses (Tansu's ListOffsets is wrong).
    Raises ``TimeoutError`` if the end is not reached (or the topic not found) in time.
    """
    from kafka import KafkaConsumer, TopicPartition

    from service.dlq import read_until

    deadline = time.monotonic() + timeout
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        allow_auto_create_topics=False,
        fetch_max_wait_ms=100,
        max_poll_records=10_000,
        client_id="harvestguard-read-topic",
    )
    try:
        parts: set[int] | None = None
        while True:
            parts = consumer.partitions_for_topic(topic)
            if parts:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"topic {topic!r} not found on {bootstrap}")
            time.sleep(0.1)
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        remaining = max(deadline - time.monotonic(), 0.1)
        out = [
            (r.partition, r.offset, r.key, r.value)
            for r in read_until(consumer, dict.fromkeys(tps), remaining)
        ]
        out.sort(key=lambda rec: (rec[0], rec[1]))
        return out
    finally:
        consumer.close()


def committed_offsets(bootstrap: str, group: str, topic: str) -> dict[int, int]:
    """``{partition: committed offset}`` of ``group`` on ``topic``; uncommitted ones left out."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="harvestguard-admin")
    try:
        offsets = admin.list_group_offsets({group: None}).get(group, {})
    finally:
        admin.close()
    return {
        tp.partition: int(meta.offset)
        for tp, meta in offsets.items()
        if tp.topic == topic and meta.offset >= 0
    }
