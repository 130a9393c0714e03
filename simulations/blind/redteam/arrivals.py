"""Arrival processes (when requests happen) and small sampling helpers."""

from __future__ import annotations

import math
import random


def poisson(rng: random.Random, t0: float, t1: float, rate: float) -> list[float]:
    out: list[float] = []
    if rate <= 0:
        return out
    t = t0 + rng.expovariate(rate)
    while t < t1:
        out.append(t)
        t += rng.expovariate(rate)
    return out


def renewal(rng: random.Random, t0: float, t1: float, rate: float, cv: float) -> list[float]:
    """Gamma renewal process with the given mean rate and inter-arrival CV (bursty if cv>1)."""
    if rate <= 0:
        return []
    k = 1.0 / max(cv, 0.05) ** 2
    theta = 1.0 / (rate * k)
    out: list[float] = []
    t = t0 + rng.uniform(0, 1 / rate)
    while t < t1:
        out.append(t)
        t += max(rng.gammavariate(k, theta), 0.001)
    return out


def human_sessions(
    rng: random.Random,
    t0: float,
    t1: float,
    n_sessions: int,
    per_session: tuple[int, int],
    gap_median: float,
) -> list[float]:
    """Work sessions of a person: a burst of requests with lognormal think-time gaps."""
    out: list[float] = []
    for _ in range(n_sessions):
        t = rng.uniform(t0, t1)
        for _ in range(rng.randint(*per_session)):
            if t >= t1:
                break
            out.append(t)
            t += gap_median * math.exp(rng.gauss(0, 0.7))
    return sorted(out)


def diurnal(hour_local: float) -> float:
    """Relative activity of human-driven traffic at a local hour (peak mid-afternoon)."""
    return 0.12 + 0.88 * max(0.0, math.sin(math.pi * (hour_local - 6.5) / 16.5)) ** 1.4


def thin_diurnal(rng: random.Random, ts: list[float], tz_hours: float) -> list[float]:
    return [t for t in ts if rng.random() < diurnal(((t / 3600.0) + tz_hours) % 24)]


def lognorm_int(rng: random.Random, median: float, sigma: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, int(median * math.exp(rng.gauss(0, sigma)))))


def toks(text: str) -> int:
    return max(1, len(text) // 4)
