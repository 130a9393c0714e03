"""Offline detection: a JSONL file in, the contract's verdict lines out.

The same pipeline as the streaming worker, with the embedded store, fed by the
file source (service/sources/file.py), which reads the file by the workers'
rules: events refused by the event clock, epochs per partition, released epoch
by epoch. Lines that break the contract are counted and reported, never fatal.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from tqdm import tqdm

from service import metrics
from service.features.observation import COLUMN
from service.gc_tuning import throughput_gc
from service.pipeline import Pipeline
from service.settings import Settings
from service.sources.file import FileSource
from service.state.account import FirstFlag
from service.state.factory import make_enrichment
from service.state.links import LinkStore
from service.state.memory import MemoryStore

# Expire idle accounts from the embedded store every this many seconds of event time.
_EXPIRY_EVERY_S = 600.0
_MAX_LISTED_REJECTIONS = 20


@dataclass
class DetectSummary:
    events: int = 0
    rejected: int = 0
    duplicates: int = 0
    rechecks: int = 0
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
            f"rechecks of silent accounts: {self.rechecks}",
            f"flagged: {sum(self.flagged.values())} ({flagged})",
        ]


def verdict_line(account_id: str, flag: FirstFlag) -> dict[str, Any]:
    """One line of the offline verdict file, as the contract defines it, plus ``explanation``
    (the signals behind the first flag; readers of the contract ignore fields they do not know)."""
    return {
        "account_id": account_id,
        "action": flag.strongest,
        "score": round(min(max(flag.score, 0.0), 1.0), 4),
        "first_flagged_ts": flag.ts,
        "first_flagged_event_id": flag.event_id,
        "events_before_flag": flag.events_before,
        "reasons": flag.reasons,
        "cluster_id": flag.cluster_id,
        "families": flag.families,
        "explanation": flag.explanation,
    }


def _detect(
    source: FileSource,
    store: MemoryStore,
    pipeline: Pipeline,
    summary: DetectSummary,
    flags: dict[str, FirstFlag],
    accounts: set[str],
    peaks: dict[str, float],
    progress: tqdm[Any],
) -> None:
    """The loop of :func:`detect_file`: every batch the file source releases, in order."""
    next_expiry = -1.0
    rejected = metrics.EVENTS_REJECTED
    for batch in source.batches():
        progress.update(batch.read)
        for number, reason in batch.rejected:
            summary.rejected += 1
            rejected.labels("file", reason.split(":", 1)[0]).inc()
            if len(summary.rejections) < _MAX_LISTED_REJECTIONS:
                summary.rejections.append(f"line {number}: {reason}")
        if not len(batch.observed):
            continue
        result = pipeline.process(batch.observed, batch.epochs)
        pipeline.commit(result)
        flags.update(result.flagged)
        accounts.update(result.states)
        for account, score in result.peaks.items():
            if score > peaks.get(account, 0.0):
                peaks[account] = score
        summary.events += result.applied
        summary.duplicates += result.duplicates
        summary.rechecks += result.rechecked
        now = float(batch.observed.columns()[COLUMN["ts"]].max())
        if now >= next_expiry:
            store.expire(now)
            next_expiry = now + _EXPIRY_EVERY_S


def detect_file(
    input_path: Path | str,
    output_path: Path | str,
    settings: Settings | None = None,
    show_progress: bool | None = None,
    links: LinkStore | None = None,
    scores_path: Path | str | None = None,
) -> DetectSummary:
    """Run detection over a JSONL(.gz) file; write one verdict line per flagged account.

    ``scores_path``: where to write every account's highest score, flagged or not
    (``{account_id, max_score}`` lines, what ``harvestguard evaluate --scores`` reads).
    ``links`` replaces the embedded link store (benchmarks/epoch_linkage.py)."""
    settings = settings or Settings()
    input_path, output_path = Path(input_path), Path(output_path)
    store = MemoryStore(settings.state_ttl_s, settings.max_accounts)
    pipeline = Pipeline(
        store, settings, links=links, source="file", enrichment=make_enrichment(settings, None)
    )
    summary = DetectSummary()
    flags: dict[str, FirstFlag] = {}
    accounts: set[str] = set()
    peaks: dict[str, float] = {}
    show = sys.stderr.isatty() if show_progress is None else show_progress
    progress = tqdm(total=input_path.stat().st_size, unit="B", unit_scale=True, disable=not show)
    started = time.perf_counter()
    source = FileSource.from_settings(input_path, settings)
    with throughput_gc():  # set before the child is forked: it runs with them too
        _detect(source, store, pipeline, summary, flags, accounts, peaks, progress)
    summary.seconds = time.perf_counter() - started
    progress.close()
    summary.accounts = len(accounts)
    summary.flagged = Counter(flag.strongest for flag in flags.values())
    with output_path.open("wb") as out:
        for account in sorted(flags, key=lambda a: (flags[a].ts, a)):
            out.write(orjson.dumps(verdict_line(account, flags[account])) + b"\n")
    if scores_path is not None:
        with Path(scores_path).open("wb") as out:
            for account in sorted(accounts):  # one not scored yet reached no score
                line = {"account_id": account, "max_score": round(peaks.get(account, 0.0), 4)}
                out.write(orjson.dumps(line) + b"\n")
    return summary
