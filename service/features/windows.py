"""Per-account windows in event time: a minute and an hour of requests, a day of everything.

Each horizon keeps two tumbling buckets, the current and the previous one, and a
sliding value is read as ``current + previous * (1 - elapsed share of the
current bucket)``: the sliding-window approximation used by rate limiters. It
costs two buckets per horizon instead of a ring of sixty, so an active account
stays at a couple of kilobytes.

The minute and the hour count requests only (rates); the day keeps every
counter of :data:`COUNTERS`, the distinct-count sketches of :data:`DISTINCT`,
requests per model and the account's commonest prompt skeletons. Windows are
updated a *segment* at a time: the sums of an account's consecutive events
within one minute (see service/pipeline.py), never one event at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from service.features import sketch

MINUTE_S, HOUR_S, DAY_S = 60, 3600, 86400
COUNTERS: tuple[str, ...] = (
    "requests", "prompt_tokens", "completion_tokens", "reasoning_tokens", "reasoning_requests",
    "errors", "near_max", "single_turn", "multi_choice", "logprobs",
    # What the prompts ask for: phrase flags, then cues (service.features.content).
    "cot", "trace", "rubric", "elicit", "complete", "grade", "format", "code", "math",
    # What was taken away: answers by length, reasoning answers, probes.
    "long", "harvest", "trace_harvest", "probe", "reproducible", "stream", "system",
    # Inter-arrival times, for regularity (the coefficient of variation).
    "gap_count", "gap_sum", "gap_sq_sum",
)  # fmt: skip
DISTINCT: tuple[str, ...] = ("prompts", "heads", "tails", "client_ips", "api_keys")
INDEX = {name: i for i, name in enumerate(COUNTERS)}
M = len(COUNTERS)
K = len(DISTINCT)
BLOCK = K * sketch.REGISTERS  # one bucket's sketches
MAX_MODELS = 8
OTHER_MODEL = "(other)"
MAX_SKELETONS = 8  # Misra-Gries counters kept per account
# A skeleton is counted from its second sighting of the day: a bit per key (its hash's low
# bits) in a doorkeeper that the day clears, and that starts again when half its bits are set
# (about 350 keys: a busy account's doorkeeper remembers its last few hundred). Most keys are
# a payload's opening or closing words, seen once; let in, they would wear the counters of
# the templates down (Misra-Gries loses up to 1/(k+1) of all keys counted), until a farm's
# rotating templates never link.
DOORKEEPER_BITS = 512


def _weights(bucket: int, width: int, now: float) -> tuple[float, float]:
    """Weights of the current and previous bucket for a window of ``width`` ending now."""
    current = int(now // width)
    elapsed = (now - current * width) / width
    if current == bucket:
        return 1.0, 1.0 - elapsed
    if current == bucket + 1:
        return 1.0 - elapsed, 0.0
    return 0.0, 0.0


@dataclass(slots=True)
class Rate:
    """Requests in a horizon: two buckets."""

    bucket: int = -2
    current: float = 0.0
    previous: float = 0.0

    def add(self, bucket: int, n: float) -> None:
        if bucket == self.bucket:
            self.current += n
        elif bucket == self.bucket - 1:
            self.previous += n
        elif bucket > self.bucket:
            self.previous = self.current if bucket == self.bucket + 1 else 0.0
            self.current, self.bucket = n, bucket

    def at(self, width: int, now: float) -> float:
        w_cur, w_prev = _weights(self.bucket, width, now)
        return w_cur * self.current + w_prev * self.previous


@dataclass(slots=True)
class AccountWindows:
    """Event-time windows of one account."""

    day: int = -2  # the current day bucket
    counters: list[float] = field(default_factory=lambda: [0.0] * (2 * M))  # current, previous
    sketches: bytearray = field(default_factory=lambda: bytearray(2 * BLOCK))
    models: dict[str, list[float]] = field(default_factory=dict)  # [current, previous]
    languages: list[int] = field(default_factory=lambda: [0, 0])  # bit masks, current, previous
    skeletons: dict[int, float] = field(default_factory=dict)  # Misra-Gries over the day
    minute: Rate = field(default_factory=Rate)
    hour: Rate = field(default_factory=Rate)
    last_ts: float = -1.0
    seen: int = 0  # the skeletons' doorkeeper, a bitset: one bit per key seen lately today

    def _day_slot(self, ts: float) -> int:
        """Rotate the day to ``ts`` if it moved on: 0 (current), 1 (previous) or -1 (too old)."""
        bucket = int(ts // DAY_S)
        if bucket == self.day:
            return 0
        if bucket == self.day - 1:
            return 1
        if bucket < self.day:
            return -1
        moved = bucket == self.day + 1
        c = self.counters
        c[M:] = c[:M] if moved else [0.0] * M
        c[:M] = [0.0] * M
        s = self.sketches
        s[BLOCK:] = s[:BLOCK] if moved else bytes(BLOCK)
        s[:BLOCK] = bytes(BLOCK)
        for counts in self.models.values():
            counts[1], counts[0] = (counts[0] if moved else 0.0), 0.0
        self.languages = [0, self.languages[0] if moved else 0]
        # A new day halves what the skeleton counters remember of the old ones.
        self.skeletons = {k: v / 2 for k, v in self.skeletons.items() if v >= 2}
        self.seen = 0
        self.day = bucket
        return 0

    def add(
        self,
        first_ts: float,
        last_ts: float,
        sums: Sequence[float],
        registers: np.ndarray | None,
        models: dict[str, int],
        languages: int,
        skeletons: Iterable[tuple[int, int]],
    ) -> None:
        """Count one segment: an account's consecutive events within one minute bucket.

        ``sums`` are the segment's sums of every counter, ``registers`` the highest rank of
        each sketch register (BLOCK bytes), ``models`` its requests per model, ``languages``
        the bit mask of the languages it asked for reasoning in."""
        n = sums[0]
        self.minute.add(int(first_ts // MINUTE_S), n)
        self.hour.add(int(first_ts // HOUR_S), n)
        if last_ts > self.last_ts:
            self.last_ts = last_ts
        slot = self._day_slot(first_ts)
        if slot < 0:
            return
        base = slot * M
        c = self.counters
        for i, value in enumerate(sums):
            if value:
                c[base + i] += value
        if registers is not None:
            view = np.frombuffer(self.sketches, dtype=np.uint8)[slot * BLOCK : (slot + 1) * BLOCK]
            np.maximum(view, registers, out=view)
        for model, count in models.items():
            self._model_counts(model)[slot] += count
        self.languages[slot] |= languages
        self._count_skeletons(skeletons)

    def _model_counts(self, model: str) -> list[float]:
        counts = self.models.get(model)
        if counts is None:
            # Bounded: an account cycling through model names cannot grow its state.
            if len(self.models) >= MAX_MODELS - 1 and model != OTHER_MODEL:
                return self._model_counts(OTHER_MODEL)
            counts = self.models[model] = [0.0, 0.0]
        return counts

    def _count_skeletons(self, found: Iterable[tuple[int, int]]) -> None:
        """Misra-Gries: the few skeletons an account repeats most, in bounded space, each
        counted from its second sighting of the day (``DOORKEEPER_BITS``)."""
        counts = self.skeletons
        for key, n in found:
            bit = 1 << (key % DOORKEEPER_BITS)
            if key not in counts and not self.seen & bit:
                # Half full, the doorkeeper starts again: a busy account's day of one-off
                # keys would otherwise set every bit and let them all in.
                if self.seen.bit_count() >= DOORKEEPER_BITS // 2:
                    self.seen = 0
                n -= 1
            self.seen |= bit
            if n <= 0:
                continue
            if key in counts or len(counts) < MAX_SKELETONS:
                counts[key] = counts.get(key, 0.0) + n
                continue
            least = min(min(counts.values()), float(n))
            for other in list(counts):
                counts[other] -= least
                if counts[other] <= 0:
                    del counts[other]
            if n > least:
                counts[key] = n - least

    def day_counters(self, now: float) -> list[float]:
        """Sliding value of every counter over the day ending ``now``."""
        w_cur, w_prev = _weights(self.day, DAY_S, now)
        c = self.counters
        return [w_cur * c[i] + w_prev * c[M + i] for i in range(M)]

    def day_requests(self, now: float) -> float:
        w_cur, w_prev = _weights(self.day, DAY_S, now)
        return w_cur * self.counters[0] + w_prev * self.counters[M]

    def distinct(self, name: str, now: float) -> float:
        """Estimated distinct values of ``name`` over the day ending ``now``."""
        w_cur, w_prev = _weights(self.day, DAY_S, now)
        k = DISTINCT.index(name) * sketch.REGISTERS
        cur = sketch.estimate(self.sketches, k) if w_cur else 0.0
        prev = sketch.estimate(self.sketches, BLOCK + k) if w_prev else 0.0
        return w_cur * cur + w_prev * prev

    def languages_at(self, now: float) -> int:
        """How many languages reasoning was asked for in over the day (both buckets)."""
        w_cur, w_prev = _weights(self.day, DAY_S, now)
        mask = (self.languages[0] if w_cur else 0) | (self.languages[1] if w_prev else 0)
        return mask.bit_count()

    def model_mix(self, now: float) -> dict[str, float]:
        """Sliding request count per model over the day."""
        w_cur, w_prev = _weights(self.day, DAY_S, now)
        mix = {m: w_cur * c[0] + w_prev * c[1] for m, c in self.models.items()}
        return {m: v for m, v in mix.items() if v > 0}

    def top_skeleton(self) -> tuple[int, float]:
        """The skeleton this account repeats most, and its (lower-bound) count; (0, 0) if none."""
        if not self.skeletons:
            return 0, 0.0
        key = max(self.skeletons, key=lambda k: (self.skeletons[k], k))
        return key, self.skeletons[key]
