"""Offline detection: a JSONL file in, the contract's verdict lines out.

The same pipeline as the streaming worker, with the embedded store, in file
(event-time) order. Reading, parsing and fingerprinting, the stateless half
of the work, run in a child process; the stateful half (windows, detector,
policy) runs here, on the text-free observations it sends back.
Lines that break the contract are counted and reported, never fatal.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

import orjson
from tqdm import tqdm

from service import metrics
from service.contract import iter_lines
from service.features.observation import (
    COLUMN,
    ObservedBatch,
    Parse,
    decode_batch,
    encode_batch,
    observe_records,
    parser,
)
from service.gc_tuning import throughput_gc
from service.pipeline import Pipeline
from service.settings import Settings
from service.state.account import FirstFlag
from service.state.links import LinkStore
from service.state.memory import MemoryStore
from service.watermark import PartitionEpochs

# Expire idle accounts from the embedded store every this many seconds of event time.
_EXPIRY_EVERY_S = 600.0
_MAX_LISTED_REJECTIONS = 20

Chunk = list[tuple[int, bytes]]
Observed = tuple[ObservedBatch, list[tuple[int, str]], int]
Encoded = tuple[bytes, list[tuple[int, str]], int]  # observations as MessagePack, for the queue


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


def observe_chunk(chunk: Chunk, parse: Parse) -> Observed:
    """Parse and observe numbered lines: observations, rejections, and the bytes read."""
    batch, rejected = observe_records([line for _, line in chunk], parse)
    return (
        batch,
        [(chunk[i][0], reason) for i, reason in rejected],
        sum(len(line) for _, line in chunk),
    )


def _chunks(path: Path, size: int) -> Iterator[Chunk]:
    lines = iter_lines(path)
    while chunk := list(islice(lines, size)):
        yield chunk


def _observe_file(
    path: Path, size: int, format: str, out: Queue[Encoded | BaseException | None]
) -> None:
    """The child process: read, parse and observe the file, chunk by chunk, into ``out``."""
    try:
        parse = parser(format)
        for chunk in _chunks(path, size):
            batch, rejected, read = observe_chunk(chunk, parse)
            out.put((encode_batch(batch), rejected, read))
        out.put(None)
    except BaseException as error:  # handed to the parent, raised there
        out.put(error)


def _observed(path: Path, size: int, format: str, in_child: bool) -> Iterator[Observed]:
    """Observed chunks of the file in order, read and parsed here or in one child process.

    One child is the most that helps: a gzip stream is read sequentially, and the
    parent's stateful half then runs beside it on the other core.
    """
    if not in_child:
        parse = parser(format)
        yield from (observe_chunk(chunk, parse) for chunk in _chunks(path, size))
        return
    # fork where it is safe (Linux): the child starts at once, without re-importing.
    context = (
        multiprocessing.get_context("fork")
        if sys.platform == "linux"
        else multiprocessing.get_context("spawn")
    )
    # Bounded: the file is never read whole into memory.
    chunks: Queue[Encoded | BaseException | None] = context.Queue(maxsize=8)
    child = context.Process(target=_observe_file, args=(path, size, format, chunks), daemon=True)
    child.start()
    try:
        while (item := chunks.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            encoded, rejected, read = item
            yield decode_batch(encoded), rejected, read
    finally:
        child.join(timeout=1)
        if child.is_alive():
            child.terminate()


def _detect(
    input_path: Path,
    settings: Settings,
    store: MemoryStore,
    pipeline: Pipeline,
    summary: DetectSummary,
    flags: dict[str, FirstFlag],
    accounts: set[str],
    progress: tqdm[Any],
) -> None:
    """The loop of :func:`detect_file`: every chunk of the file through the pipeline."""
    next_expiry = -1.0
    rejected = metrics.EVENTS_REJECTED
    epochs = PartitionEpochs()
    for batch, rejections, size in _observed(
        input_path, settings.batch_size, settings.input_format, settings.parse_in_child
    ):
        progress.update(size)
        for number, reason in rejections:
            summary.rejected += 1
            rejected.labels("file", reason.split(":", 1)[0]).inc()
            if len(summary.rejections) < _MAX_LISTED_REJECTIONS:
                summary.rejections.append(f"line {number}: {reason}")
        if not len(batch):
            continue
        columns = batch.columns()
        ts = columns[COLUMN["ts"]]
        result = pipeline.process(batch, epochs.assign(ts, columns[COLUMN["partition"]]))
        pipeline.commit(result)
        flags.update(result.flagged)
        accounts.update(result.states)
        summary.events += result.applied
        summary.duplicates += result.duplicates
        now = float(ts.max())
        if now >= next_expiry:
            store.expire(now)
            next_expiry = now + _EXPIRY_EVERY_S


def detect_file(
    input_path: Path | str,
    output_path: Path | str,
    settings: Settings | None = None,
    show_progress: bool | None = None,
    links: LinkStore | None = None,
) -> DetectSummary:
    """Run detection over a JSONL(.gz) file; write one verdict line per flagged account.

    ``links`` replaces the embedded link store (benchmarks/epoch_linkage.py)."""
    settings = settings or Settings()
    input_path, output_path = Path(input_path), Path(output_path)
    store = MemoryStore(settings.state_ttl_s, settings.max_accounts)
    pipeline = Pipeline(store, settings, links=links, source="file")
    summary = DetectSummary()
    flags: dict[str, FirstFlag] = {}
    accounts: set[str] = set()
    show = sys.stderr.isatty() if show_progress is None else show_progress
    progress = tqdm(total=input_path.stat().st_size, unit="B", unit_scale=True, disable=not show)
    started = time.perf_counter()
    with throughput_gc():  # set before the child is forked: it runs with them too
        _detect(input_path, settings, store, pipeline, summary, flags, accounts, progress)
    summary.seconds = time.perf_counter() - started
    progress.close()
    summary.accounts = len(accounts)
    summary.flagged = Counter(flag.strongest for flag in flags.values())
    with output_path.open("wb") as out:
        for account in sorted(flags, key=lambda a: (flags[a].ts, a)):
            out.write(orjson.dumps(verdict_line(account, flags[account])) + b"\n")
    return summary
