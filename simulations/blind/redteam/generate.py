"""Build the population, run every campaign, and write events.jsonl.gz and labels.jsonl."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from .campaigns_a import bulk_cot, logit_probe, model_pivot, multilingual_cot, rubric
from .campaigns_b import chat_mimicry, hydra, slow_drip
from .common import rfc3339
from .heavy import add_heavy
from .population import add_enterprises, add_nats, add_standalone
from .world import World

CAMPAIGNS = [
    bulk_cot,
    logit_probe,
    model_pivot,
    hydra,
    slow_drip,
    chat_mimicry,
    rubric,
    multilingual_cot,
]


def build(seed: int = 1, scale: float = 1.0, hours: float = 6.0) -> World:
    w = World(seed=seed, scale=scale, hours=hours)
    add_standalone(w)
    add_enterprises(w)
    add_nats(w)
    add_heavy(w)
    for campaign in CAMPAIGNS:
        campaign(w)
    return w


def write(w: World, out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[float, dict]] = []
    labels = []
    for a in w.accounts:
        evs = [(t, ev) for t, ev in a.events if w.t0 <= t < w.t1]
        if not evs:
            continue
        rows.extend(evs)
        labels.append(
            {
                "account_id": a.account_id,
                "label": a.label,
                "persona": a.persona,
                "campaign": a.campaign,
                "campaign_type": a.campaign_type,
                "heavy": a.heavy,
                "enterprise": a.enterprise,
                "nat": a.nat,
                "events": len(evs),
                "completion_tokens": sum(ev["completion_tokens"] for _, ev in evs),
            }
        )
    rows.sort(key=lambda x: (x[0], x[1]["event_id"]))
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with gzip.GzipFile(out / "events.jsonl.gz", "wb", compresslevel=4, mtime=0) as h:
        buf: list[str] = []
        for t, ev in rows:
            buf.append(dumps({"event_id": ev.pop("event_id"), "ts": rfc3339(t), **ev}))
            if len(buf) >= 20000:
                h.write(("\n".join(buf) + "\n").encode())
                buf = []
        if buf:
            h.write(("\n".join(buf) + "\n").encode())
    labels.sort(key=lambda x: x["account_id"])
    with open(out / "labels.jsonl", "w") as h:
        for lab in labels:
            h.write(json.dumps(lab) + "\n")
    return {
        "events": len(rows),
        "accounts": len(labels),
        "attack_accounts": sum(lab["label"] == "attack" for lab in labels),
        "heavy": sum(lab["heavy"] for lab in labels),
    }
