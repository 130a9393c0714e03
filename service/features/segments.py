"""From a batch's observation columns to per-segment sums, with numpy.

A segment is an account's run of consecutive events, within one minute, up to
a scoring point (the pipeline cuts them). Everything a window counts is first
worked out per event over whole columns (:func:`increments`), then summed per
segment in one ``reduceat``; the sketches' registers are maxed per segment in
one ``maximum.at``. Python then touches each segment once, not each event.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from service.features import content, sketch
from service.features.observation import COLUMN, HASH, ObservedBatch
from service.features.windows import BLOCK, COUNTERS, DISTINCT, M

# Answer lengths between these count from nothing to fully as a long answer: a ramp, so
# a campaign capping its answers a little shorter scores a little lower, not nothing.
LONG_FROM, LONG_FULL = 150.0, 800.0
# Output-projection probing: tiny completions under a logit_bias of many entries.
PROBE_TOKENS = 8
PROBE_BIAS_FROM, PROBE_BIAS_FULL = 4.0, 40.0
# Or by its top_logprobs, from 3 to 10, counting this much at most: the top few alternatives
# are what calibration studies, classifiers' confidences and harnesses' log-likelihood
# scoring read by the thousand, while reading many tokens' logits takes a large bias. (A bias
# of a token or two, a binary search of one logit, is read by its top_logprobs only.)
PROBE_TOP_FROM, PROBE_TOP_FULL, PROBE_TOP_WEIGHT = 3.0, 10.0, 0.3
_SKETCHED = tuple(HASH[name] for name in ("prompt", "head", "tail", "ip", "key"))
assert len(_SKETCHED) == len(DISTINCT)


def _ramp(values: np.ndarray, low: float, high: float) -> np.ndarray:
    result: np.ndarray = np.clip((values - low) / (high - low), 0.0, 1.0)
    return result


def increments(batch: ObservedBatch) -> np.ndarray:
    """Each event's addition to every counter of :data:`COUNTERS`: float64 [M x n].

    The gap counters stay zero here: gaps need the account's previous event (pipeline)."""
    col = batch.columns()
    n = col.shape[1]
    out = np.zeros((M, n))
    flags = col[COLUMN["flags"]].astype(np.int64)
    completion = col[COLUMN["completion_tokens"]]
    max_tokens = col[COLUMN["max_tokens"]]
    elicit = col[COLUMN["elicit"]]
    # The whole trace demanded: a phrase that says so, or strong elicitation that also asks
    # for all of it (two specific stems and a completeness stem).
    complete = ((flags & content.TRACE) != 0) | (
        ((flags & content.COMPLETE) != 0) & (elicit >= 0.85)
    )
    long = _ramp(completion, LONG_FROM, LONG_FULL)
    bias = _ramp(col[COLUMN["logit_bias"]], PROBE_BIAS_FROM, PROBE_BIAS_FULL)
    top = PROBE_TOP_WEIGHT * _ramp(col[COLUMN["top_logprobs"]], PROBE_TOP_FROM, PROBE_TOP_FULL)
    near_max = (col[COLUMN["truncated"]] > 0) | (
        (max_tokens > 0) & (completion >= 0.95 * max_tokens)
    )
    values = {
        "requests": 1.0,
        "prompt_tokens": col[COLUMN["prompt_tokens"]],
        "completion_tokens": completion,
        "reasoning_tokens": col[COLUMN["reasoning_tokens"]],
        "reasoning_requests": col[COLUMN["reasoning_tokens"]] > 0,
        "errors": col[COLUMN["error"]],
        "near_max": near_max,
        "single_turn": col[COLUMN["single_turn"]],
        "multi_choice": col[COLUMN["choices"]] > 1,
        "logprobs": col[COLUMN["logprobs"]],
        "cot": (flags & content.COT) != 0,
        "trace": complete,
        "rubric": (flags & content.RUBRIC) != 0,
        "elicit": elicit,
        "complete": (flags & content.COMPLETE) != 0,
        "grade": (flags & (content.RUBRIC | content.GRADE)) != 0,
        "format": (flags & content.FORMAT) != 0,
        "code": (flags & content.CODE) != 0,
        "math": (flags & content.MATH) != 0,
        "long": long,
        # A reasoning answer counts for 40 % whatever its length, fully once it is long.
        "harvest": elicit * (0.4 + 0.6 * long),
        "trace_harvest": complete * elicit * (0.4 + 0.6 * long),
        "probe": np.maximum(bias, top) * (completion <= PROBE_TOKENS),
        "reproducible": col[COLUMN["reproducible"]],
        "stream": col[COLUMN["stream"]],
        "system": col[COLUMN["system"]],
    }
    for name, value in values.items():
        out[COUNTERS.index(name)] = value
    return out


