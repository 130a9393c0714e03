"""Readers for the raw traffic data in ``shared/data`` (ServeGen, Azure LLM 2023, Mooncake).

Used to build the packaged digest (:mod:`simulations.digest`) and to check it; the
simulator itself reads the digest (:mod:`simulations.realdata`), so it runs where the raw
data is absent (an installed package, a container). Parsing is lazy and memoised; the
ServeGen ``dataset.json`` files are slow to parse (Python dict literals, 4 s for all), so
their parsed form is cached on disk (``$HARVESTGUARD_CACHE`` or ``~/.cache/harvestguard``).

The data folder is ``$HARVESTGUARD_DATA`` if set, else the first ``shared/data`` found next
to the repository or at ``/work/shared/data``.
"""

from __future__ import annotations

import ast
import os
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
import orjson

from simulations.realdata import FIT_GAMMA, FIT_NONE, FIT_WEIBULL, ClientTrace, Discrete

_FITS = {"": FIT_NONE, "Gamma": FIT_GAMMA, "Weibull": FIT_WEIBULL}
GROUPS = ("m-mid", "m-small")


def data_dir() -> Path:
    """The ``shared/data`` folder; raise ``FileNotFoundError`` naming where it looked."""
    env = os.environ.get("HARVESTGUARD_DATA")
    here = Path(__file__).resolve()
    candidates = [Path(env)] if env else []
    candidates += [parent / "shared" / "data" for parent in here.parents]
    candidates.append(Path("/work/shared/data"))
    for path in candidates:
        if (path / "servegen").is_dir():
            return path
    looked = ", ".join(str(p) for p in candidates[:4])
    raise FileNotFoundError(f"real data not found (set HARVESTGUARD_DATA); looked in {looked}")


def cache_dir() -> Path:
    env = os.environ.get("HARVESTGUARD_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "harvestguard"


def _chunk_number(path: Path) -> int:
    return int(path.name.split("-")[1])


@cache
def client_names() -> tuple[str, ...]:
    """Every ServeGen client as ``group/chunk-N``, in a fixed order."""
    root = data_dir() / "servegen"
    names: list[str] = []
    for group in GROUPS:
        files = sorted((root / group).glob("chunk-*-trace.csv"), key=_chunk_number)
        names += [f"{group}/chunk-{_chunk_number(f)}" for f in files]
    return tuple(names)


@cache
def load_trace(name: str) -> ClientTrace:
    path = data_dir() / "servegen" / f"{name}-trace.csv"
    rows = [line.split(",") for line in path.read_text().splitlines() if line]
    rate = np.array([float(r[1]) for r in rows])
    fit = np.array([_FITS.get(r[3], FIT_NONE) for r in rows], dtype=np.int8)
    shape = np.array([float(r[4]) if r[4] else 0.0 for r in rows])
    # A window is active only if it has both a rate and a usable fit.
    inactive = (fit == FIT_NONE) | (rate <= 0) | ~(shape > 0)
    rate[inactive] = 0.0
    fit[inactive] = FIT_NONE
    return ClientTrace(name, rate, fit, shape)


def _discrete(mapping: dict[str, float] | dict[int, float]) -> Discrete:
    pairs = sorted((int(k), float(v)) for k, v in mapping.items())
    return Discrete(np.array([k for k, _ in pairs]), np.cumsum([v for _, v in pairs]))


def _dataset_cache_path(src: Path) -> Path:
    stat = src.stat()
    tag = f"{src.parent.name}-{src.stem}-{stat.st_size}-{stat.st_mtime_ns}"
    return cache_dir() / "servegen" / f"{tag}.json"


def _parse_dataset(src: Path) -> dict[str, dict[str, dict[str, float]]]:
    cached = _dataset_cache_path(src)
    if cached.is_file():
        loaded: dict[str, dict[str, dict[str, float]]] = orjson.loads(cached.read_bytes())
        return loaded
    parsed: dict[str, dict[str, dict[str, float]]] = {}
    for window, dists in orjson.loads(src.read_bytes()).items():
        inp = ast.literal_eval(dists["input_tokens"])
        out = ast.literal_eval(dists["output_tokens"])
        if inp and out:
            parsed[window] = {
                "input": {str(k): v for k, v in inp.items()},
                "output": {str(k): v for k, v in out.items()},
            }
    # Written atomically: parallel test workers may race to fill the cache.
    cached.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(orjson.dumps(parsed))
    os.replace(tmp, cached)
    return parsed


@cache
def _dataset(name: str) -> dict[str, dict[str, dict[str, float]]]:
    return _parse_dataset(data_dir() / "servegen" / f"{name}-dataset.json")


def dataset_starts(name: str) -> tuple[float, ...]:
    """Start (seconds) of each 6-hour window of the client that has token data."""
    return tuple(sorted(float(w) for w in _dataset(name)))


@cache
def dataset_window(name: str, start: float) -> tuple[Discrete, Discrete]:
    """``(input, output)`` token distributions of one 6-hour window."""
    window = _dataset(name)[str(int(start))]
    return _discrete(window["input"]), _discrete(window["output"])


@cache
def azure_pairs(kind: str) -> np.ndarray:
    """``(context_tokens, generated_tokens)`` rows of the Azure ``code`` or ``conv`` trace."""
    path = data_dir() / "azure_llm_2023" / f"AzureLLMInferenceTrace_{kind}.csv"
    return np.loadtxt(path, delimiter=",", skiprows=1, usecols=(1, 2), dtype=np.int64)


@cache
def mooncake_pairs() -> np.ndarray:
    """``(input_length, output_length)`` rows of the Mooncake conversation trace."""
    path = data_dir() / "mooncake" / "conversation_trace.jsonl"
    rows = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    return np.array([(r["input_length"], r["output_length"]) for r in rows], dtype=np.int64)
