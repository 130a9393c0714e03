"""Readers for the real traces in /work/shared/data (ServeGen, Azure LLM 2023, Mooncake)."""

from __future__ import annotations

import ast
import csv
import json
import os
import random
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path

DATA = Path(os.environ.get("HG_SHARED_DATA", "/work/shared/data"))


@lru_cache(maxsize=1)
def servegen_clients() -> list[tuple[str, list[float], list[float]]]:
    """(path stem, rate per 600 s window, CV per window) for every ServeGen client."""
    out = []
    for sub in ("m-mid", "m-small"):
        folder = DATA / "servegen" / sub
        if not folder.is_dir():
            continue
        for f in sorted(folder.glob("chunk-*-trace.csv")):
            rates, cvs = [], []
            with open(f, newline="") as h:
                for row in csv.reader(h):
                    try:
                        rates.append(float(row[1]))
                        cvs.append(float(row[2]) if row[2] else 1.0)
                    except (ValueError, IndexError):
                        continue
            if sum(1 for x in rates if x > 0) >= 72:
                out.append((str(f)[: -len("-trace.csv")], rates, cvs))
    return out


def servegen_slice(r: random.Random, windows: int) -> tuple[str, list[float], list[float]]:
    """A random client and a contiguous run of ``windows`` 10-minute windows where it is active."""
    clients = servegen_clients()
    for _ in range(50):
        stem, rates, cvs = r.choice(clients)
        i = r.randrange(0, max(1, len(rates) - windows))
        seg = rates[i : i + windows]
        if sum(1 for x in seg if x > 0) >= windows * 0.6:
            return stem, seg, cvs[i : i + windows]
    stem, rates, cvs = clients[0]
    return stem, rates[:windows], cvs[:windows]


@lru_cache(maxsize=64)
def servegen_tokens(stem: str) -> tuple[list[tuple[int, float]], list[tuple[int, float]]] | None:
    """Pooled (value, weight*1e6) input/output token distributions of a client, if published."""
    f = Path(stem + "-dataset.json")
    if not f.exists():
        return None
    data = json.loads(f.read_text())
    ins: dict[int, float] = {}
    outs: dict[int, float] = {}
    for v in data.values():
        if v.get("input_tokens", "{}") == "{}":
            continue
        for src, dst in ((v["input_tokens"], ins), (v["output_tokens"], outs)):
            for k, w in ast.literal_eval(src).items():
                dst[int(k)] = dst.get(int(k), 0.0) + float(w)
    if not ins or not outs:
        return None
    return sorted(ins.items()), sorted(outs.items())


def sample_dist(r: random.Random, dist: Sequence[tuple[int, float]]) -> int:
    vals = [v for v, _ in dist]
    return r.choices(vals, weights=[w for _, w in dist])[0]


@lru_cache(maxsize=2)
def azure(kind: str) -> list[tuple[float, int, int]]:
    """(seconds since trace start, context tokens, generated tokens); kind is 'code' or 'conv'."""
    f = DATA / "azure_llm_2023" / f"AzureLLMInferenceTrace_{kind}.csv"
    rows: list[tuple[float, int, int]] = []
    if not f.exists():
        return rows
    t0 = None
    with open(f, newline="") as h:
        for row in csv.DictReader(h):
            t = datetime.fromisoformat(row["TIMESTAMP"][:26]).timestamp()
            t0 = t if t0 is None else t0
            rows.append((t - t0, int(row["ContextTokens"]), int(row["GeneratedTokens"])))
    return rows


@lru_cache(maxsize=1)
def mooncake() -> list[tuple[float, int, int, int]]:
    """(seconds, input tokens, output tokens, number of prefix blocks shared with block 0 run)."""
    f = DATA / "mooncake" / "conversation_trace.jsonl"
    rows: list[tuple[float, int, int, int]] = []
    if not f.exists():
        return rows
    with open(f) as h:
        for line in h:
            d = json.loads(line)
            rows.append(
                (
                    d["timestamp"] / 1000.0,
                    d["input_length"],
                    d["output_length"],
                    d["hash_ids"][1] if len(d["hash_ids"]) > 1 else 0,
                )
            )
    return rows


def tiled(r: random.Random, rows: list, hours: float, keep: float) -> list[tuple[float, tuple]]:
    """Replay an (approximately) one-hour trace back to back for ``hours``, thinned to ``keep``."""
    if not rows:
        return []
    span = max(rows[-1][0], 1.0)
    out: list[tuple[float, tuple]] = []
    off = 0.0
    while off < hours * 3600:
        shift = r.uniform(0, span)  # start each lap at a different point of the trace
        for row in rows:
            if r.random() < keep:
                t = off + (row[0] + shift) % span
                if t < hours * 3600:
                    out.append((t, row))
        off += span
    out.sort(key=lambda x: x[0])
    return out
