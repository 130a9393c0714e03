"""Put the population and the campaigns together and write events and labels."""

from __future__ import annotations

import gzip
import json
import random
import time
from pathlib import Path

from . import campaigns_a, campaigns_b
from .core import Sink
from .population import build_population

CAMPAIGNS = {
    "bulk_cot": campaigns_a.bulk_cot,
    "logit_probe": campaigns_a.logit_probe,
    "model_pivot": campaigns_a.model_pivot,
    "rubric": campaigns_a.rubric,
    "hydra": campaigns_b.hydra,
    "slow_drip": campaigns_b.slow_drip,
    "chat_mimicry": campaigns_b.chat_mimicry,
    "multilingual_cot": campaigns_b.multilingual_cot,
}


def generate(out: Path, seed: int = 1, scale: float = 1.0, hours: float = 6.0) -> dict[str, object]:
    """Write ``out/events.jsonl.gz`` and ``out/labels.jsonl``; return a summary."""
    began = time.monotonic()
    sink = Sink(seed, hours)
    build_population(sink, random.Random(f"{seed}/benign"), scale, hours)
    for name, run in CAMPAIGNS.items():
        run(sink, random.Random(f"{seed}/{name}"), scale, hours)
    sink.rows.sort(key=lambda row: row[0])
    out.mkdir(parents=True, exist_ok=True)
    with (
        open(out / "events.jsonl.gz", "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=5, mtime=0) as fh,
    ):
        fh.write(b"\n".join(row[1] for row in sink.rows) + b"\n")
    accounts = sorted(sink.accounts.values(), key=lambda a: a.account_id)
    with open(out / "labels.jsonl", "w") as fh:
        for acct in accounts:
            fh.write(json.dumps(acct.label_row(), separators=(", ", ": ")) + "\n")
    attack = [a for a in accounts if a.label == "attack"]
    return {
        "events": len(sink.rows),
        "accounts": len(accounts),
        "attack_accounts": len(attack),
        "attack_events": sum(a.events for a in attack),
        "heavy_accounts": sum(a.heavy for a in accounts),
        "campaign_types": sorted({a.campaign_type for a in attack if a.campaign_type}),
        "seconds": round(time.monotonic() - began, 1),
    }
