"""Event-time epochs per partition: which epoch each event counts in across accounts.

An event's epoch is the larger of its own (``ts // HARVESTGUARD_EPOCH_S``) and the newest epoch its
partition has already seen: a late event is counted in its account's windows at
once, by its own time, and in cross-account sums in its partition's open epoch.
A partition's epochs therefore never go back, which is what lets a shared
watermark say that an epoch is complete. Offline ``detect`` reads a file as
partitions the same way (one, or N by the producer's key hash), so a replay
assigns the epochs the workers assigned.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from service.state.base import StoreUnavailable
from service.state.redis_client import ERRORS


class PartitionEpochs:
    """The newest epoch seen per partition, and each new event's epoch."""

    def __init__(self, epoch_s: int, newest: dict[int, int] | None = None) -> None:
        self.epoch_s = epoch_s
        self.newest: dict[int, int] = dict(newest or {})

    def assign(self, ts: np.ndarray, partitions: np.ndarray) -> np.ndarray:
        """The epoch of each event, in order, partition by partition (a running maximum)."""
        own = (ts // self.epoch_s).astype(np.int64)
        partitions = partitions.astype(np.int64)
        out = np.empty_like(own)
        for partition in np.unique(partitions).tolist():
            mask = partitions == partition
            seen = self.newest.get(partition, np.iinfo(np.int64).min)
            running = np.maximum.accumulate(np.maximum(own[mask], seen))
            out[mask] = running
            self.newest[partition] = int(running[-1])
        return out


# An owner publishes its partitions' idleness at every poll (about once a second): one
# not heard from for longer may be dead, and its partitions may hold records again.
_HEARD_S = 5.0
NEVER = -(2**62)  # the mark of a partition nobody has published for yet
ALL_IDLE = 2**62  # the watermark when every partition is idle


class Marks:
    """Per partition: its mark (every contribution of an earlier epoch is written), its
    newest epoch (where its epochs resume after a restart or a rebalance), since when
    (wall clock) it has had nothing to read, and when its owner last said so. The
    watermark is the lowest mark of the topic's partitions that are not idle (nothing to
    read for ``idle_s``, as an owner heard from lately says): every epoch below it is
    complete.

    In memory for one process; :class:`RedisMarks` shares them between workers."""

    def __init__(self, idle_s: float) -> None:
        self.idle_s = idle_s
        self._fields: dict[str, int] = {}

    def _write(self, fields: dict[str, int]) -> None:
        self._fields.update(fields)

    def _read(self) -> dict[str, int]:
        return dict(self._fields)

    def publish(
        self,
        marks: dict[int, int],
        idle_since: dict[int, float],
        newest: dict[int, int] | None = None,
    ) -> None:
        fields = {f"m:{p}": mark for p, mark in marks.items()}
        fields.update({f"c:{p}": int(since * 1000) for p, since in idle_since.items()})
        if idle_since:  # the owner is alive: a dead one's idle partitions stop counting idle
            heard = int(time.time() * 1000)
            fields.update({f"r:{p}": heard for p in idle_since})
        fields.update({f"n:{p}": epoch for p, epoch in (newest or {}).items()})
        if fields:
            self._write(fields)

    def newest(self, partitions: list[int]) -> dict[int, int]:
        fields = self._read()
        return {p: fields[f"n:{p}"] for p in partitions if f"n:{p}" in fields}

    def watermark(self, partitions: int, now: float, held: dict[int, int] | None = None) -> int:
        """The lowest mark among the topic's ``partitions`` that are not idle: the newest
        epoch a worker may process. Kept for readers outside the group (the API) as the
        last complete epoch's successor.

        ``held``: for the caller's own partitions, the newest epoch it has read, instead
        of their marks. Everything older is in its hands and is processed in order within
        its batch, so it need not wait for its own marks to move one epoch at a time."""
        fields = self._read()
        lowest = release = ALL_IDLE
        for p in range(partitions):
            since = fields.get(f"c:{p}", 0) / 1000.0
            heard = fields.get(f"r:{p}", 0) / 1000.0
            if since > 0 and now - since >= self.idle_s and now - heard <= _HEARD_S + self.idle_s:
                continue
            mark = fields.get(f"m:{p}", NEVER)
            lowest = min(lowest, mark)
            release = min(release, held[p] if held and p in held else mark)
        if NEVER < lowest < ALL_IDLE and lowest > fields.get("w", NEVER):
            self._write({"w": lowest})
        return release

    def complete(self) -> int | None:
        """The newest epoch every partition has completed, as a worker last saw it."""
        seen = self._read().get("w")
        return None if seen is None else seen - 1


class RedisMarks(Marks):
    """The marks in one Redis hash per topic, shared by every worker of the group."""

    def __init__(self, client: Any, key: str, idle_s: float) -> None:
        super().__init__(idle_s)
        self.client = client
        self.key = key

    def _write(self, fields: dict[str, int]) -> None:
        try:
            self.client.hset(self.key, mapping=fields)
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error

    def _read(self) -> dict[str, int]:
        try:
            raw = self.client.hgetall(self.key)
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error
        return {k.decode(): int(v) for k, v in raw.items()}
