"""Replaying the dead-letter topic after a fix: each rejected record back into the stream.

A DLQ entry says why a record was rejected and where it came from (topic,
partition, offset), but not the record itself: its prompt was removed. Replay
reads the entries, fetches each original at its coordinates from the source
topic (while the topic's retention still holds it) and produces it again, same
key and same bytes, to the requests topic, where the fixed worker applies it as
a new record. Run it once the bug is fixed and deployed; entries the fixed
worker still rejects simply come back to the DLQ.

The DLQ position replayed up to is committed for the consumer group
``<CONSUMER_GROUP>-dlq-replay`` once the originals are acknowledged, so a
second run replays only what was dead-lettered since (``from_beginning``
replays everything again).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

from service.settings import Settings

Coordinates = tuple[str, int, int]  # topic, partition, offset


@dataclass(slots=True)
class ReplaySummary:
    entries: int = 0
    replayed: int = 0
    missing: list[Coordinates] = field(default_factory=list)  # gone with retention
    unreadable: int = 0  # DLQ messages that are not harvestguard entries

    def lines(self) -> list[str]:
        return [
            f"DLQ entries: {self.entries}",
            f"replayed: {self.replayed}",
            f"originals no longer in their topic: {len(self.missing)}",
            f"unreadable DLQ messages: {self.unreadable}",
        ]


def _consumer(settings: Settings, group: str | None = None) -> KafkaConsumer:
    # Partitions are assigned, never subscribed: a group only keeps the replay's cursor.
    return KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=100,
        client_id="harvestguard-dlq-replay",
    )


def read_until(
    consumer: KafkaConsumer, wanted: dict[TopicPartition, int | None], timeout_s: float
) -> list[Any]:
    """Records of the assigned partitions from their positions up to offset ``wanted[tp]``
    (exclusive), or up to the partition's end where it is ``None``."""
    records: list[Any] = []
    deadline = time.monotonic() + timeout_s
    while True:
        for batch in consumer.poll(timeout_ms=200).values():
            records.extend(batch)
        done = True
        for tp, until in wanted.items():
            # Tansu answers ListOffsets wrongly: the end is the high watermark of fetches.
            end = consumer.highwater(tp)
            stop = end if until is None or end is None else min(until, end)
            done &= stop is not None and consumer.position(tp) >= stop
        if done:
            return records
        if time.monotonic() > deadline:
            raise TimeoutError(f"reading {sorted(map(str, wanted))} took over {timeout_s} s")


def _entries(
    consumer: KafkaConsumer,
    settings: Settings,
    from_beginning: bool,
    timeout_s: float,
    summary: ReplaySummary,
) -> tuple[list[Coordinates], dict[TopicPartition, int]]:
    """The DLQ entries after the replay cursor (or all), and the DLQ positions reached."""
    partitions = consumer.partitions_for_topic(settings.topic_dlq) or set()
    tps = [TopicPartition(settings.topic_dlq, p) for p in sorted(partitions)]
    if not tps:
        return [], {}
    consumer.assign(tps)
    for tp in tps:
        cursor = None if from_beginning else consumer.committed(tp)
        if cursor is None:
            consumer.seek_to_beginning(tp)
        else:
            consumer.seek(tp, cursor)
    found = []
    for record in read_until(consumer, dict.fromkeys(tps), timeout_s):
        try:
            entry = orjson.loads(record.value)
            found.append((str(entry["topic"]), int(entry["partition"]), int(entry["offset"])))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            summary.unreadable += 1
    summary.entries = len(found) + summary.unreadable
    return found, {tp: consumer.position(tp) for tp in tps}


def replay_dlq(
    settings: Settings,
    dry_run: bool = False,
    from_beginning: bool = False,
    timeout_s: float = 60.0,
) -> ReplaySummary:
    """Produce each new DLQ entry's original record to ``settings.topic_requests`` again."""
    summary = ReplaySummary()
    cursor = _consumer(settings, f"{settings.consumer_group}-dlq-replay")
    try:
        entries, reached = _entries(cursor, settings, from_beginning, timeout_s, summary)
        _replay(settings, entries, dry_run, timeout_s, summary)
        if reached and not dry_run:
            cursor.commit(
                {tp: OffsetAndMetadata(position, "", -1) for tp, position in reached.items()}
            )
    finally:
        cursor.close()
    return summary


def _replay(
    settings: Settings,
    entries: list[Coordinates],
    dry_run: bool,
    timeout_s: float,
    summary: ReplaySummary,
) -> None:
    by_partition: dict[TopicPartition, set[int]] = defaultdict(set)
    for topic, partition, offset in entries:
        by_partition[TopicPartition(topic, partition)].add(offset)
    if not by_partition:
        return
    consumer = _consumer(settings)
    producer = None if dry_run else KafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    try:
        for tp, offsets in sorted(by_partition.items()):
            consumer.assign([tp])
            consumer.seek(tp, min(offsets))
            originals = {
                r.offset: r
                for r in read_until(consumer, {tp: max(offsets) + 1}, timeout_s)
                if r.offset in offsets
            }
            for offset in sorted(offsets):
                record = originals.get(offset)
                if record is None:
                    summary.missing.append((tp.topic, tp.partition, offset))
                    continue
                if producer is not None:
                    producer.send(settings.topic_requests, key=record.key, value=record.value)
                summary.replayed += 1
        if producer is not None:
            producer.flush(timeout=30)
    finally:
        consumer.close()
        if producer is not None:
            producer.close(timeout=10)
