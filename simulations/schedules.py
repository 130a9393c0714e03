"""Campaign timing: how a campaign's requests are spread over its accounts and its time span.

Per-account styles (each account on its own clock, budgets split unevenly):

* ``poisson``, ``constant`` (a worker pool at fixed concurrency), ``bursty`` (batches);
* ``human``: sessions in waking hours with lognormal think times (options ``per_session``,
  ``think_s``, ``around_the_clock``; ``working_hours``: sessions 9:00-18:00 in time zones
  where the campaign's span falls in working hours).

Cross-account styles (one operator driving all accounts):

* ``round_robin``: one campaign stream (option ``stream``: poisson, constant or bursty)
  handed to the accounts in rotation, so each stays small;
* ``synchronised``: campaign ticks at which a share of the accounts (option ``per_tick``,
  default half) fire within ``jitter_s`` seconds (default 2).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulations.arrivals import human_sessions, scripted

_UTC_OFFSETS = (-8.0, -5.0, 0.0, 1.0, 3.0, 8.0, 9.0)
_WORKING = (9.0, 18.0)


@dataclass
class Schedule:
    """Per account: sorted request times and, for human timing, session indices."""

    times: list[np.ndarray]
    sessions: list[np.ndarray | None]

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        return iter(zip(self.times, self.sessions, strict=True))


def split(
    rng: np.random.Generator, total: int, parts: int, concentration: float = 8.0
) -> list[int]:
    """Uneven but comparable shares, as real operators never balance perfectly."""
    weights = rng.dirichlet(np.full(parts, concentration))
    counts = rng.multinomial(max(0, total - parts), weights) + 1
    return [int(c) for c in counts]


def schedule(
    rng: np.random.Generator,
    style: str,
    total: int,
    accounts: int,
    t0: float,
    t1: float,
    options: Mapping[str, Any],
) -> Schedule:
    if style == "round_robin":
        times = scripted(rng, total, t0, t1, str(options.get("stream", "poisson")))
        order = rng.permutation(accounts)
        # Rotation with occasional skips, as a scheduler retries or an account cools down.
        slots = np.arange(times.shape[0]) + np.cumsum(rng.random(times.shape[0]) < 0.1)
        owner = order[slots % accounts]
        return Schedule([times[owner == i] for i in range(accounts)], [None] * accounts)
    if style == "synchronised":
        per_tick = max(1, round(accounts * float(options.get("per_tick", 0.5))))
        ticks = scripted(rng, max(1, -(-total // per_tick)), t0, t1, "constant")
        owners = np.concatenate([rng.choice(accounts, per_tick, replace=False) for _ in ticks])
        jitter = rng.uniform(0.0, float(options.get("jitter_s", 2.0)), owners.shape[0])
        stamps = np.minimum(np.repeat(ticks, per_tick) + jitter, np.nextafter(t1, t0))
        owners, stamps = owners[:total], stamps[:total]
        return Schedule([np.sort(stamps[owners == i]) for i in range(accounts)], [None] * accounts)
    counts = split(rng, total, accounts)
    if style == "human":
        per_session = float(options.get("per_session", 6.0))
        think = float(options.get("think_s", 40.0))
        around_the_clock = bool(options.get("around_the_clock", False))
        waking = (0.0, 24.0) if around_the_clock else (8.0, 23.5)
        offsets: tuple[float, ...] = _UTC_OFFSETS
        if options.get("working_hours"):
            waking, offsets = _WORKING, _working_offsets(t0, t1)
        pairs = [
            human_sessions(rng, t0, t1, n, per_session, think, float(rng.choice(offsets)), waking)
            for n in counts
        ]
        return Schedule([p[0] for p in pairs], [p[1] for p in pairs])
    return Schedule([scripted(rng, n, t0, t1, style) for n in counts], [None] * accounts)


def _working_offsets(t0: float, t1: float) -> tuple[float, ...]:
    """The time zones in which the middle of ``[t0, t1]`` is working time (all if none)."""
    middle_h = ((t0 + t1) / 2.0 / 3600.0) % 24.0
    inside = tuple(o for o in _UTC_OFFSETS if _WORKING[0] <= (middle_h + o) % 24.0 < _WORKING[1])
    return inside or _UTC_OFFSETS
