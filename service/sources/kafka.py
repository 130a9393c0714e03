"""The Kafka source: a consumer group member's records, observed and released epoch by epoch.

Each poll's records are parsed and observed in one batch. Malformed records and
records whose time cannot be trusted (service/eventtime.py) are set aside for
the dead-letter topic; the rest get their epoch (service/watermark.py). A record
is released to the pipeline only once the watermark has reached its epoch:
every partition of the topic has then written everything it contributes to
earlier epochs, so what the record's scoring reads from other accounts is
complete. Records ahead of the watermark wait here until it moves; offsets are
committed only up to what was processed and written.

A source with ``max_waiting`` records waiting stops polling until the watermark
releases some, so that its partitions stop running ahead of other workers'. It
polls on while one of its own partitions holds the watermark back: that one can
only move if it is read (kafka-python's fetcher may serve the other partitions
for a long while first, and a worker that stopped there would wait for itself
for good). It holds records back rather than with
``KafkaConsumer.pause``: in kafka-python 3.0.12 a partition paused while its
fetched records are buffered is never fetched again once another partition has
reached the end of its log (the fetcher parks the paused records and restores
them only when no record set is current, and an empty one stays current), so a
worker pausing and resuming partitions stalls them for good.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from kafka import ConsumerRebalanceListener, KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from service import metrics
from service.eventtime import EventClock
from service.features.observation import COLUMN, ObservedBatch, Parse, observe_records
from service.sources.waiting import Waiting
from service.state.base import StoreUnavailable
from service.watermark import NEVER, Marks, PartitionEpochs

log = logging.getLogger(__name__)
_HOLDING_POLL_MS = 50


@dataclass(slots=True)
class Rejected:
    """A record for the dead-letter topic, with why."""

    record: Any  # kafka-python's ConsumerRecord
    reason: str


@dataclass(slots=True)
class SourceBatch:
    observed: ObservedBatch
    epochs: np.ndarray
    rejected: list[Rejected] = field(default_factory=list)
    # Per partition: the offset to commit once the batch is written, and its newest epoch.
    offsets: dict[int, int] = field(default_factory=dict)
    newest: dict[int, int] = field(default_factory=dict)
    polled: int = 0  # records this batch's poll brought (for the batch-size metric)


class KafkaSource:
    def __init__(
        self,
        consumer: KafkaConsumer,
        topic: str,
        parse: Parse,
        marks: Marks,
        clock: EventClock,
        max_waiting: int = 100_000,
        on_revoke: Callable[[], None] = lambda: None,
    ) -> None:
        """``on_revoke`` runs when partitions move: the worker drops its cached accounts,
        whose next owner may change them."""
        self.consumer = consumer
        self.topic = topic
        self.parse = parse
        self.marks = marks
        self.clock = clock
        self.max_waiting = max_waiting
        self.on_revoke = on_revoke
        self.epochs = PartitionEpochs(clock.epoch_s)
        self._waiting = Waiting()  # observed records ahead of the watermark, in order
        self._next_offset: dict[int, int] = {}  # past the last record read, per partition
        self._idle_since: dict[int, float] = {}
        self._adopting: set[int] = set()  # assigned, their newest epochs not read yet
        self._reread_from: dict[int, int] = {}  # revoked: the first record dropped
        self._rejected: list[Rejected] = []  # read, refused, not yet handed to the DLQ
        self._polled = 0  # records read since the last batch
        self._partitions = 0
        self._own_behind = False  # one of this worker's partitions holds the watermark

    def subscribe(self) -> None:
        self.consumer.subscribe([self.topic], listener=_Rebalance(self))

    def _partition_count(self) -> int:
        if not self._partitions:
            found = self.consumer.partitions_for_topic(self.topic)
            self._partitions = len(found) if found else 0
        return self._partitions

    def next_batch(self, timeout_ms: int) -> SourceBatch | None:
        """Records ready for the pipeline (None if none are), the rest kept waiting."""
        self._resume()
        if len(self._waiting) < self.max_waiting or self._own_behind:
            # Records held for other workers' marks: look again soon, for the marks move
            # an epoch at a time while the group works through a backlog.
            wait_ms = min(timeout_ms, _HOLDING_POLL_MS) if len(self._waiting) else timeout_ms
            polled = self.consumer.poll(timeout_ms=wait_ms)
        else:
            polled = {}
            time.sleep(min(timeout_ms, 100) / 1000)
            metrics.SOURCE_HELD_BACK.inc()
        if polled:
            # What was read waits here before anything else can fail (the store, when the
            # marks are read): offsets past it are committed only once it is processed.
            fresh = self._observe(polled, self._rejected)
            if len(fresh):
                columns = fresh.columns()
                epochs = self.epochs.assign(columns[COLUMN["ts"]], columns[COLUMN["partition"]])
                self._waiting.add(fresh, epochs)
            self._polled += sum(len(records) for records in polled.values())
        firsts = self._waiting.firsts()
        self._publish_marks(firsts)
        held = {p: self.epochs.newest[p] for p in self._next_offset if p in self.epochs.newest}
        watermark = self.marks.watermark(self._partition_count(), time.time(), held)
        metrics.WATERMARK_EPOCH.set(watermark)
        self._own_behind = any(
            held.get(tp.partition, NEVER) <= watermark for tp in self.consumer.assignment()
        )
        released, epochs = self._waiting.release(watermark)
        metrics.RECORDS_WAITING.set(len(self._waiting))
        if not len(released) and not self._rejected:
            return None
        rejected, self._rejected = self._rejected, []
        polled_count, self._polled = self._polled, 0
        return SourceBatch(
            released,
            epochs,
            rejected,
            self._offsets(),
            _newest(released, epochs),
            polled_count,
        )

    def _observe(
        self, polled: dict[TopicPartition, list[Any]], rejected: list[Rejected]
    ) -> ObservedBatch:
        records = [r for tp in sorted(polled, key=lambda tp: tp.partition) for r in polled[tp]]
        for record in records:
            self._next_offset[record.partition] = record.offset + 1
        for tp in polled:
            # Tansu answers ListOffsets wrongly; the high watermark seen in fetches is right.
            highwater = self.consumer.highwater(tp)
            if highwater is not None:
                lag = max(highwater - self._next_offset[tp.partition], 0)
                metrics.CONSUMER_LAG.labels(str(tp.partition)).set(lag)
        observed, refused = observe_records([r.value for r in records], self.parse, records)
        kept = np.ones(len(records), dtype=bool)
        for index, reason in refused:
            rejected.append(Rejected(records[index], reason))
            kept[index] = False
        records = [r for r, keep in zip(records, kept, strict=True) if keep]
        columns = observed.columns()
        untimely = self.clock.check(
            columns[COLUMN["ts"]], columns[COLUMN["partition"]], columns[COLUMN["record_ts"]]
        )
        if not untimely:
            return observed
        keep = np.ones(len(observed), dtype=bool)
        for index, reason in untimely:
            rejected.append(Rejected(records[index], reason))
            keep[index] = False
        return observed.take(np.flatnonzero(keep))

    def _publish_marks(self, firsts: dict[int, tuple[int, int]]) -> None:
        """Each owned partition's mark: the epoch of its first record not yet processed, or
        its newest epoch when it has none (nothing earlier can come from it)."""
        owned = [tp.partition for tp in self.consumer.assignment()]
        marks: dict[int, int] = {}
        now = time.time()
        for p in owned:
            if p in firsts:
                marks[p] = firsts[p][0]
                self._idle_since[p] = 0.0
                continue
            if p in self.epochs.newest:
                marks[p] = self.epochs.newest[p]
            # Nothing waiting: idle once there is nothing left to read either.
            caught_up = self._caught_up(p)
            if caught_up and not self._idle_since.get(p):
                self._idle_since[p] = now
            elif not caught_up:
                self._idle_since[p] = 0.0
        self.marks.publish(marks, {p: self._idle_since.get(p, 0.0) for p in owned})

    def _caught_up(self, partition: int) -> bool:
        """Read to the partition's end, as its leader last said, and the leader is reachable:
        a broker outage leaves the last high watermark in place, and taking that for an idle
        partition would let the watermark pass records the broker still holds."""
        tp = TopicPartition(self.topic, partition)
        highwater = self.consumer.highwater(tp)
        if highwater is None or self._next_offset.get(partition, 0) < highwater:
            return False
        client = self.consumer._client  # kafka-python's own connection state
        leader = client.cluster.leader_for_partition(tp)
        return leader is not None and leader >= 0 and bool(client.connected(leader))

    def _offsets(self) -> dict[int, int]:
        """Per partition, where to resume after this batch: its first waiting record, or
        past the last record read."""
        offsets = dict(self._next_offset)
        for p, (_, offset) in self._waiting.firsts().items():
            offsets[p] = min(offsets.get(p, offset), offset)
        return offsets

    def done(self, batch: SourceBatch) -> None:
        """The batch is written: keep its partitions' newest epochs, commit its offsets."""
        self.marks.publish({}, {}, batch.newest)
        owned = {tp.partition for tp in self.consumer.assignment()}
        offsets = {
            TopicPartition(self.topic, p): OffsetAndMetadata(offset, "", -1)
            for p, offset in batch.offsets.items()
            if p in owned
        }
        if offsets:
            self.consumer.commit(offsets)

    def forget(self, partitions: list[int]) -> None:
        """Partitions moved away: drop what waits for them (their next owner reads it), and
        remember where it began, in case they come back to this worker."""
        dropped = self._waiting.drop(partitions)
        # Their refused records too: the next owner reads and refuses them again.
        for r in self._rejected:
            if r.record.partition in partitions:
                p = r.record.partition
                dropped[p] = min(dropped.get(p, r.record.offset), r.record.offset)
        self._rejected = [r for r in self._rejected if r.record.partition not in partitions]
        self._reread_from.update(dropped)
        self._adopting.difference_update(partitions)
        for p in partitions:
            self._next_offset.pop(p, None)
            self._idle_since.pop(p, None)
            self.epochs.newest.pop(p, None)
            self.clock.newest.pop(p, None)

    def adopt(self, partitions: list[int]) -> None:
        """Partitions assigned: their epochs (and what counts as late) resume where their
        last owner left them. Until the store answers, nothing is released for them.

        A partition this worker keeps across the rebalance keeps its read position
        (kafka-python 3 preserves it), past the records dropped when it was revoked: it
        is read again from the first of them."""
        for p in partitions:
            if p in self._reread_from:
                self.consumer.seek(TopicPartition(self.topic, p), self._reread_from[p])
        self._reread_from.clear()
        self._adopting.update(partitions)
        with contextlib.suppress(StoreUnavailable):  # the next batch asks again
            self._resume()

    def _resume(self) -> None:
        if not self._adopting:
            return
        newest = self.marks.newest(sorted(self._adopting))  # StoreUnavailable: try later
        self.epochs.newest.update(newest)
        self.clock.newest.update(newest)
        self._adopting.clear()


def _newest(batch: ObservedBatch, epochs: np.ndarray) -> dict[int, int]:
    """Per partition, the epoch of its last released record: where its epochs resume after a
    restart (not the epochs of records still waiting, which the next owner reads again)."""
    if not len(batch):
        return {}
    partitions = batch.columns()[COLUMN["partition"]].astype(np.int64)
    newest: dict[int, int] = {}
    for p, epoch in zip(partitions.tolist(), epochs.tolist(), strict=True):
        newest[p] = max(newest.get(p, epoch), epoch)
    return newest


class _Rebalance(ConsumerRebalanceListener):
    def __init__(self, source: KafkaSource) -> None:
        self.source = source

    def on_partitions_revoked(self, revoked: Any) -> None:
        self.source.forget([tp.partition for tp in revoked])
        self.source.on_revoke()

    def on_partitions_assigned(self, assigned: Any) -> None:
        partitions = sorted(tp.partition for tp in assigned)
        log.info("assigned partitions %s", partitions)
        self.source.adopt(partitions)
