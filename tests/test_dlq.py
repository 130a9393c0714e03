"""Replaying the DLQ after a fix, on a real broker: originals back, same key and bytes."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from kafka import KafkaProducer

from service.dlq import replay_dlq
from service.settings import Settings
from service.sinks import dead_letter
from tests.servers import create_topics, read_topic

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)


def test_replay_produces_each_dead_lettered_original_again(kafka_bootstrap: str) -> None:
    run = uuid.uuid4().hex[:8]
    source, dlq, target = f"src.{run}", f"dlq.{run}", f"dst.{run}"
    create_topics(kafka_bootstrap, [source, dlq, target], partitions=1)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    records = [b'{"event_id": "ok-1"}', b'{"event_id": "broken", "ts": "yesterday"}', b"{not json"]
    for i, value in enumerate(records):
        producer.send(source, key=f"org_{i}".encode(), value=value)
    producer.flush()
    # What the worker writes for offsets 1 and 2, and an entry whose original is gone.
    for offset, reason in ((1, "ts: must be RFC 3339"), (2, "record: is not JSON"), (9, "x")):
        record = SimpleNamespace(
            topic=source, partition=0, offset=offset, timestamp=0, value=records[min(offset, 2)]
        )
        producer.send(dlq, value=dead_letter(record, reason))
    producer.send(dlq, value=b"not an entry")
    producer.flush()
    producer.close()
    settings = Settings(
        _env_file=None,
        kafka_bootstrap=kafka_bootstrap,
        topic_dlq=dlq,
        topic_requests=target,
        consumer_group=f"group.{run}",
    )  # type: ignore[call-arg]

    dry = replay_dlq(settings, dry_run=True, timeout_s=30)
    assert read_topic(kafka_bootstrap, target) == []
    summary = replay_dlq(settings, timeout_s=30)

    assert (dry.replayed, dry.missing) == (summary.replayed, summary.missing)
    assert (summary.entries, summary.replayed, summary.unreadable) == (4, 2, 1)
    assert summary.missing == [(source, 0, 9)]
    replayed = [(key, value) for _, _, key, value in read_topic(kafka_bootstrap, target)]
    assert replayed == [(b"org_1", records[1]), (b"org_2", records[2])]
    # A second run replays nothing new; from the beginning, everything again.
    assert replay_dlq(settings, timeout_s=30).entries == 0
    assert replay_dlq(settings, from_beginning=True, timeout_s=30).replayed == 2
    assert len(read_topic(kafka_bootstrap, target)) == 4
