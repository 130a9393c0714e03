"""When requests happen. Every pattern returns groups of sorted times: a group is one
conversation, work session, batch job or agent task, so builders know the turn index.
"""

from __future__ import annotations

import numpy as np

from .clock import sample_times

Gen = np.random.Generator


def sessions(
    rng: Gen,
    n: int,
    t0: float,
    t1: float,
    curve: str,
    region: str,
    per_session: float,
    gap: float,
    gap_sigma: float = 0.9,
) -> list[np.ndarray]:
    """People: sessions start by local time of day; requests inside follow think time."""
    if n <= 0:
        return []
    k = max(1, round(n / max(per_session, 1.0)))
    starts = sample_times(rng, k, t0, t1, curve, region)
    sizes = 1 + rng.multinomial(n - k, np.ones(k) / k) if n > k else np.ones(k, dtype=int)
    out = []
    for start, size in zip(starts, sizes, strict=True):
        gaps = rng.lognormal(np.log(gap), gap_sigma, size=int(size) - 1)
        times = start + np.concatenate(([0.0], np.cumsum(gaps)))
        times = times[times < t1]
        if times.size:
            out.append(times)
    return out


def app(rng: Gen, n: int, t0: float, t1: float, curve: str, region: str) -> list[np.ndarray]:
    """Independent requests driven by an application's end users (one per group)."""
    return [np.array([t]) for t in sample_times(rng, n, t0, t1, curve, region)]


def jobs(rng: Gen, n: int, t0: float, t1: float, n_jobs: int, rate: float) -> list[np.ndarray]:
    """Batch jobs: cron-like starts (often on the hour), then a steady worker-pool rate."""
    if n <= 0:
        return []
    n_jobs = max(1, min(n_jobs, n))
    span = t1 - t0
    out = []
    sizes = rng.multinomial(n, np.ones(n_jobs) / n_jobs)
    for size in sizes:
        if size == 0:
            continue
        start = t0 + rng.random() * span * 0.9
        if rng.random() < 0.5:  # scheduled at a round time
            start = t0 + np.floor((start - t0) / 1800.0) * 1800.0 + rng.uniform(0, 20)
        r = rate * rng.lognormal(0, 0.3)
        times = start + np.cumsum(rng.exponential(1.0 / r, size=int(size)))
        out.append(times[times < t1])
    return [g for g in out if g.size]


def tasks(
    rng: Gen, n: int, t0: float, t1: float, curve: str, region: str, steps: float
) -> list[np.ndarray]:
    """Agent tasks: each a chain of calls separated by model latency plus tool time."""
    groups = sessions(rng, n, t0, t1, curve, region, per_session=steps, gap=6.0, gap_sigma=0.8)
    return groups


def renewal(rng: Gen, t0: float, t1: float, rate: float, cv: float) -> np.ndarray:
    """A gamma renewal process: mean ``rate`` per second, inter-arrival CV ``cv``."""
    if rate <= 0 or t1 <= t0:
        return np.empty(0)
    cv = float(np.clip(cv, 0.3, 6.0))
    shape = 1.0 / cv**2
    mean_gap = 1.0 / rate
    expect = (t1 - t0) * rate
    size = int(expect * 1.5 + 10 * np.sqrt(expect) + 20)
    gaps = rng.gamma(shape, mean_gap / shape, size=size)
    times = t0 + rng.random() * gaps[0] + np.cumsum(gaps[1:])
    return times[times < t1]
