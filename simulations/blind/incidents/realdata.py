"""Real traces (ServeGen, Azure LLM 2023, Mooncake) turned into heavy-customer schedules.

Each heavy account replays one real source: a ServeGen client's 600 s rate/CV series for a
6-hour stretch (Gamma inter-arrivals, its own token distributions where the client has
them), or a tiled, thinned Azure code / conversation or Mooncake trace with the real
(input, output) token pairs and Mooncake's shared-prefix ids. Rates are scaled down by one
factor per account so the set stays a few hundred thousand events; the shape (bursts, CV,
idle windows, input/output ratio) is the real one.
"""

from __future__ import annotations

import ast
import csv
import json
import os
import random
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

DATA = Path(os.environ.get("HG_DATA", Path(__file__).resolve().parents[4] / "shared" / "data"))


@dataclass
class Replay:
    source: str  # "servegen", "azure_code", "azure_conv", "mooncake"
    times: list[float]  # seconds from the window start
    tokens: list[tuple[int, int]]
    prefix: list[int]  # shared-prefix id per request (0 = none known)


@lru_cache(maxsize=4)
def _trace(name: str) -> list[tuple[float, int, int, int]]:
    rows: list[tuple[float, int, int, int]] = []
    try:
        if name == "mooncake":
            with open(DATA / "mooncake" / "conversation_trace.jsonl") as fh:
                for line in fh:
                    d = json.loads(line)
                    h = d["hash_ids"]
                    rows.append(
                        (
                            d["timestamp"] / 1000,
                            d["input_length"],
                            d["output_length"],
                            h[1] if len(h) > 1 else 0,
                        )
                    )
        else:
            path = DATA / "azure_llm_2023" / f"AzureLLMInferenceTrace_{name.split('_')[1]}.csv"
            with open(path) as fh:
                rd = csv.reader(fh)
                next(rd)
                t0 = None
                for ts, ctx, gen in rd:
                    t = datetime.fromisoformat(ts[:26]).timestamp()
                    t0 = t if t0 is None else t0
                    rows.append((t - t0, int(ctx), int(gen), 0))
    except (OSError, ValueError, KeyError):
        rows = []
    return rows


@lru_cache(maxsize=1)
def _servegen_clients() -> list[Path]:
    out = []
    for sub in ("m-mid", "m-small"):
        out.extend(sorted((DATA / "servegen" / sub).glob("chunk-*-trace.csv")))
    return out


def _token_pool(rng: random.Random) -> list[tuple[int, int]]:
    rows = _trace(rng.choice(["azure_conv", "azure_code", "mooncake"]))
    if not rows:
        return [
            (int(rng.lognormvariate(6.5, 1.0)), int(rng.lognormvariate(5, 1))) for _ in range(500)
        ]
    return [(r[1], r[2]) for r in rng.sample(rows, min(2000, len(rows)))]


def _dist(text: str) -> tuple[list[int], list[float]] | None:
    try:
        d = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    if not d:
        return None
    return [int(k) for k in d], [float(v) for v in d.values()]


def _servegen(rng: random.Random, hours: float, target: int) -> Replay | None:
    clients = _servegen_clients()
    if not clients:
        return None
    for _ in range(20):
        path = rng.choice(clients)
        with open(path) as fh:
            rows = [(float(r[0]), float(r[1]), float(r[2] or 0)) for r in csv.reader(fh) if r]
        n = max(1, int(hours * 6))
        starts = [i for i in range(0, max(1, len(rows) - n)) if rows[i][1] > 0]
        if not starts:
            continue
        i0 = rng.choice(starts)
        seg = rows[i0 : i0 + n]
        total = sum(r[1] for r in seg) * 600
        if total <= 0:
            continue
        scale = target / total
        times: list[float] = []
        t = 0.0
        for k, (_, rate, cv) in enumerate(seg):
            lam = rate * scale
            t = max(t, k * 600.0)
            if lam <= 0:
                continue
            shape = 1.0 / min(4.0, max(0.3, cv)) ** 2 if cv > 0 else 1.0
            while True:
                t += rng.gammavariate(shape, 1 / (lam * shape))
                if t >= (k + 1) * 600:
                    break
                times.append(t)
        if len(times) > 2 * target:
            times = sorted(rng.sample(times, 2 * target))
        ds = path.with_name(path.name.replace("trace.csv", "dataset.json"))
        tin = tout = None
        if ds.exists():
            with open(ds) as fh:
                d = json.load(fh)
            key = str(int(seg[0][0]) // 21600 * 21600)
            if key in d:
                tin, tout = _dist(d[key]["input_tokens"]), _dist(d[key]["output_tokens"])
        if tin and tout:
            ins = rng.choices(tin[0], tin[1], k=len(times))
            outs = rng.choices(tout[0], tout[1], k=len(times))
            tokens = list(zip(ins, outs, strict=True))
        else:
            pool = _token_pool(rng)
            tokens = [rng.choice(pool) for _ in times]
        return Replay("servegen", times, tokens, [0] * len(times))
    return None


def _tiled(rng: random.Random, name: str, hours: float, target: int) -> Replay | None:
    rows = _trace(name)
    if not rows:
        return None
    span = rows[-1][0] + 1
    reps = max(1, int(hours * 3600 / span + 0.999))
    keep = min(1.0, target / (len(rows) * reps))
    shift = rng.uniform(0, span)
    times: list[float] = []
    tokens: list[tuple[int, int]] = []
    prefix: list[int] = []
    for k in range(reps + 1):
        for t, i, o, h in rows:
            if rng.random() < keep:
                tt = k * span + t - shift
                if 0 <= tt < hours * 3600:
                    times.append(tt)
                    tokens.append((i, o))
                    prefix.append(h)
    return Replay(name, times, tokens, prefix)


def heavy_replay(rng: random.Random, hours: float, target: int) -> Replay:
    src = rng.choices(["servegen", "azure_code", "azure_conv", "mooncake"], [5, 2, 2, 2])[0]
    rep = _servegen(rng, hours, target) if src == "servegen" else _tiled(rng, src, hours, target)
    if rep is None or not rep.times:
        times = sorted(rng.uniform(0, hours * 3600) for _ in range(target))
        toks = [(int(rng.lognormvariate(7, 1)), int(rng.lognormvariate(5, 1))) for _ in times]
        rep = Replay("synthetic", times, toks, [0] * len(times))
    return rep
