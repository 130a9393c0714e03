"""Request timing: real client traces, human sessions and scripted schedules.

All functions return sorted ``float64`` arrays of absolute Unix seconds and draw only from
the generator they are given, so one account's times depend on its own seed alone.
"""

from __future__ import annotations

import math

import numpy as np

from simulations.realdata import FIT_GAMMA, FIT_NONE, WINDOW_S, ClientTrace

_EMPTY = np.empty(0, dtype=np.float64)


def _draw(rng: np.random.Generator, fit: int, shape: float, mean: float, k: int) -> np.ndarray:
    if fit == FIT_GAMMA:
        shape = max(shape, 0.02)
        return rng.gamma(shape, mean / shape, k)
    # Weibull: below 0.1 the mean is dominated by draws far outside any window.
    shape = max(shape, 0.1)
    return rng.weibull(shape, k) * (mean / math.gamma(1.0 + 1.0 / shape))


def _residual(rng: np.random.Generator, fit: int, shape: float, mean: float) -> float:
    """Time to the first arrival of a renewal process already running (stationary).

    That is a uniform fraction of a length-biased gap: long gaps are the likelier ones to
    straddle a window's start, which matters for bursty (high-CV) clients.
    """
    if fit == FIT_GAMMA:
        shape = max(shape, 0.02)
        biased = rng.gamma(shape + 1.0, mean / shape)
    else:
        shape = max(shape, 0.1)
        scale = mean / math.gamma(1.0 + 1.0 / shape)
        biased = scale * rng.gamma(1.0 + 1.0 / shape) ** (1.0 / shape)
    return float(biased * rng.random())


def renewal(
    rng: np.random.Generator,
    rate: float,
    fit: int,
    shape: float,
    length: float,
    first: float | None = None,
) -> tuple[np.ndarray, float | None]:
    """A renewal process over ``[0, length)`` with the fitted inter-arrival family.

    The distribution keeps the real shape (so the real burstiness) and is rescaled to mean
    ``1 / rate``. ``first`` is the offset of the first arrival carried over from the window
    before; without it the process is taken as already running. Returns the
    offsets and the carry for the next window (the next arrival's offset past ``length``).
    """
    if rate <= 0 or fit == FIT_NONE or length <= 0:
        return _EMPTY, None
    mean = 1.0 / rate
    expected = length * rate
    # A heavy-tailed window can burst far above its mean; the cap keeps budgets honest.
    cap = int(4 * expected + 5)
    k = int(expected + 4 * math.sqrt(expected) + 8)
    gaps = _draw(rng, fit, shape, mean, k)
    gaps[0] = first if first is not None else _residual(rng, fit, shape, mean)
    times = np.cumsum(gaps)
    while times[-1] < length and times.shape[0] < cap:
        more = np.cumsum(_draw(rng, fit, shape, mean, k)) + times[-1]
        times = np.concatenate((times, more))
    inside = times[times < length][:cap]
    after = times[times >= length]
    carry = float(after[0] - length) if after.shape[0] and inside.shape[0] < cap else None
    return inside, carry


def trace_arrivals(
    rng: np.random.Generator,
    trace: ClientTrace,
    first_window: int,
    n_windows: int,
    t0: float,
    factor: float,
) -> np.ndarray:
    """Arrivals of one real client replayed from ``first_window`` with its rate times ``factor``.

    The process runs on across active windows (a long gap may span several), so sparse
    bursty clients are not restarted, and over-counted, at every window boundary.
    """
    parts = []
    carry: float | None = None
    for j in range(n_windows):
        w = (first_window + j) % trace.windows
        rate = float(trace.rate[w]) * factor
        if rate <= 0:
            carry = None
            continue
        if carry is not None and carry >= WINDOW_S:
            carry -= WINDOW_S
            continue
        offsets, carry = renewal(
            rng, rate, int(trace.fit[w]), float(trace.shape[w]), WINDOW_S, carry
        )
        if offsets.shape[0]:
            parts.append(offsets + (t0 + j * WINDOW_S))
    return np.concatenate(parts) if parts else _EMPTY


def expected_events(trace: ClientTrace, first_window: int, n_windows: int) -> float:
    idx = (first_window + np.arange(n_windows)) % trace.windows
    return float(trace.rate[idx].sum() * WINDOW_S)


def human_sessions(
    rng: np.random.Generator,
    t0: float,
    t1: float,
    n_events: int,
    per_session: float = 6.0,
    think_s: float = 45.0,
    utc_offset_h: float = 0.0,
    waking: tuple[float, float] = (8.0, 23.5),
) -> tuple[np.ndarray, np.ndarray]:
    """About ``n_events`` requests in human sessions: ``(times, session_index)``.

    Sessions start in the person's waking hours; inside a session requests follow
    lognormal think times (reading the answer, typing the next question).
    """
    if n_events <= 0 or t1 <= t0:
        return _EMPTY, np.empty(0, dtype=np.int64)
    n_sessions = max(1, round(n_events / per_session))
    starts: list[float] = []
    tries = 0
    while len(starts) < n_sessions and tries < 50 * n_sessions:
        tries += 1
        t = float(rng.uniform(t0, t1))
        hour = ((t / 3600.0) + utc_offset_h) % 24.0
        if waking[0] <= hour <= waking[1] or tries > 20 * n_sessions:
            starts.append(t)
    starts.sort()
    times: list[np.ndarray] = []
    sessions: list[np.ndarray] = []
    for index, start in enumerate(starts):
        size = int(rng.geometric(1.0 / per_session))
        gaps = rng.lognormal(math.log(think_s), 0.7, size)
        gaps[0] = 0.0
        local = start + np.cumsum(gaps)
        local = local[local < t1]
        times.append(local)
        sessions.append(np.full(local.shape[0], index, dtype=np.int64))
    all_times = np.concatenate(times)
    order = np.argsort(all_times, kind="stable")
    return all_times[order], np.concatenate(sessions)[order]


def scripted(rng: np.random.Generator, n: int, t0: float, t1: float, style: str) -> np.ndarray:
    """``n`` request times of a script in ``[t0, t1)``: poisson, constant or bursty."""
    if n <= 0 or t1 <= t0:
        return _EMPTY
    span = t1 - t0
    if style == "constant":
        # A worker pool at fixed concurrency: regular spacing with small jitter.
        step = span / n
        times = t0 + step * (np.arange(n) + 0.5) + rng.uniform(-0.2, 0.2, n) * step
    elif style == "bursty":
        # Batches: a few dense bursts (1 to 20 req/s) separated by idle gaps.
        n_bursts = max(1, n // 400)
        sizes = rng.multinomial(n, np.full(n_bursts, 1.0 / n_bursts))
        parts = []
        for size in sizes:
            rate = float(rng.uniform(1.0, 20.0))
            start = float(rng.uniform(t0, max(t0, t1 - size / rate)))
            parts.append(start + np.cumsum(rng.exponential(1.0 / rate, size)))
        times = np.concatenate(parts)
    elif style == "poisson":
        times = rng.uniform(t0, t1, n)
    else:
        raise ValueError(f"unknown timing style {style!r}")
    return np.sort(np.clip(times, t0, np.nextafter(t1, t0)))
