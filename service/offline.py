"""Offline detection: a JSONL file in, the contract's verdict lines out.

The same pipeline as the streaming worker, with the embedded store, in
event-time order. Lines that break the contract are counted and reported on
stderr, never fatal.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from tqdm import tqdm

from service import metrics
from service.contract import InvalidEvent, iter_lines, parse_event
from service.pipeline import Envelope, Pipeline
from service.settings import Settings
from service.state.account import FirstFlag
from service.state.memory import MemoryStore

# Expire idle accounts from the embedded store every this many seconds of event time.
_EXPIRY_EVERY_S = 600.0


@dataclass
class DetectSummary:
    events: int = 0
    rejected: int = 0
    duplicates: int = 0
    accounts: int = 0
    flagged: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    rejections: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        rate = self.events / self.seconds if self.seconds else 0.0
        flagged = ", ".join(f"{a} {n}" for a, n in sorted(self.flagged.items())) or "none"
        return [
            f"events: {self.events} ({rate:,.0f}/s in {self.seconds:.1f} s)",
            f"rejected lines: {self.rejected}",
            f"duplicate events: {self.duplicates}",
            f"accounts: {self.accounts}",
            f"flagged: {sum(self.flagged.values())} ({flagged})",
        ]


def verdict_line(account_id: str, flag: FirstFlag) -> dict[str, Any]:
    """One line of the offline verdict file, as the contract defines it."""
    return {
        "account_id": account_id,
        "action": flag.strongest,
        "score": round(min(max(flag.score, 0.0), 1.0), 4),
        "first_flagged_ts": flag.ts,
        "first_flagged_event_id": flag.event_id,
        "events_before_flag": flag.events_before,
        "reasons": flag.reasons,
        "cluster_id": flag.cluster_id,
    }


def _batches(
    path: Path, size: int, summary: DetectSummary, progress: tqdm[Any] | None
) -> Iterator[list[Envelope]]:
    rejected = metrics.EVENTS_REJECTED
    batch: list[Envelope] = []
    for number, line in iter_lines(path):
        if progress is not None:
            progress.update(len(line))
        try:
            batch.append(Envelope(parse_event(line)))
        except InvalidEvent as error:
            summary.rejected += 1
            rejected.labels("file", error.reason.split(":", 1)[0]).inc()
            if len(summary.rejections) < 20:
                summary.rejections.append(f"line {number}: {error.reason}")
            continue
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def detect_file(
    input_path: Path | str,
    output_path: Path | str,
    settings: Settings | None = None,
    show_progress: bool | None = None,
) -> DetectSummary:
    """Run detection over a JSONL(.gz) file and write one verdict line per flagged account.

    Events are processed in file order, which the contract's producers keep
    sorted by ``ts``; the windows accept events that arrive slightly late.
    """
    settings = settings or Settings()
    input_path, output_path = Path(input_path), Path(output_path)
    store = MemoryStore(ttl_s=settings.state_ttl_s)
    pipeline = Pipeline(store, settings, source="file")
    summary = DetectSummary()
    flags: dict[str, FirstFlag] = {}
    accounts: set[str] = set()
    show = sys.stderr.isatty() if show_progress is None else show_progress
    progress = (
        tqdm(total=input_path.stat().st_size, unit="B", unit_scale=True, file=sys.stderr)
        if show
        else None
    )
    started = time.perf_counter()
    next_expiry = None
    for batch in _batches(input_path, settings.batch_size, summary, progress):
        result = pipeline.process(batch)
        pipeline.commit(result)
        flags.update(result.flagged)
        accounts.update(result.states)
        summary.events += result.applied
        summary.duplicates += result.duplicates
        now = batch[-1].event.ts
        if next_expiry is None or now >= next_expiry:
            store.expire(now)
            next_expiry = now + _EXPIRY_EVERY_S
    summary.seconds = time.perf_counter() - started
    if progress is not None:
        progress.close()
    summary.accounts = len(accounts)
    summary.flagged = Counter(flag.strongest for flag in flags.values())
    with output_path.open("wb") as out:
        for account in sorted(flags, key=lambda a: (flags[a].ts, a)):
            out.write(orjson.dumps(verdict_line(account, flags[account])) + b"\n")
    return summary
