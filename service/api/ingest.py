"""Push ingestion: an HTTP body of events through the same pipeline as Kafka's.

A body is one event, a JSON array of events, or NDJSON (one per line),
optionally gzip-encoded. Each record is parsed on its own: a broken one is
reported with its position and the reason, and the valid ones are processed.
Batches go through the pipeline one at a time (a lock): pipeline state is per
process, so push ingestion must reach one API process, see the README.
"""

from __future__ import annotations

import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np

from service import metrics
from service.adapters import ADAPTERS
from service.eventtime import EventClock
from service.features.observation import COLUMN, ObservedBatch, observe_records, parser
from service.pipeline import Pipeline
from service.sinks import KafkaAlerts, PublishFailed
from service.state.alert_log import AlertLog
from service.state.memory import MemoryStore
from service.watermark import PartitionEpochs

FORMATS: tuple[str, ...] = tuple(ADAPTERS)
# Rejections listed in one response; the count covers them all.
MAX_LISTED_REJECTIONS = 1000
_MAX_REASON_CHARS = 200
_EXPIRY_EVERY_S = 600.0


class BodyTooLarge(ValueError):
    pass


class BadBody(ValueError):
    """The body as a whole cannot be read: bad gzip, or a JSON array that is not JSON."""


def inflate(body: bytes, encoding: str, max_bytes: int) -> bytes:
    """The body without its Content-Encoding, refusing to grow past ``max_bytes``."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip"):
        raise BadBody(f"Content-Encoding {encoding!r} is not supported (gzip is)")
    out: list[bytes] = []
    size = 0
    data = body
    try:
        while data:
            # Bounded output per call: a small bomb cannot inflate to gigabytes here.
            inflater = zlib.decompressobj(wbits=31)
            chunk = inflater.decompress(data, max_bytes + 1 - size)
            while chunk:
                out.append(chunk)
                size += len(chunk)
                if size > max_bytes:
                    raise BodyTooLarge(f"body inflates past {max_bytes} bytes")
                chunk = inflater.decompress(inflater.unconsumed_tail, max_bytes + 1 - size)
            if not inflater.eof:
                raise BadBody("gzip body is truncated")
            data = inflater.unused_data  # gzip allows several members in a row
    except zlib.error as error:
        raise BadBody(f"gzip body is corrupt ({error})") from None
    return b"".join(out)


NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/json-seq")


def split_records(body: bytes, ndjson: bool = False) -> list[tuple[int, bytes]]:
    """``(position, raw record)`` pairs: the array index, or the 0-based line number.

    ``ndjson``: the sender declared NDJSON, so every line is a record, even one that
    starts with ``[``; otherwise the shape is guessed (array, one object, lines)."""
    text = body.strip()
    if not text:
        return []
    if ndjson:
        return [(number, line) for number, line in enumerate(body.split(b"\n")) if line.strip()]
    if text[:1] == b"[":
        try:
            items = msgspec.json.decode(text, type=list[msgspec.Raw])
        except msgspec.DecodeError as error:
            raise BadBody(f"body is not a JSON array ({error})") from None
        return [(index, bytes(item)) for index, item in enumerate(items)]
    if b"\n" not in text:
        return [(0, text)]
    try:
        # A pretty-printed single object spans lines too: take it whole if it is one value.
        msgspec.json.decode(text)
        return [(0, text)]
    except msgspec.DecodeError:
        pass
    return [(number, line) for number, line in enumerate(body.split(b"\n")) if line.strip()]


@dataclass(slots=True)
class IngestReport:
    received: int = 0
    applied: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    rejected_count: int = 0
    alerts: int = 0
    alerts_published: bool | None = None

    def reject(self, position: int, reason: str) -> None:
        self.rejected_count += 1
        metrics.EVENTS_REJECTED.labels("http", reason.split(":", 1)[0]).inc()
        if len(self.rejected) < MAX_LISTED_REJECTIONS:
            self.rejected.append({"index": position, "reason": reason[:_MAX_REASON_CHARS]})

    def body(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "applied": self.applied,
            "duplicates": self.duplicates,
            "rejected_count": self.rejected_count,
            "rejected": self.rejected,
            "alerts": self.alerts,
            "alerts_published": self.alerts_published,
        }


class Ingestor:
    """Runs pushed batches through the pipeline, then the sinks, then the store."""

    def __init__(
        self, pipeline: Pipeline, alert_log: AlertLog, publisher: KafkaAlerts | None
    ) -> None:
        self.pipeline = pipeline
        settings = pipeline.settings
        self._adapter_options = (settings.account_from, settings.trusted_proxies)
        self.alert_log = alert_log
        self.publisher = publisher
        self._lock = threading.Lock()
        self._next_expiry = -1.0
        # Pushed events have no partition: one running epoch for the whole push stream,
        # and one clock, the server's, for what is too far ahead.
        self._epochs = PartitionEpochs()
        self._clock = EventClock(settings.future_skew_s, settings.max_lateness_s)

    def observe(
        self, records: list[tuple[int, bytes]], fmt: str
    ) -> tuple[ObservedBatch, list[int], IngestReport]:
        """Parse and fingerprint each record (no lock needed: this touches no state): the
        batch, the position of each of its rows among ``records``, the report so far."""
        if fmt not in ADAPTERS:
            raise LookupError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
        report = IngestReport(received=len(records))
        parse = parser(fmt, *self._adapter_options)
        batch, rejected = observe_records([raw for _, raw in records], parse)
        refused = {index for index, _ in rejected}
        for index, reason in rejected:
            report.reject(records[index][0], reason)
        return batch, [i for i in range(len(records)) if i not in refused], report

    def ingest(self, records: list[tuple[int, bytes]], fmt: str = "contract") -> IngestReport:
        started = time.perf_counter()
        batch, rows, report = self.observe(records, fmt)
        if len(batch):
            with self._lock:
                batch = self._timely(batch, [records[i][0] for i in rows], report)
                if len(batch):
                    self._apply(batch, report)
        metrics.BATCH_EVENTS.labels("http").observe(len(records))
        metrics.BATCH_SECONDS.labels("http").observe(time.perf_counter() - started)
        return report

    def _timely(
        self, batch: ObservedBatch, positions: list[int], report: IngestReport
    ) -> ObservedBatch:
        """The rows whose time the server's clock and the push stream's time accept."""
        columns = batch.columns()
        now = np.full(len(batch), time.time())
        untimely = self._clock.check(columns[COLUMN["ts"]], columns[COLUMN["partition"]], now)
        if not untimely:
            return batch
        for index, reason in untimely:
            report.reject(positions[index], reason)
        keep = np.ones(len(batch), dtype=bool)
        keep[[index for index, _ in untimely]] = False
        return batch.take(np.flatnonzero(keep))

    def _apply(self, batch: ObservedBatch, report: IngestReport) -> None:
        pipeline = self.pipeline
        store = pipeline.store
        embedded = isinstance(store, MemoryStore)
        columns = batch.columns()
        ts = columns[COLUMN["ts"]]
        result = pipeline.process(batch, self._epochs.assign(ts, columns[COLUMN["partition"]]))
        if self.publisher is not None and result.alerts:
            try:
                self.publisher.publish(result.alerts)
                report.alerts_published = True
            except PublishFailed:
                if not embedded:
                    # Nothing written yet: the client's retry is applied exactly once.
                    raise
                # The embedded store already holds the batch (its states are live objects):
                # a retry would count it twice, so the alerts stay in the log, unpublished.
                report.alerts_published = False
        # Before the state: if the state write fails, the retry logs the same alert_id again
        # (at least once, as on Kafka) rather than never.
        self.alert_log.append(result.alerts)
        pipeline.commit(result)
        report.applied, report.duplicates = result.applied, result.duplicates
        report.alerts = len(result.alerts)
        if isinstance(store, MemoryStore):
            now = float(ts.max())
            if now >= self._next_expiry:
                store.expire(now)
                self._next_expiry = now + _EXPIRY_EVERY_S
