"""Event time that can be trusted: which events are too far from their stream's time.

Windows, scoring points and epochs all run on an event's ``ts``. One event from
a gateway with a broken clock (the year 2200) would otherwise move an account's
windows past every later event, and one replayed from last month would land in
no window. The rule, the same for every source:

- *ahead*: an event more than ``future_skew_s`` ahead of a real clock is refused
  (dead-lettered with its reason, or rejected per record on push): the Kafka
  record's own timestamp (the producer's or the broker's clock), the server
  clock for a push. A file has no clock beside its events: there an event more
  than ``max_jump_s`` (a day) ahead of its partition's newest accepted epoch is
  refused, the newest starting at the median of the first events, so that a bad
  first line cannot poison it;
- *late*: an event more than ``max_lateness_s`` behind its partition's newest
  accepted epoch is refused too. Anything less late is counted: in its
  account's windows by its own time (a window never moves backwards) and in
  cross-account sums in its partition's open epoch (service/watermark.py).

Both are judged in epochs against the partition's newest accepted epoch, which
is kept with the partition's marks: refusals depend on the partition's own
order only, not on batches, restarts or which worker reads it.
"""

from __future__ import annotations

import numpy as np

AHEAD = "ts: ahead of its stream's time by more than the allowed skew"
LATE = "ts: behind its partition's event time by more than the allowed lateness"
_START_EVENTS = 101  # a file's reference starts at the median of this many first events


class EventClock:
    """Per partition, the newest accepted epoch; which new events to refuse."""

    def __init__(
        self,
        future_skew_s: float,
        max_lateness_s: float,
        epoch_s: int,
        max_jump_s: float = 86400.0,
    ) -> None:
        self.future_skew_s = future_skew_s
        self.epoch_s = epoch_s
        self.late_epochs = int(max_lateness_s // epoch_s)
        self.jump_epochs = int(max_jump_s // epoch_s)
        self.newest: dict[int, int] = {}

    def check(
        self, ts: np.ndarray, partitions: np.ndarray, reference: np.ndarray | None = None
    ) -> list[tuple[int, str]]:
        """The (index, reason) of each event to refuse, in order; ``reference`` is each
        event's own clock (the record's timestamp, the server's; 0 or less for none)."""
        refused: list[tuple[int, str]] = []
        values = ts.tolist()
        epochs = (ts // self.epoch_s).astype(np.int64).tolist()
        parts = partitions.astype(np.int64).tolist()
        refs = reference.tolist() if reference is not None else [0.0] * len(values)
        newest = self.newest
        for i, t in enumerate(values):
            partition, epoch = parts[i], epochs[i]
            seen = newest.get(partition)
            if refs[i] > 0:
                ahead = t > refs[i] + self.future_skew_s
            else:
                if seen is None:
                    seen = newest[partition] = _start(epochs, parts, partition)
                ahead = epoch > seen + self.jump_epochs
            if ahead:
                refused.append((i, AHEAD))
            elif seen is not None and epoch < seen - self.late_epochs:
                refused.append((i, LATE))
            elif seen is None or epoch > seen:
                newest[partition] = epoch
        return refused


def _start(epochs: list[int], parts: list[int], partition: int) -> int:
    """A file's starting reference: the median epoch of its partition's first events."""
    mine = [e for e, p in zip(epochs, parts, strict=True) if p == partition][:_START_EVENTS]
    return int(np.median(mine))
