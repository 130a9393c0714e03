"""Event-time epochs per partition: which epoch each event counts in across accounts.

An event's epoch is the larger of its own (``ts // 60``) and the newest epoch its
partition has already seen: a late event is counted in its account's windows at
once, by its own time, and in cross-account sums in its partition's open epoch.
A partition's epochs therefore never go back, which is what lets a shared
watermark say that an epoch is complete. Offline ``detect`` reads a file as
partitions the same way (one, or N by the producer's key hash), so a replay
assigns the epochs the workers assigned.
"""

from __future__ import annotations

import numpy as np

from service.scoring import EPOCH_S


class PartitionEpochs:
    """The newest epoch seen per partition, and each new event's epoch."""

    def __init__(self, newest: dict[int, int] | None = None) -> None:
        self.newest: dict[int, int] = dict(newest or {})

    def assign(self, ts: np.ndarray, partitions: np.ndarray) -> np.ndarray:
        """The epoch of each event, in order, partition by partition (a running maximum)."""
        own = (ts // EPOCH_S).astype(np.int64)
        out = np.empty_like(own)
        for partition in np.unique(partitions).tolist():
            mask = partitions == partition
            seen = self.newest.get(partition, np.iinfo(np.int64).min)
            running = np.maximum.accumulate(np.maximum(own[mask], seen))
            out[mask] = running
            self.newest[partition] = int(running[-1])
        return out