def registers(batch: ObservedBatch) -> tuple[np.ndarray, np.ndarray]:
    """Per event and sketch: the register (0..BLOCK) its hash updates and the rank it offers;
    both [K x n]. A zero hash (no value) offers rank 0, which changes nothing."""
    hashes = batch.hash_columns()[list(_SKETCHED)]
    index = (hashes & np.uint64(sketch.REGISTERS - 1)).astype(np.int64)
    index += (np.arange(len(_SKETCHED)) * sketch.REGISTERS)[:, None]
    rest = hashes >> np.uint64(6)
    # bit_length of the rest, from the float exponent (exact but at 2^53 runs of ones).
    _, bits = np.frexp(rest.astype(np.float64))
    rank = (59 - bits).astype(np.uint8)
    rank[hashes == 0] = 0
    return index, rank


class Sums(NamedTuple):
    """Per segment: counter sums [S x M] as lists, and sketch registers [S x BLOCK]."""

    counters: list[list[float]]
    registers: np.ndarray


def segment_sums(
    increments: np.ndarray, order: np.ndarray, starts: np.ndarray, index: np.ndarray,
    rank: np.ndarray,
) -> Sums:  # fmt: skip
    """Sum the counters and max the registers of events grouped into segments: ``order``
    lists the events segment by segment, ``starts`` where each segment begins in it."""
    counters = np.add.reduceat(increments[:, order], starts, axis=1).T.tolist()
    segment_of = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(order))))
    regs = np.zeros((len(starts), BLOCK), dtype=np.uint8)
    rows = np.broadcast_to(segment_of, (index.shape[0], len(order)))
    np.maximum.at(regs, (rows, index[:, order]), rank[:, order])
    return Sums(counters, regs)


class SegmentExtras:
    """Per segment, what does not sum: requests per model, the languages reasoning was asked
    for in (a bit mask), and counts of the prompt skeletons used."""

    def __init__(
        self, batch: ObservedBatch, columns: np.ndarray, order: np.ndarray, starts: np.ndarray
    ) -> None:
        self.batch = batch
        self.order = order
        self.bounds = np.append(starts, len(order))
        language = columns[COLUMN["language"]].astype(np.int64)
        asks = (columns[COLUMN["elicit"]] >= 0.5) & (language >= 0)
        bits = np.where(asks, np.left_shift(1, np.maximum(language, 0)), 0)
        self.languages = np.bitwise_or.reduceat(bits[order], starts).tolist()
        hashes = batch.hash_columns()
        self.heads = hashes[HASH["head"]]
        self.tails = hashes[HASH["tail"]]
        self.frames = hashes[HASH["frame"]]
        self.link_column = columns[COLUMN["link_set"]].astype(np.int64)

    def skeleton_keys(self, i: int) -> list[int]:
        """Event ``i``'s skeletons (none: 0, left out)."""
        keys = {int(self.heads[i]), int(self.tails[i]), int(self.frames[i])}
        return sorted(keys - {0})

    def _events(self, k: int) -> np.ndarray:
        """The batch indices of segment ``k``'s events, in event order."""
        return self.order[self.bounds[k] : self.bounds[k + 1]]

    def link_sets(self, k: int) -> list[list[str]]:
        """The link values of segment ``k``'s events, in event order (repeats left out)."""
        indices = self.link_column[self._events(k)].tolist()
        sets = self.batch.link_sets
        return [sets[i] for n, i in enumerate(indices) if n == 0 or i != indices[n - 1]]

    def of(self, k: int) -> tuple[dict[str, int], int, list[tuple[int, int]]]:
        events = self._events(k).tolist()
        models: dict[str, int] = {}
        # Skeletons one by one, in event order: the heavy-hitter counts they feed are then
        # the same however the account's events were cut into segments.
        skeletons: list[tuple[int, int]] = []
        names = self.batch.models
        for i in events:
            models[names[i]] = models.get(names[i], 0) + 1
            head, tail, frame = int(self.heads[i]), int(self.tails[i]), int(self.frames[i])
            if head:
                skeletons.append((head, 1))
            if tail and tail != head:  # a short prompt's head is its tail: one sighting
                skeletons.append((tail, 1))
            if frame:
                skeletons.append((frame, 1))
        return models, int(self.languages[k]), skeletons
