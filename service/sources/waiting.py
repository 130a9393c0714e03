"""Records read ahead of the watermark, kept in the order they were read, poll by poll.

Both sources hold records back this way: the Kafka source for other partitions' marks,
the file source (``detect`` with several partitions) until every partition has reached
an epoch.

A worker holding records for other workers' marks keeps up to a hundred thousand
of them while the watermark moves an epoch at a time. Kept as one batch, every
poll that brought a few hundred more, and every epoch released, copied all of
them (three workers on six partitions then spent most of their CPU copying).
Kept as the polls that brought them, a poll is appended as it is, and a release
touches only the polls that hold a released record: the oldest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.features.observation import COLUMN, EMPTY, ObservedBatch, concat


@dataclass(slots=True)
class _Poll:
    batch: ObservedBatch
    epochs: np.ndarray
    partitions: np.ndarray
    lowest: int  # its lowest epoch: nothing of it is ready below this
    firsts: dict[int, tuple[int, int]]  # per partition: epoch and offset of its first

    @classmethod
    def of(cls, batch: ObservedBatch, epochs: np.ndarray) -> _Poll:
        columns = batch.columns()
        partitions = columns[COLUMN["partition"]].astype(np.int64)
        offsets = columns[COLUMN["offset"]].astype(np.int64)
        found, indexes = np.unique(partitions, return_index=True)
        firsts = {
            p: (int(epochs[i]), int(offsets[i]))
            for p, i in zip(found.tolist(), indexes.tolist(), strict=True)
        }
        return cls(batch, epochs, partitions, int(epochs.min()), firsts)

    def take(self, rows: np.ndarray) -> _Poll:
        return _Poll.of(self.batch.take(rows), self.epochs[rows])


class Waiting:
    """The records waiting for the watermark, oldest poll first."""

    def __init__(self) -> None:
        self._polls: list[_Poll] = []
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, batch: ObservedBatch, epochs: np.ndarray) -> None:
        if len(batch):
            self._polls.append(_Poll.of(batch, epochs))
            self._count += len(batch)

    def release(self, watermark: int) -> tuple[ObservedBatch, np.ndarray]:
        """The records the watermark has reached, in the order they were read; the rest
        stay."""
        ready: list[_Poll] = []
        kept: list[_Poll] = []
        for poll in self._polls:
            if poll.lowest > watermark:
                kept.append(poll)
                continue
            mask = poll.epochs <= watermark
            if mask.all():
                ready.append(poll)
            else:
                ready.append(poll.take(np.flatnonzero(mask)))
                kept.append(poll.take(np.flatnonzero(~mask)))
        if not ready:
            return EMPTY, np.empty(0, dtype=np.int64)
        self._polls = kept
        self._count = sum(len(p.batch) for p in kept)
        return concat([p.batch for p in ready]), np.concatenate([p.epochs for p in ready])

    def firsts(self) -> dict[int, tuple[int, int]]:
        """Per partition with records waiting: the epoch and the offset of its first."""
        found: dict[int, tuple[int, int]] = {}
        for poll in self._polls:
            for p, first in poll.firsts.items():
                found.setdefault(p, first)
        return found

    def drop(self, partitions: list[int]) -> dict[int, int]:
        """Forget the records of these partitions; per partition, the offset of its first."""
        first = {p: offset for p, (_, offset) in self.firsts().items() if p in partitions}
        kept = []
        for poll in self._polls:
            mine = np.isin(poll.partitions, partitions)
            if not mine.any():
                kept.append(poll)
            elif not mine.all():
                kept.append(poll.take(np.flatnonzero(~mine)))
        self._polls = kept
        self._count = sum(len(p.batch) for p in kept)
        return first
