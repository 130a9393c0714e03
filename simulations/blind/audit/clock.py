"""Time: the window, RFC 3339 text, local-time activity curves and the model release.

Everything is event time in Unix seconds (float). The set covers one weekday afternoon
in UTC, which is morning in the Americas, afternoon/evening in Europe and night in East
Asia, so regional customers are not all active at once.
"""

from __future__ import annotations

import time
from calendar import timegm

import numpy as np

START = float(timegm((2026, 12, 1, 13, 0, 0, 0, 0, 0)))  # a Tuesday
DAY = 86400.0

# UTC offsets in December (southern hemisphere on summer time).
# fmt: off
REGION_OFFSET: dict[str, float] = {
    "us_west": -8, "us_east": -5, "brazil": -3, "uk": 0, "eu": 1, "mena": 3,
    "russia": 3, "india": 5.5, "sea": 7, "china": 8, "japan": 9, "korea": 9, "aus": 11,
}
# fmt: on

# Relative activity per local hour. "work": office hours; "dev": developers, who start
# later and keep going into the evening; "consumer": evening peak of end-user apps;
# "school": after-school homework; "flat": automation that ignores the clock.
# fmt: off
CURVES: dict[str, tuple[float, ...]] = {
    "work": (.04, .03, .02, .02, .03, .06, .15, .35, .70, .95, 1, 1,
             .85, .95, 1, .95, .85, .60, .35, .25, .20, .15, .10, .06),
    "dev": (.20, .12, .08, .05, .04, .05, .10, .25, .50, .80, .95, 1,
            .90, .95, 1, 1, .90, .75, .60, .55, .60, .60, .50, .35),
    "consumer": (.30, .20, .12, .08, .06, .06, .10, .20, .35, .45, .50, .55,
                 .60, .60, .60, .60, .65, .70, .80, .90, 1, 1, .85, .55),
    "school": (.10, .05, .03, .02, .02, .03, .08, .15, .20, .25, .25, .30,
               .30, .35, .45, .70, .90, 1, .95, .90, .85, .70, .45, .20),
    "flat": (1.0,) * 24,
}
# fmt: on


def window(hours: float) -> tuple[float, float]:
    return START, START + hours * 3600.0


def release_ts(hours: float) -> float:
    """When the new model goes live: two hours in, or a third of a short window."""
    return START + min(2 * 3600.0, hours * 3600.0 / 3)


_DAYS: dict[int, str] = {}


def iso_ms(ts: float) -> str:
    """RFC 3339 with milliseconds; the date part is cached (this runs once per event)."""
    ms = round(ts * 1000)
    sec, frac = divmod(ms, 1000)
    day, rest = divmod(sec, 86400)
    date = _DAYS.get(day)
    if date is None:
        date = _DAYS[day] = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    return f"{date}T{h:02d}:{m:02d}:{s:02d}.{frac:03d}Z"


def iso_s(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(ts)))


def intensity(curve: str, region: str, grid: np.ndarray) -> np.ndarray:
    """Activity weight at each time of ``grid`` (Unix seconds), linearly interpolated."""
    table = np.asarray(CURVES[curve] + CURVES[curve][:1])
    hour = ((grid + REGION_OFFSET[region] * 3600.0) % DAY) / 3600.0
    low = hour.astype(int)
    frac = hour - low
    return table[low] * (1 - frac) + table[low + 1] * frac


def sample_times(
    rng: np.random.Generator, n: int, t0: float, t1: float, curve: str, region: str
) -> np.ndarray:
    """``n`` sorted times in [t0, t1) drawn from the local-time activity curve."""
    if n <= 0 or t1 <= t0:
        return np.empty(0)
    edges = np.arange(t0, t1, 60.0)
    weights = intensity(curve, region, edges + 30.0) + 1e-3
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    bins = np.searchsorted(cdf, rng.random(n))
    times = edges[bins] + rng.random(n) * 60.0
    return np.sort(np.minimum(times, t1 - 1e-3))
