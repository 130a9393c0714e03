"""Token-length models: ``(prompt_tokens, completion_tokens)`` pairs per request.

Benign sources are real: joint pairs from the Azure LLM 2023 traces (``azure_code``,
``azure_conv``) and Mooncake (``mooncake``), or the per-client, per-6-hour distributions of
ServeGen's ``dataset.json`` (``sg_*`` pools; each pool is a few real clients chosen by the
shape of their distributions, see ``SERVEGEN_POOLS``). Attack sources (``harvest``,
``rubric``, ``probe``) are parametric: harvesting asks for long answers by design, and no
public trace records it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simulations.realdata import (
    DATASET_WINDOW_S,
    Discrete,
    azure_pairs,
    dataset_starts,
    dataset_window,
    mooncake_pairs,
)

# Chosen from the medians of each client's dataset.json (input / output tokens):
# tiny outputs = labels (e.g. chunk-12: 40 / 1), input-heavy = RAG and summaries
# (chunk-39: 1502 / 75), long outputs = generation (chunk-6: 571 / 214), short both ways =
# chat-like or translation (chunk-18: 46 / 51), medium = evaluation-like (chunk-7: 346 / 17).
SERVEGEN_POOLS = {
    "sg_tiny": ("chunk-12", "chunk-14", "chunk-17", "chunk-27", "chunk-29", "chunk-24"),
    "sg_input_heavy": ("chunk-2", "chunk-16", "chunk-19", "chunk-21", "chunk-35", "chunk-39",
                       "chunk-41"),
    "sg_long_output": ("chunk-6", "chunk-9", "chunk-30", "chunk-36"),
    "sg_short": ("chunk-18", "chunk-13", "chunk-33"),
    "sg_medium": ("chunk-7", "chunk-31", "chunk-26", "chunk-40"),
}  # fmt: skip

Sampler = Callable[[np.random.Generator, int], tuple[np.ndarray, np.ndarray]]


def _pairs(table: np.ndarray) -> Sampler:
    def sample(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        rows = table[rng.integers(0, table.shape[0], n)]
        return rows[:, 0].copy(), rows[:, 1].copy()

    return sample


def _servegen(inp: Discrete, out: Discrete) -> Sampler:
    def sample(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        return inp.sample(rng, n), out.sample(rng, n)

    return sample


def _lognormal(p_median: float, p_sigma: float, c_median: float, c_sigma: float) -> Sampler:
    def sample(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        prompt = rng.lognormal(np.log(p_median), p_sigma, n)
        completion = rng.lognormal(np.log(c_median), c_sigma, n)
        return prompt.astype(np.int64) + 1, completion.astype(np.int64) + 1

    return sample


# (prompt median, prompt sigma, answer median, answer sigma) of the attack sources.
_PARAMETRIC = {
    "harvest": (160.0, 0.6, 1300.0, 0.55),
    "rubric": (520.0, 0.45, 320.0, 0.5),
    "probe": (9.0, 0.5, 1.0, 0.0),
}


def servegen_sampler(client: str, offset_s: float) -> Sampler:
    """The client's token distributions for the 6-hour window nearest ``offset_s``."""
    name = f"m-small/{client}"
    starts = dataset_starts(name)
    if not starts:
        return _pairs(azure_pairs("conv"))
    nearest = min(starts, key=lambda w: abs(w + DATASET_WINDOW_S / 2 - offset_s))
    return _servegen(*dataset_window(name, nearest))


@dataclass
class TokenModel:
    """Pre-samples pairs in blocks so that per-request draws cost a list index."""

    sampler: Sampler
    rng: np.random.Generator
    out_scale: float = 1.0
    block: int = 256

    def __post_init__(self) -> None:
        self._prompt: list[int] = []
        self._completion: list[int] = []
        self._i = 0

    def next(self) -> tuple[int, int]:
        if self._i >= len(self._prompt):
            prompt, completion = self.sampler(self.rng, self.block)
            if self.out_scale != 1.0:
                completion = np.maximum(1, (completion * self.out_scale).astype(np.int64))
            self._prompt = prompt.astype(np.int64).tolist()
            self._completion = completion.astype(np.int64).tolist()
            self._i = 0
            # Blocks grow so that big accounts pay for few numpy calls.
            self.block = min(self.block * 2, 8192)
        i = self._i
        self._i += 1
        return max(1, self._prompt[i]), max(0, self._completion[i])


def sampler_for(
    source: str, pick: float, offset_s: float, answer: tuple[float, float] | None = None
) -> Sampler:
    """The sampler named ``source``; ``pick`` in [0, 1) chooses a client within a pool.

    ``answer`` = (median, sigma) replaces the answer length of a parametric source."""
    if source in ("azure_code", "azure_conv"):
        return _pairs(azure_pairs(source.removeprefix("azure_")))
    if source == "mooncake":
        return _pairs(mooncake_pairs())
    if source in SERVEGEN_POOLS:
        pool = SERVEGEN_POOLS[source]
        return servegen_sampler(pool[int(pick * len(pool))], offset_s)
    if source in _PARAMETRIC:
        p_median, p_sigma, c_median, c_sigma = _PARAMETRIC[source]
        if answer is not None:
            c_median, c_sigma = answer
        return _lognormal(p_median, p_sigma, c_median, c_sigma)
    raise KeyError(f"unknown token source {source!r}")
