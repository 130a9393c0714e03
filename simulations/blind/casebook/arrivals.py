"""When requests happen: daily rhythms, Poisson arrivals, human sessions and cron bursts."""

from __future__ import annotations

import math
from collections.abc import Callable
from random import Random

# activity by local hour (0..23), peak 1.0
RHYTHMS: dict[str, list[float]] = {
    "office": [
        0.06,
        0.04,
        0.03,
        0.03,
        0.04,
        0.06,
        0.12,
        0.3,
        0.65,
        0.95,
        1.0,
        1.0,
        0.8,
        0.9,
        1.0,
        0.97,
        0.85,
        0.6,
        0.38,
        0.28,
        0.22,
        0.18,
        0.12,
        0.08,
    ],
    "consumer": [
        0.45,
        0.3,
        0.2,
        0.14,
        0.12,
        0.14,
        0.22,
        0.38,
        0.55,
        0.65,
        0.72,
        0.78,
        0.82,
        0.8,
        0.78,
        0.78,
        0.8,
        0.85,
        0.92,
        0.98,
        1.0,
        0.95,
        0.82,
        0.62,
    ],
    "student": [
        0.55,
        0.35,
        0.2,
        0.1,
        0.06,
        0.05,
        0.08,
        0.2,
        0.45,
        0.6,
        0.65,
        0.7,
        0.6,
        0.7,
        0.75,
        0.8,
        0.85,
        0.85,
        0.85,
        0.9,
        1.0,
        1.0,
        0.9,
        0.75,
    ],
    "evening": [
        0.5,
        0.3,
        0.15,
        0.08,
        0.05,
        0.05,
        0.08,
        0.15,
        0.25,
        0.3,
        0.35,
        0.4,
        0.45,
        0.45,
        0.45,
        0.5,
        0.55,
        0.7,
        0.85,
        0.95,
        1.0,
        1.0,
        0.9,
        0.7,
    ],
    "flat": [1.0] * 24,
}


def rhythm(shape: str, ts: float, tz: float) -> float:
    table = RHYTHMS[shape]
    hour = ((ts / 3600.0) + tz) % 24.0
    low = int(hour)
    frac = hour - low
    return table[low] * (1.0 - frac) + table[(low + 1) % 24] * frac


def poisson(
    rng: Random, start: float, end: float, rate: float, shape: str = "flat", tz: float = 0.0
) -> list[float]:
    """A Poisson process of peak ``rate`` per second, thinned by the local daily rhythm."""
    out: list[float] = []
    if rate <= 0.0 or end <= start:
        return out
    t = start
    while True:
        t += rng.expovariate(rate)
        if t >= end:
            return out
        if shape == "flat" or rng.random() < rhythm(shape, t, tz):
            out.append(t)


def sessions(
    rng: Random,
    start: float,
    end: float,
    per_hour: float,
    length: Callable[[Random], int],
    gap: Callable[[Random], float],
    shape: str = "office",
    tz: float = 0.0,
) -> list[float]:
    """Bursts of activity: session starts are Poisson, each session a run of requests."""
    out: list[float] = []
    for begin in poisson(rng, start - 1800.0, end, per_hour / 3600.0, shape, tz):
        t = begin
        for _ in range(max(1, length(rng))):
            if t >= end:
                break
            if t >= start:
                out.append(t)
            t += gap(rng)
    out.sort()
    return out


def cron(
    rng: Random,
    start: float,
    end: float,
    period: float,
    size: Callable[[Random], int],
    spacing: float,
    skip: float = 0.0,
) -> list[float]:
    """A scheduled job: every ``period`` seconds a batch of requests sent ``spacing`` apart."""
    out: list[float] = []
    t = start + rng.uniform(0.0, period)
    while t < end:
        if rng.random() >= skip:
            s = t + rng.uniform(0.0, 20.0)
            for _ in range(size(rng)):
                s += rng.expovariate(1.0 / spacing)
                if s >= end:
                    break
                out.append(s)
        t += period
    out.sort()
    return out


def human_gaps(rng: Random, median: float, sigma: float = 0.7) -> float:
    """Think-and-type time between two requests of a person at a keyboard."""
    return max(4.0, rng.lognormvariate(math.log(median), sigma))


def shift(rng: Random, start: float, end: float, hours: float) -> tuple[float, float]:
    """A working stretch of about ``hours`` somewhere inside the window."""
    span = end - start
    length = min(span, hours * 3600.0 * rng.uniform(0.8, 1.2))
    begin = start + rng.uniform(0.0, max(0.0, span - length))
    return begin, begin + length


def thin(rng: Random, times: list[float], keep: float) -> list[float]:
    if keep >= 1.0:
        return times
    return [t for t in times if rng.random() < keep]
