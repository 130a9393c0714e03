"""One run: the window, the honest population, the heavy customers, the six campaigns."""

from __future__ import annotations

from pathlib import Path

from . import benign, campaigns_a, campaigns_b, heavy
from .clock import release_ts, window
from .emit import Sink
from .ops import Run
from .world import Ids


def generate(out: Path, seed: int = 1, scale: float = 1.0, hours: float = 6.0) -> Sink:
    """Write ``out``/events.jsonl.gz and ``out``/labels.jsonl; returns the filled sink."""
    if scale <= 0 or hours <= 0:
        raise ValueError("scale and hours must be positive")
    t0, t1 = window(hours)
    release = release_ts(hours)
    ids = Ids(seed)
    sink = Sink(seed, t0, t1)
    # Small test runs also shrink per-account volumes so that they stay fast.
    factor = min(1.0, scale / 0.25)
    benign.run(seed, scale, t0, t1, release, ids, sink)
    heavy.run(seed, scale, t0, t1, release, ids, sink)
    run = Run(seed, t0, t1, release, scale, factor, ids, sink)
    for campaign in (
        campaigns_a.bulk_cot,
        campaigns_a.logit_probe,
        campaigns_a.model_pivot,
        campaigns_b.hydra,
        campaigns_b.slow_drip,
        campaigns_b.chat_mimicry,
    ):
        campaign(run)
    sink.write(out)
    return sink
