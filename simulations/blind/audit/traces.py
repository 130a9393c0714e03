"""Real public traces (read only): ServeGen per-client rates, Azure and Mooncake lengths.

The data folder is found from ``HG_SHARED_DATA``, then ``/work/shared/data``, then a
``shared/data`` folder beside the repository. Without it heavy customers fall back to
parametric shapes (documented in README.md); the set is then still deterministic.
"""

from __future__ import annotations

import ast
import csv
import json
import os
from functools import cache
from pathlib import Path

import numpy as np


@cache
def data_dir() -> Path | None:
    here = Path(__file__).resolve()
    candidates = [
        os.environ.get("HG_SHARED_DATA", ""),
        "/work/shared/data",
        str(here.parents[4] / "shared" / "data"),
    ]
    for c in candidates:
        if c and (Path(c) / "servegen").is_dir():
            return Path(c)
    return None


@cache
def servegen_clients() -> tuple[str, ...]:
    """Trace files of every client, as 'group/chunk-N' (sorted, so choices are stable)."""
    root = data_dir()
    if root is None:
        return ()
    names = [
        f"{g}/{p.name[: -len('-trace.csv')]}"
        for g in ("m-small", "m-mid")
        for p in (root / "servegen" / g).glob("chunk-*-trace.csv")
    ]
    return tuple(sorted(names))


@cache
def servegen_trace(client: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(window start s, rate req/s, inter-arrival CV) per 600 s window over 14 days."""
    root = data_dir()
    assert root is not None
    starts, rates, cvs = [], [], []
    with open(root / "servegen" / f"{client}-trace.csv", newline="") as handle:
        for row in csv.reader(handle):
            starts.append(float(row[0]))
            rates.append(float(row[1]))
            cvs.append(float(row[2]) if row[2] else 1.0)
    return np.array(starts), np.array(rates), np.array(cvs)


def servegen_slice(client: str, offset: float, span: float) -> tuple[np.ndarray, np.ndarray]:
    """Rates and CVs of the windows in [offset, offset + span) of a client's trace."""
    starts, rates, cvs = servegen_trace(client)
    sel = (starts >= offset) & (starts < offset + span)
    return rates[sel], cvs[sel]


@cache
def servegen_lengths(client: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Pooled input and output length distributions of a client: (in, p_in, out, p_out)."""
    root = data_dir()
    if root is None:
        return None
    path = root / "servegen" / f"{client}-dataset.json"
    if not path.exists():
        return None
    pooled_in: dict[int, float] = {}
    pooled_out: dict[int, float] = {}
    for window in json.loads(path.read_text()).values():
        for key, pooled in (("input_tokens", pooled_in), ("output_tokens", pooled_out)):
            for value, prob in _dict_literal(window[key]):
                pooled[value] = pooled.get(value, 0.0) + prob
    if not pooled_out:
        return None

    def arr(d: dict[int, float]) -> tuple[np.ndarray, np.ndarray]:
        keys = np.array(sorted(d), dtype=float)
        p = np.array([d[int(k)] for k in keys])
        return keys, p / p.sum()

    i, pi = arr(pooled_in)
    o, po = arr(pooled_out)
    return i, pi, o, po


def _dict_literal(text: str) -> list[tuple[int, float]]:
    """Parse '{12: 0.5, 40: 0.5}' quickly; fall back to ast for anything unusual."""
    body = text.strip()[1:-1].strip()
    if not body:
        return []
    try:
        return [(int(k), float(v)) for k, v in (item.split(":") for item in body.split(","))]
    except ValueError:
        return [(int(k), float(v)) for k, v in ast.literal_eval(text).items()]


@cache
def azure(kind: str) -> np.ndarray | None:
    """Azure LLM 2023 trace ('code' or 'conv'): rows of (context tokens, generated tokens)."""
    root = data_dir()
    if root is None:
        return None
    path = root / "azure_llm_2023" / f"AzureLLMInferenceTrace_{kind}.csv"
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    return np.array([(int(r[1]), int(r[2])) for r in rows], dtype=float)


@cache
def mooncake() -> np.ndarray | None:
    """Mooncake conversation trace: rows of (input length, output length, prefix blocks)."""
    root = data_dir()
    if root is None:
        return None
    rows = []
    with open(root / "mooncake" / "conversation_trace.jsonl") as handle:
        for line in handle:
            rec = json.loads(line)
            rows.append((rec["input_length"], rec["output_length"], len(rec["hash_ids"])))
    return np.array(rows, dtype=float)
