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


class TooManyRecords(BodyTooLarge):
    pass


class BadBody(ValueError):
    """The body as a whole cannot be read: bad gzip, or a JSON array that is not JSON."""


# Input fed to the inflater at a time: small at first, so that a member of a few bytes
# costs a few bytes (a body of 100,000 empty members is not 100,000 copies of the rest),
# doubling so that a large member is fed in large blocks.
_FIRST_FEED = 64
_MAX_FEED = 1 << 20


def inflate(body: bytes, encoding: str, max_bytes: int, max_members: int = 1_000) -> bytes:
    """The body without its Content-Encoding, refusing to grow past ``max_bytes`` or to
    hold more than ``max_members`` gzip members; time linear in the body and the output."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip"):
        raise BadBody(f"Content-Encoding {encoding!r} is not supported (gzip is)")
    out: list[bytes] = []
    size = 0
    view = memoryview(body)
    position = members = 0
    try:
        while position < len(body):  # gzip allows several members in a row
            members += 1
            if members > max_members:
                raise BadBody(f"gzip body has more than {max_members} members")
            inflater = zlib.decompressobj(wbits=31)
            feed = _FIRST_FEED
            while not inflater.eof:
                if position >= len(body):
                    raise BadBody("gzip body is truncated")
                data: bytes | memoryview = view[position : position + feed]
                position += len(data)
                feed = min(2 * feed, _MAX_FEED)
                while data and not inflater.eof:
                    # Bounded output per call: a small bomb cannot inflate to gigabytes here.
                    chunk = inflater.decompress(data, max_bytes + 1 - size)
                    size += len(chunk)
                    if size > max_bytes:
                        raise BodyTooLarge(f"body inflates past {max_bytes} bytes")
                    out.append(chunk)
                    data = inflater.unconsumed_tail
            position -= len(inflater.unused_data)  # the next member's first bytes
    except zlib.error as error:
        raise BadBody(f"gzip body is corrupt ({error})") from None
    return b"".join(out)


NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/json-seq")


def _capped(records: list[tuple[int, bytes]], max_records: int) -> list[tuple[int, bytes]]:
    if len(records) > max_records:
        raise TooManyRecords(f"body has more than {max_records} records")
    return records


def _lines(body: bytes, max_records: int) -> list[tuple[int, bytes]]:
    # Blank lines are no records, but a body of millions of lines is refused unsplit.
    if body.count(b"\n") > 2 * max_records:
        raise TooManyRecords(f"body has more than {2 * max_records} lines")
    lines = [(number, line) for number, line in enumerate(body.split(b"\n")) if line.strip()]
    return _capped(lines, max_records)


def split_records(
    body: bytes, ndjson: bool = False, max_records: int = 50_000
) -> list[tuple[int, bytes]]:
    """``(position, raw record)`` pairs: the array index, or the 0-based line number.

    ``ndjson``: the sender declared NDJSON, so every line is a record, even one that
    starts with ``[``; otherwise the shape is guessed (array, one object, lines). More
    than ``max_records`` records raise :class:`TooManyRecords` before any is parsed."""
    text = body.strip()
    if not text:
        return []
    if ndjson:
        return _lines(body, max_records)
    if text[:1] == b"[":
        try:
            items = msgspec.json.decode(text, type=list[msgspec.Raw])
        except msgspec.DecodeError as error:
            raise BadBody(f"body is not a JSON array ({error})") from None
        except RecursionError:
            raise BadBody("body is nested too deeply") from None
        return _capped([(index, bytes(item)) for index, item in enumerate(items)], max_records)
    if b"\n" not in text:
        return [(0, text)]
    try:
        # A pretty-printed single object spans lines too: take it whole if it is one value.
        msgspec.json.decode(text)
        return [(0, text)]
    except (msgspec.DecodeError, RecursionError):
        pass
    return _lines(body, max_records)


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
        self._epochs = PartitionEpochs(settings.epoch_s)
        self._clock = EventClock(settings.future_skew_s, settings.max_lateness_s, settings.epoch_s)

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
