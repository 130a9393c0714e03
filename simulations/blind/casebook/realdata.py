"""Real traces behind the heavy honest customers.

Rates and burstiness come from ServeGen (per-client request rate and inter-arrival fit per
600 s window of real Alibaba Cloud Model Studio customers); token counts from that client's
own distribution when ServeGen has one, else from the Azure code / conversation traces or the
Mooncake conversation trace, replayed in their recorded order.
"""

from __future__ import annotations

import ast
import bisect
import csv
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from random import Random

DATA = Path(os.environ.get("CASEBOOK_DATA", "/work/shared/data"))
BUCKET = 600.0
WINDOW = 36  # buckets in six hours, aligned with ServeGen's 6-hour token windows


@dataclass
class Window:
    client: str  # e.g. "m-mid/chunk-12"
    start: int  # seconds into the 14-day trace
    buckets: list[tuple[float, str, float, float]]  # rate, fit, shape, scale
    mean_rate: float


@dataclass
class Dist:
    values: list[int]
    cumulative: list[float]

    def draw(self, rng: Random) -> int:
        i = bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])
        return self.values[min(i, len(self.values) - 1)]


def require_data() -> None:
    if not (DATA / "servegen").is_dir():
        raise SystemExit(f"casebook: real traces not found under {DATA} (set CASEBOOK_DATA)")


@lru_cache(maxsize=1)
def windows(low: float = 0.01, high: float = 0.09) -> tuple[Window, ...]:
    """Every six-hour window of every ServeGen client whose mean rate is in [low, high)."""
    require_data()
    out: list[Window] = []
    for group in ("m-mid", "m-small"):
        folder = DATA / "servegen" / group
        for path in sorted(folder.glob("chunk-*-trace.csv")):
            with open(path, newline="") as handle:
                rows = [
                    (float(r[1]), r[3], float(r[4] or 0), float(r[5] or 0))
                    for r in csv.reader(handle)
                    if r
                ]
            client = f"{group}/{path.name.removesuffix('-trace.csv')}"
            for first in range(0, len(rows) - WINDOW + 1, WINDOW):
                part = rows[first : first + WINDOW]
                mean = sum(r[0] for r in part) / WINDOW
                if low <= mean < high:
                    out.append(Window(client, int(first * BUCKET), part, mean))
    out.sort(key=lambda w: (w.mean_rate, w.client, w.start))
    return tuple(out)


def pick(rng: Random, count: int) -> list[Window]:
    """``count`` windows spread evenly over the rate distribution (one per stratum)."""
    pool = windows()
    if count <= 0:
        return []
    picked = []
    for i in range(count):
        low = int(i * len(pool) / count)
        high = max(low + 1, int((i + 1) * len(pool) / count))
        picked.append(pool[rng.randrange(low, min(high, len(pool)))])
    rng.shuffle(picked)
    return picked


def arrivals(rng: Random, window: Window, start: float, end: float) -> list[float]:
    """Request times replaying the window's per-bucket rate and inter-arrival law."""
    out: list[float] = []
    for index, (rate, fit, shape, scale) in enumerate(window.buckets):
        lo = start + index * BUCKET
        if lo >= end or rate <= 0.0:
            continue
        expected = rate * BUCKET
        gaps: list[float] = []
        total = rng.uniform(0.0, 1.0 / rate)
        while total < BUCKET * 1.5 and len(gaps) < expected * 3 + 10:
            gaps.append(total)
            if fit == "Gamma" and shape > 0 and scale > 0:
                total += rng.gammavariate(shape, scale)
            elif fit == "Weibull" and shape > 0 and scale > 0:
                total += rng.weibullvariate(scale, shape)
            else:
                total += rng.expovariate(rate)
        inside = sum(1 for g in gaps if g < BUCKET)
        stretch = inside / expected if expected > 0 else 1.0
        if not 0.9 <= stretch <= 1.1 and stretch > 0:
            gaps = [g * stretch for g in gaps]  # keep the law's shape, honour the real rate
        out.extend(lo + g for g in gaps if g < BUCKET and lo + g < end)
    return out


def servegen_tokens(window: Window) -> tuple[Dist, Dist] | None:
    """The client's own input/output token distributions for this window, if published."""
    path = DATA / "servegen" / f"{window.client}-dataset.json"
    if not path.exists():
        return None
    entry = _dataset(str(path)).get(str(window.start))
    if not entry:
        return None
    dists = []
    for name in ("input_tokens", "output_tokens"):
        table = ast.literal_eval(entry[name])
        if not table:
            return None
        values = sorted(int(k) for k in table)
        running, cumulative = 0.0, []
        for v in values:
            running += float(table[v])
            cumulative.append(running)
        dists.append(Dist(values, cumulative))
    return dists[0], dists[1]


@lru_cache(maxsize=64)
def _dataset(path: str) -> dict[str, dict[str, str]]:
    with open(path) as handle:
        data: dict[str, dict[str, str]] = json.load(handle)
    return data


@lru_cache(maxsize=4)
def trace_tokens(source: str) -> tuple[tuple[int, int], ...]:
    """(input, output) pairs in recorded order: 'code', 'conv' or 'mooncake'."""
    require_data()
    if source == "mooncake":
        with open(DATA / "mooncake" / "conversation_trace.jsonl") as handle:
            return tuple(
                (int(r["input_length"]), int(r["output_length"]))
                for r in map(json.loads, handle)
                if r
            )
    name = (
        "AzureLLMInferenceTrace_code.csv" if source == "code" else "AzureLLMInferenceTrace_conv.csv"
    )
    with open(DATA / "azure_llm_2023" / name, newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    return tuple((int(r[1]), int(r[2])) for r in rows if r)


class TokenReplay:
    """Token counts for one heavy account: its own ServeGen distribution, or a run of a trace."""

    def __init__(self, rng: Random, window: Window, source: str) -> None:
        self.own = servegen_tokens(window)
        self.pairs = trace_tokens(source)
        self.cursor = rng.randrange(len(self.pairs))

    def next(self, rng: Random) -> tuple[int, int]:
        if self.own is not None:
            return self.own[0].draw(rng), self.own[1].draw(rng)
        pair = self.pairs[self.cursor]
        self.cursor = (self.cursor + 1) % len(self.pairs)
        return pair
