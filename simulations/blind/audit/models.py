"""The provider's model catalogue (invented names) and how each one answers.

Latency is time to last byte: queueing, a prefill that grows with the prompt, then
decoding at the model's speed; hidden reasoning tokens decode before the visible answer.
``completion_tokens`` includes the reasoning tokens, as the usual API usage block does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Model:
    name: str
    kind: str  # chat | reasoning | code | embed
    tps: float  # decode tokens per second
    ttft: float  # seconds to first token for a short prompt
    ctx: int  # context window


NEW_MODEL = "aster-r2"  # released during the window (clock.release_ts)

CATALOGUE: dict[str, Model] = {
    m.name: m
    for m in (
        Model("aster-2-mini", "chat", 170.0, 0.25, 128_000),
        Model("aster-2", "chat", 95.0, 0.40, 200_000),
        Model("aster-2-pro", "chat", 48.0, 0.70, 200_000),
        Model("aster-r1-mini", "reasoning", 140.0, 0.60, 200_000),
        Model("aster-r1", "reasoning", 62.0, 1.00, 200_000),
        Model(NEW_MODEL, "reasoning", 75.0, 0.90, 400_000),
        Model("aster-coder-2", "code", 120.0, 0.30, 256_000),
        Model("aster-1.5", "chat", 80.0, 0.50, 32_000),
        Model("aster-embed-3", "embed", 0.0, 0.05, 8_192),
        Model("aster-embed-3-small", "embed", 0.0, 0.03, 8_192),
    )
}

# Dated snapshots that pinned integrations send instead of the floating alias.
SNAPSHOTS: dict[str, tuple[str, ...]] = {
    "aster-2-mini": ("aster-2-mini-2026-07-22",),
    "aster-2": ("aster-2-2026-05-13", "aster-2-2026-09-30"),
    "aster-2-pro": ("aster-2-pro-2026-09-30",),
    "aster-r1": ("aster-r1-2026-06-18",),
}


def base(name: str) -> Model:
    """The catalogue entry of a model name or one of its dated snapshots."""
    if name in CATALOGUE:
        return CATALOGUE[name]
    for alias, snaps in SNAPSHOTS.items():
        if name in snaps:
            return CATALOGUE[alias]
    raise KeyError(name)


def pinned(rng: np.random.Generator, name: str, share: float) -> str:
    """The name an integration sends: the alias, or with probability ``share`` a snapshot."""
    snaps = SNAPSHOTS.get(name)
    if snaps and rng.random() < share:
        return snaps[int(rng.random() * len(snaps))]
    return name


def is_reasoning(name: str) -> bool:
    return base(name).kind == "reasoning"


def reasoning_tokens(rng: np.random.Generator, name: str, hardness: float) -> int:
    """Hidden reasoning of a reasoning model; ``hardness`` in [0, 1] scales the effort."""
    if not is_reasoning(name):
        return 0
    median = 180.0 + 3200.0 * hardness**1.5
    if base(name).name.endswith("mini"):
        median *= 0.6
    return int(min(rng.lognormal(np.log(median), 0.7), 30_000))


def latency_ms(
    rng: np.random.Generator, name: str, prompt_tokens: int, completion_tokens: int, n: int = 1
) -> float:
    m = base(name)
    queue = rng.exponential(0.08)
    if m.kind == "embed":
        return round((queue + m.ttft + prompt_tokens / 60_000.0) * 1000.0, 1)
    prefill = m.ttft + prompt_tokens / 9_000.0
    per_choice = completion_tokens / max(n, 1)
    decode = per_choice / (m.tps * (0.75 + 0.45 * rng.random()))
    return round((queue + prefill + decode) * 1000.0 * float(rng.lognormal(0.0, 0.12)), 1)
