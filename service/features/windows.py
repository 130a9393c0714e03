"""Per-account windows in event time at three horizons: a minute, an hour, a day.

Each horizon keeps two tumbling buckets, the current and the previous one, and a
sliding value is read as ``current + previous * (1 - elapsed share of the
current bucket)``: the sliding-window approximation used by rate limiters. It
costs two buckets per horizon instead of a ring of sixty, so an active account
stays at a couple of kilobytes, and an event adds in O(1).

Counters live in one flat list of floats and distinct-count sketches in one
``bytearray``; the store writes both as raw bytes. A list rather than an
``array('d')``: every event adds to two dozen counters, and CPython indexes a
list in the interpreter loop, while each ``array`` store parses its argument
like a function call (a fifth of the cost of an event's windows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from service.features import content, sketch
from service.features.observation import Observation

HORIZONS: tuple[int, ...] = (60, 3600, 86400)
_MINUTE_S, _HOUR_S, _DAY_S = HORIZONS
_CURRENT_SLOTS = (0, 2, 4)  # the slot of each horizon's current bucket
_DAY = 2

COUNTERS: tuple[str, ...] = (
    "requests",
    "prompt_tokens",
    "completion_tokens",
    "reasoning_tokens",
    "errors",
    "length_finishes",
    "single_turn",
    "multi_choice",
    "logprobs",
    # What the prompts ask for (service.features.content flags).
    "cot",
    "harvest",
    "trace_harvest",
    "rubric",
    "probe",
    "reproducible",
    # Bitmask of the languages reasoning was asked for in (an OR, not a sum).
    "cot_languages",
    # Inter-arrival times, for regularity (the coefficient of variation).
    "gap_count",
    "gap_sum",
    "gap_sq_sum",
)
DISTINCT: tuple[str, ...] = ("prompts", "templates", "client_ips", "api_keys")
MAX_MODELS = 8
OTHER_MODEL = "(other)"

_M = len(COUNTERS)
_INDEX = {name: i for i, name in enumerate(COUNTERS)}
(
    _REASONING, _ERRORS, _LENGTH, _SINGLE, _MULTI, _LOGPROBS,
    _COT, _HARVEST, _TRACE_HARVEST, _RUBRIC, _PROBE, _REPRODUCIBLE, _COT_LANGUAGES,
    _GAPS, _GAP_SUM, _GAP_SQ,
) = (COUNTERS.index(name) for name in COUNTERS[3:])  # fmt: skip
_CONTENT_COUNTERS = ((content.COT, _COT), (content.HARVEST, _HARVEST),
                     (content.TRACE_HARVEST, _TRACE_HARVEST), (content.RUBRIC, _RUBRIC),
                     (content.PROBE, _PROBE), (content.REPRODUCIBLE, _REPRODUCIBLE))  # fmt: skip
# The counter increments of every combination of content flags, looked up per event.
_CONTENT_MASK = max(flag for flag, _ in _CONTENT_COUNTERS) * 2 - 1
_CONTENT_INCREMENTS = [
    [(i, 1.0) for flag, i in _CONTENT_COUNTERS if flags & flag]
    for flags in range(_CONTENT_MASK + 1)
]
_K = len(DISTINCT)
_SLOTS = 2 * len(HORIZONS)
COUNTER_SIZE = _SLOTS * _M
SKETCH_SIZE = _SLOTS * _K * sketch.REGISTERS
_ZERO_COUNTERS = [0.0] * _M
_ZERO_SKETCHES = bytes(_K * sketch.REGISTERS)
_SKETCH_BLOCK = _K * sketch.REGISTERS
# A gap longer than this is a pause, not an inter-arrival time of one burst of work.
MAX_GAP_S = 3600.0


def _new_counters() -> list[float]:
    return [0.0] * COUNTER_SIZE


@dataclass(slots=True)
class AccountWindows:
    """Event-time windows of one account. ``buckets[h]`` is the current bucket index."""

    buckets: list[int] = field(default_factory=lambda: [-2] * len(HORIZONS))
    counters: list[float] = field(default_factory=_new_counters)
    sketches: bytearray = field(default_factory=lambda: bytearray(SKETCH_SIZE))
    models: dict[str, list[float]] = field(default_factory=dict)
    last_ts: float = -1.0

    def _slot_for(self, h: int, ts: float) -> int:
        """Rotate horizon ``h`` to ``ts`` if it moved on; the slot to add to, or -1 if too old."""
        bucket = int(ts // HORIZONS[h])
        current = self.buckets[h]
        if bucket == current:
            return 2 * h
        if bucket == current - 1:
            return 2 * h + 1
        if bucket < current:
            return -1
        cur, prev = 2 * h * _M, (2 * h + 1) * _M
        scur, sprev = 2 * h * _SKETCH_BLOCK, (2 * h + 1) * _SKETCH_BLOCK
        if bucket == current + 1:
            self.counters[prev : prev + _M] = self.counters[cur : cur + _M]
            self.sketches[sprev : sprev + _SKETCH_BLOCK] = self.sketches[
                scur : scur + _SKETCH_BLOCK
            ]
        else:
            self.counters[prev : prev + _M] = _ZERO_COUNTERS
            self.sketches[sprev : sprev + _SKETCH_BLOCK] = _ZERO_SKETCHES
        self.counters[cur : cur + _M] = _ZERO_COUNTERS
        self.sketches[scur : scur + _SKETCH_BLOCK] = _ZERO_SKETCHES
        for counts in self.models.values():
            counts[2 * h + 1] = counts[2 * h] if bucket == current + 1 else 0.0
            counts[2 * h] = 0.0
        self.buckets[h] = bucket
        return 2 * h

    def add(self, obs: Observation) -> None:
        """Count one request into every horizon whose buckets still cover its ``ts``."""
        ts = obs.ts
        last = self.last_ts
        gap = ts - last if 0.0 <= last <= ts else -1.0
        if ts > last:
            self.last_ts = ts
        # (index, value) of the counters this request adds to; the rarely non-zero ones
        # are left out when they are zero.
        increments: list[tuple[int, float]] = [
            (0, 1.0), (1, obs.prompt_tokens), (2, obs.completion_tokens),
        ]  # fmt: skip
        if obs.reasoning_tokens:
            increments.append((_REASONING, obs.reasoning_tokens))
        if obs.error:
            increments.append((_ERRORS, 1.0))
        if obs.truncated:
            increments.append((_LENGTH, 1.0))
        if obs.single_turn:
            increments.append((_SINGLE, 1.0))
        if obs.choices > 1:
            increments.append((_MULTI, 1.0))
        if obs.logprobs:
            increments.append((_LOGPROBS, 1.0))
        flags = obs.content
        if flags:
            increments += _CONTENT_INCREMENTS[flags & _CONTENT_MASK]
        language_bit = 1 << obs.language if flags & content.COT and obs.language >= 0 else 0
        if 0.0 <= gap <= MAX_GAP_S:
            increments += ((_GAPS, 1.0), (_GAP_SUM, gap), (_GAP_SQ, gap * gap))
        # The same registers in every horizon's buckets, in the order of DISTINCT.
        registers = sketch.sketch_updates(obs.prompt_fp, obs.template_fp, obs.ip_hash, obs.key_hash)
        model_counts = self.models.get(obs.model) or self._model_counts(obs.model)
        buckets = self.buckets
        if not (
            int(ts // _MINUTE_S) == buckets[0]
            and int(ts // _HOUR_S) == buckets[1]
            and int(ts // _DAY_S) == buckets[2]
        ):
            # A newer request rotates every horizon and then falls in the current buckets;
            # only a late one falls in a previous bucket (or none) somewhere.
            slots = tuple(
                2 * h if int(ts // width) == buckets[h] else self._slot_for(h, ts)
                for h, width in enumerate(HORIZONS)
            )
            if slots != _CURRENT_SLOTS:
                self._add_late(slots, increments, registers, language_bit, model_counts)
                return
        self._add_current(increments, registers, language_bit)
        model_counts[0] += 1.0
        model_counts[2] += 1.0
        model_counts[4] += 1.0

    def _add_late(
        self,
        slots: tuple[int, ...],
        increments: list[tuple[int, float]],
        registers: list[tuple[int, int]],
        bit: int,
        model_counts: list[float],
    ) -> None:
        """:meth:`add` for a late request: into each horizon's slot, if it has one."""
        counters, sketches = self.counters, self.sketches
        for slot in slots:
            if slot < 0:
                continue
            base = slot * _M
            for i, value in increments:
                counters[base + i] += value
            if bit:
                mask = base + _COT_LANGUAGES
                counters[mask] = float(int(counters[mask]) | bit)
            sbase = slot * _SKETCH_BLOCK
            for register, rank in registers:
                if rank > sketches[sbase + register]:
                    sketches[sbase + register] = rank
            model_counts[slot] += 1.0

    def _add_current(
        self, increments: list[tuple[int, float]], registers: list[tuple[int, int]], bit: int
    ) -> None:
        """The common case of :meth:`add`: the request falls in every horizon's current bucket.

        Each counter still gets one addition per horizon, so the sums are the same to the
        last bit. The current buckets nest (the current minute lies in the current hour,
        which lies in the current day), so each sketch register of the minute is at most
        the hour's, which is at most the day's: a rank that does not raise the minute's
        register cannot raise the longer ones, and most ranks (a repeated address, key or
        template) stop there."""
        counters, sketches = self.counters, self.sketches
        hour, day = _CURRENT_SLOTS[1] * _M, _CURRENT_SLOTS[2] * _M
        for i, value in increments:
            counters[i] += value
            counters[hour + i] += value
            counters[day + i] += value
        if bit:
            for mask in (_COT_LANGUAGES, hour + _COT_LANGUAGES, day + _COT_LANGUAGES):
                counters[mask] = float(int(counters[mask]) | bit)
        shour, sday = _CURRENT_SLOTS[1] * _SKETCH_BLOCK, _CURRENT_SLOTS[2] * _SKETCH_BLOCK
        for register, rank in registers:
            if rank > sketches[register]:
                sketches[register] = rank
                if rank > sketches[shour + register]:
                    sketches[shour + register] = rank
                    if rank > sketches[sday + register]:
                        sketches[sday + register] = rank

    def _model_counts(self, model: str) -> list[float]:
        counts = self.models.get(model)
        if counts is None:
            # Bounded: an account cycling through model names cannot grow its state.
            if len(self.models) >= MAX_MODELS - 1 and model != OTHER_MODEL:
                return self._model_counts(OTHER_MODEL)
            counts = self.models[model] = [0.0] * _SLOTS
        return counts

    def _weights(self, h: int, now: float) -> tuple[float, float]:
        """Weights of the current and previous bucket of horizon ``h`` for a window ending now."""
        width = HORIZONS[h]
        bucket = int(now // width)
        elapsed = (now - bucket * width) / width
        current = self.buckets[h]
        if bucket == current:
            return 1.0, 1.0 - elapsed
        if bucket == current + 1:
            return 1.0 - elapsed, 0.0
        return 0.0, 0.0

    def counters_at(
        self, h: int, now: float, names: tuple[str, ...] = COUNTERS
    ) -> dict[str, float]:
        """Sliding value of each of ``names`` (every counter) over horizon ``h`` ending at
        ``now``: a scoring reads a third of them."""
        w_cur, w_prev = self._weights(h, now)
        c = self.counters
        cur, prev = 2 * h * _M, (2 * h + 1) * _M
        index = _INDEX
        return {
            name: w_cur * c[cur + index[name]] + w_prev * c[prev + index[name]] for name in names
        }

    def counter(self, name: str, h: int, now: float) -> float:
        """Sliding value of counter ``name`` over horizon ``h`` ending at ``now``."""
        w_cur, w_prev = self._weights(h, now)
        i = COUNTERS.index(name)
        return w_cur * self.counters[2 * h * _M + i] + w_prev * self.counters[(2 * h + 1) * _M + i]

    def distinct(self, name: str, h: int, now: float) -> float:
        """Estimated distinct values of ``name`` over horizon ``h`` ending at ``now``."""
        w_cur, w_prev = self._weights(h, now)
        k = DISTINCT.index(name) * sketch.REGISTERS
        cur = sketch.estimate(self.sketches, 2 * h * _SKETCH_BLOCK + k) if w_cur else 0.0
        prev = sketch.estimate(self.sketches, (2 * h + 1) * _SKETCH_BLOCK + k) if w_prev else 0.0
        return w_cur * cur + w_prev * prev

    def profile(self, now: float) -> tuple[float, float, float, float, float]:
        """Day-window requests and harvesting counts, in service.state.links' order:
        requests, trace harvest, harvest, rubric, probe (cheaper than a full read)."""
        w_cur, w_prev = self._weights(_DAY, now)
        c, cur, prev = self.counters, 2 * _DAY * _M, (2 * _DAY + 1) * _M
        return (
            w_cur * c[cur] + w_prev * c[prev],
            w_cur * c[cur + _TRACE_HARVEST] + w_prev * c[prev + _TRACE_HARVEST],
            w_cur * c[cur + _HARVEST] + w_prev * c[prev + _HARVEST],
            w_cur * c[cur + _RUBRIC] + w_prev * c[prev + _RUBRIC],
            w_cur * c[cur + _PROBE] + w_prev * c[prev + _PROBE],
        )

    def cot_languages(self, h: int, now: float) -> int:
        """How many languages reasoning was asked for in over horizon ``h`` (both buckets)."""
        w_cur, w_prev = self._weights(h, now)
        mask = int(self.counters[2 * h * _M + _COT_LANGUAGES]) if w_cur else 0
        if w_prev:
            mask |= int(self.counters[(2 * h + 1) * _M + _COT_LANGUAGES])
        return mask.bit_count()

    def model_mix(self, h: int, now: float) -> dict[str, float]:
        """Sliding request count per model over horizon ``h``."""
        w_cur, w_prev = self._weights(h, now)
        mix = {m: w_cur * c[2 * h] + w_prev * c[2 * h + 1] for m, c in self.models.items()}
        return {m: v for m, v in mix.items() if v > 0}
