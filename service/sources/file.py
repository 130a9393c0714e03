"""The file source of offline ``detect``: a JSONL(.gz) file read the way the workers read a topic.

Reading, parsing and observing (the stateless half) run in one child process;
the rest here. The file is read as the topic it would be in: as ``partitions``
partitions by the producer's key hash (kafka-python's murmur2 of the account
id), each in file order. The same rules as the Kafka source then apply: an
event too far ahead of or behind its partition's time is refused
(service/eventtime.py), every event gets its partition's running epoch
(service/watermark.py), and an event is released only once every partition
has moved on to its epoch, so that an epoch's cross-account state is complete
before anything reads it. With one partition (the default) that is plain file
order; with the topic's partition count, ``detect`` gives the verdicts the
workers gave on that topic, late events included.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.queues import Queue
from pathlib import Path

import numpy as np
from kafka.partitioner.default import murmur2

from service.contract import iter_lines
from service.eventtime import EventClock
from service.features.observation import (
    COLUMN,
    EMPTY,
    ObservedBatch,
    Parse,
    decode_batch,
    encode_batch,
    observe_records,
    parser,
)
from service.settings import Settings
from service.sources.waiting import Waiting
from service.watermark import ALL_IDLE, NEVER, PartitionEpochs

Chunk = list[tuple[int, bytes]]
Encoded = tuple[bytes, list[tuple[int, str]], int]  # a MessagePack batch, for the queue
# The first chunk is at least this long, whatever the batch size: the event clock starts
# from the median of each partition's first events, the same for every batch size.
_FIRST_CHUNK = 5000


@dataclass(slots=True)
class FileBatch:
    observed: ObservedBatch
    epochs: np.ndarray
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    read: int = 0  # bytes of the file read for it


def observe_chunk(chunk: Chunk, parse: Parse) -> tuple[ObservedBatch, list[tuple[int, str]]]:
    """Parse and observe numbered lines: the batch, and the rejected (line, reason)."""
    batch, rejected = observe_records([line for _, line in chunk], parse)
    lines = [number for number, _ in chunk]
    kept = np.delete(np.array(lines, dtype=np.int64), [i for i, _ in rejected])
    numbers = batch.columns().copy() if len(batch) else None
    if numbers is not None:  # the line number travels as the offset: where to look
        numbers[COLUMN["offset"]] = kept
        batch = ObservedBatch(batch.accounts, batch.event_ids, batch.models, batch.link_sets,
                              numbers.tobytes(), batch.hashes)  # fmt: skip
    return batch, [(lines[i], reason) for i, reason in rejected]


def _chunks(path: Path, size: int) -> Iterator[Chunk]:
    lines = iter_lines(path)
    first = list(islice(lines, max(size, _FIRST_CHUNK)))
    if first:
        yield first
    while chunk := list(islice(lines, size)):
        yield chunk


def _observe_file(
    path: Path, size: int, parse: Parse, out: Queue[Encoded | BaseException | None]
) -> None:
    """The child process: read, parse and observe the file, chunk by chunk, into ``out``."""
    try:
        for chunk in _chunks(path, size):
            batch, rejected = observe_chunk(chunk, parse)
            out.put((encode_batch(batch), rejected, sum(len(line) for _, line in chunk)))
        out.put(None)
    except BaseException as error:  # handed to the parent, raised there
        out.put(error)


def _observed(
    path: Path, size: int, parse: Parse, in_child: bool
) -> Iterator[tuple[ObservedBatch, list[tuple[int, str]], int]]:
    """Observed chunks of the file in order, read and parsed here or in one child process.

    One child is the most that helps: a gzip stream is read sequentially, and the
    parent's stateful half then runs beside it on the other core."""
    if not in_child:
        for chunk in _chunks(path, size):
            batch, rejected = observe_chunk(chunk, parse)
            yield batch, rejected, sum(len(line) for _, line in chunk)
        return
    # fork where it is safe (Linux): the child starts at once, without re-importing.
    context = (
        multiprocessing.get_context("fork")
        if sys.platform == "linux"
        else multiprocessing.get_context("spawn")
    )
    # Bounded: the file is never read whole into memory.
    chunks: Queue[Encoded | BaseException | None] = context.Queue(maxsize=8)
    child = context.Process(target=_observe_file, args=(path, size, parse, chunks), daemon=True)
    child.start()
    try:
        while (item := chunks.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            encoded, rejected, read = item
            yield decode_batch(encoded), rejected, read
    finally:
        child.join(timeout=1)
        if child.is_alive():
            child.terminate()


class FileSource:
    def __init__(
        self,
        path: Path,
        parse: Parse,
        clock: EventClock,
        batch_size: int = 1000,
        partitions: int = 1,
        in_child: bool = True,
    ) -> None:
        self.path = path
        self.parse = parse
        self.clock = clock
        self.batch_size = batch_size
        self.partitions = partitions
        self.in_child = in_child
        self.epochs = PartitionEpochs(clock.epoch_s)
        self._partition_of: dict[str, int] = {}
        self._waiting = Waiting()
        self._newest: dict[int, int] = {}  # per partition, the epoch of its newest event

    @classmethod
    def from_settings(cls, path: Path, settings: Settings) -> FileSource:
        """The source ``detect`` reads a file with: the settings' record format, clock,
        batch size and partitions."""
        return cls(
            path,
            parser(settings.input_format, settings.account_from, settings.trusted_proxies),
            EventClock(settings.future_skew_s, settings.max_lateness_s, settings.epoch_s),
            settings.batch_size,
            settings.partitions,
            settings.parse_in_child,
        )

    def _partition(self, account: str) -> int:
        found = self._partition_of.get(account)
        if found is None:
            key = account.encode("utf-8", "surrogatepass")
            found = (murmur2(key) & 0x7FFFFFFF) % self.partitions if self.partitions > 1 else -1
            self._partition_of[account] = found
        return found

    def batches(self) -> Iterator[FileBatch]:
        for batch, rejected, read in _observed(self.path, self.batch_size, self.parse,
                                               self.in_child):  # fmt: skip
            fresh, epochs = self._timely(batch, rejected)
            yield self._release(fresh, epochs, rejected, read, final=False)
        yield self._release(EMPTY, np.empty(0, dtype=np.int64), [], 0, final=True)

    def _timely(
        self, batch: ObservedBatch, rejected: list[tuple[int, str]]
    ) -> tuple[ObservedBatch, np.ndarray]:
        """The batch's events the event clock accepts, with their partitions and epochs."""
        if not len(batch):
            return batch, np.empty(0, dtype=np.int64)
        columns = batch.columns().copy()
        columns[COLUMN["partition"]] = [self._partition(a) for a in batch.accounts]
        batch = ObservedBatch(batch.accounts, batch.event_ids, batch.models, batch.link_sets,
                              columns.tobytes(), batch.hashes)  # fmt: skip
        refused = self.clock.check(columns[COLUMN["ts"]], columns[COLUMN["partition"]])
        if refused:
            lines = columns[COLUMN["offset"]].astype(np.int64)
            rejected += [(int(lines[i]), reason) for i, reason in refused]
            keep = np.ones(len(batch), dtype=bool)
            keep[[i for i, _ in refused]] = False
            batch = batch.take(np.flatnonzero(keep))
            columns = batch.columns()
        epochs = self.epochs.assign(columns[COLUMN["ts"]], columns[COLUMN["partition"]])
        for p, epoch in zip(columns[COLUMN["partition"]].astype(np.int64).tolist(),
                            epochs.tolist(), strict=True):  # fmt: skip
            self._newest[p] = epoch
        return batch, epochs

    def _release(
        self, fresh: ObservedBatch, epochs: np.ndarray, rejected: list[tuple[int, str]],
        read: int, final: bool,
    ) -> FileBatch:  # fmt: skip
        """What the watermark lets through: events of epochs every partition has reached
        (all of them at the end of the file), in epoch order, each partition in file order."""
        self._waiting.add(fresh, epochs)
        if final or self.partitions <= 1:
            watermark = ALL_IDLE
        else:
            seen = [self._newest.get(p) for p in range(self.partitions)]
            watermark = min(s for s in seen if s is not None) if None not in seen else NEVER
        batch, epochs = self._waiting.release(watermark)
        order = np.argsort(epochs, kind="stable")
        in_place = bool(np.all(np.diff(order) > 0))
        return FileBatch(batch if in_place else batch.take(order), epochs[order], rejected, read)
