"""The real traffic data the simulator is grounded in, read from the packaged digest.

``simulations/data/realdata.npz`` is built from ``shared/data`` by ``python -m
simulations.digest`` (see ``simulations/data/README.md`` for sources and licences). It
holds every ServeGen client's active 600 s windows (rate exactly; inter-arrival fit family;
shape as float32) and, exactly, the Azure 2023 and Mooncake token pairs; and, as 256 quantiles
per 6-hour window, the token-length distributions of the ServeGen clients the personas
draw on. One ``np.load`` replaces parsing 41 MB, and the simulator runs where the raw data
is absent (an installed package, a container).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

WINDOW_S = 600.0
DATASET_WINDOW_S = 21_600.0
TRACE_WINDOWS = 2016  # 14 days of 600 s windows
FIT_NONE, FIT_GAMMA, FIT_WEIBULL = 0, 1, 2
DIGEST = Path(__file__).resolve().parent / "data" / "realdata.npz"


@dataclass(frozen=True)
class ClientTrace:
    """One real API client: per 600 s window its rate, inter-arrival fit family and shape.

    The fitted scale is dropped on purpose: the simulator rescales each window's
    distribution so its mean matches ``rate`` (times a scenario factor), keeping the shape
    and so the burstiness (CV) of the real client.
    """

    name: str
    rate: np.ndarray
    fit: np.ndarray
    shape: np.ndarray

    @property
    def windows(self) -> int:
        return int(self.rate.shape[0])


@dataclass(frozen=True)
class TraceSummary:
    name: str
    active_windows: int
    mean_active_rate: float
    peak_rate: float

    @property
    def active_share(self) -> float:
        return self.active_windows / TRACE_WINDOWS


@dataclass(frozen=True)
class Discrete:
    """A discrete distribution over token counts, sampled by inverse CDF."""

    values: np.ndarray
    cdf: np.ndarray

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        idx = np.searchsorted(self.cdf, rng.random(n) * self.cdf[-1], side="right")
        return self.values[np.minimum(idx, len(self.values) - 1)]

    def median(self) -> float:
        return float(self.values[np.searchsorted(self.cdf, self.cdf[-1] / 2)])


@cache
def _digest() -> dict[str, np.ndarray]:
    if not DIGEST.is_file():
        raise FileNotFoundError(f"{DIGEST} is missing: build it with python -m simulations.digest")
    with np.load(DIGEST) as z:
        return {key: z[key] for key in z.files}


@cache
def client_names() -> tuple[str, ...]:
    """Every ServeGen client as ``group/chunk-N``, in a fixed order."""
    return tuple(str(n) for n in _digest()["trace_names"])


@cache
def _trace_rows() -> dict[str, np.ndarray]:
    d = _digest()
    client = d["trace_client"]
    bounds = np.searchsorted(client, np.arange(len(client_names()) + 1))
    return {name: np.arange(bounds[i], bounds[i + 1]) for i, name in enumerate(client_names())}


@cache
def load_trace(name: str) -> ClientTrace:
    d, rows = _digest(), _trace_rows()[name]
    windows = d["trace_window"][rows]

    def dense(values: np.ndarray, dtype: type) -> np.ndarray:
        out: np.ndarray = np.zeros(TRACE_WINDOWS, dtype=dtype)
        out[windows] = values[rows]
        return out

    return ClientTrace(
        name,
        rate=dense(d["trace_rate"], np.float64),
        fit=dense(d["trace_fit"], np.int8),
        shape=dense(d["trace_shape"], np.float64),
    )


@cache
def summaries() -> tuple[TraceSummary, ...]:
    out = []
    for name in client_names():
        trace = load_trace(name)
        active = trace.rate > 0
        if active.any():
            out.append(
                TraceSummary(
                    name=name,
                    active_windows=int(active.sum()),
                    mean_active_rate=float(trace.rate[active].mean()),
                    peak_rate=float(trace.rate.max()),
                )
            )
    return tuple(out)


def dataset_starts(name: str) -> tuple[float, ...]:
    """Start (seconds) of each 6-hour window of the client that has token data."""
    d = _digest()
    names = [str(n) for n in d["ds_names"]]
    if name not in names:
        return ()
    mine = d["ds_client"] == names.index(name)
    return tuple(float(s) for s in d["ds_start"][mine])


@cache
def dataset_window(name: str, start: float) -> tuple[Discrete, Discrete]:
    """``(input, output)`` token distributions of one 6-hour window (256 quantiles each)."""
    d = _digest()
    index = [str(n) for n in d["ds_names"]].index(name)
    row = int(np.flatnonzero((d["ds_client"] == index) & (d["ds_start"] == int(start)))[0])
    knots = np.arange(1, d["ds_in"].shape[1] + 1, dtype=np.float64)
    return Discrete(d["ds_in"][row], knots), Discrete(d["ds_out"][row], knots)


def azure_pairs(kind: str) -> np.ndarray:
    """``(context_tokens, generated_tokens)`` rows of the Azure ``code`` or ``conv`` trace."""
    return _digest()[f"azure_{kind}"]


def mooncake_pairs() -> np.ndarray:
    """``(input_length, output_length)`` rows of the Mooncake conversation trace."""
    return _digest()["mooncake"]
