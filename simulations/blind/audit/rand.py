"""Fast draws for hot paths (numpy's ``choice`` costs ~10 us per call)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def pick(rng: np.random.Generator, seq: Sequence[T]) -> T:
    return seq[int(rng.random() * len(seq))]


def wpick(rng: np.random.Generator, weights: Mapping[str, float]) -> str:
    """A key of ``weights`` drawn in proportion to its weight (keys in sorted order)."""
    names = sorted(weights)
    total = sum(weights[n] for n in names)
    u = rng.random() * total
    for name in names:
        u -= weights[name]
        if u < 0:
            return name
    return names[-1]
