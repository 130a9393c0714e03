"""Replay events, ordered by ``ts``, into a file, Kafka or the sidecar's HTTP endpoint.

Speed is ``realtime`` (1x), ``Nx`` (N times faster, e.g. ``60x``) or ``max`` (as fast as the
sink takes them). Pacing follows event time: the wall-clock gap between two events is their
``ts`` gap divided by the speed factor; the pacer sleeps only when it is ahead.
"""

from __future__ import annotations

import gzip
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Protocol

import orjson
from tqdm import tqdm

from service.contract import iter_lines

Record = tuple[float, bytes, bytes]  # (ts, key = account id, value = event JSON)


def parse_speed(text: str | float | None) -> float | None:
    """``None`` for as fast as possible, else the time compression factor."""
    if text is None:
        return None
    if isinstance(text, int | float):
        factor = float(text)
    else:
        word = text.strip().lower()
        if word in ("max", "fast", "asap", "0"):
            return None
        if word in ("realtime", "real-time", "1x"):
            return 1.0
        factor = float(word.removesuffix("x"))
    if factor <= 0:
        raise ValueError(f"speed must be positive, realtime, Nx or max, not {text!r}")
    return factor


class Pacer:
    def __init__(self, speed: float | None) -> None:
        self.speed = speed
        self._origin: tuple[float, float] | None = None

    def wait(self, ts: float) -> None:
        if self.speed is None:
            return
        now = time.monotonic()
        if self._origin is None:
            self._origin = (ts, now)
            return
        delay = self._origin[1] + (ts - self._origin[0]) / self.speed - now
        # Sleeping for less than 2 ms costs more than the drift it corrects.
        if delay > 0.002:
            time.sleep(delay)


class Sink(Protocol):
    def send(self, key: bytes, value: bytes) -> None: ...

    def close(self) -> None: ...


class FileSink:
    """JSONL, gzip when the name ends in ``.gz`` (mtime 0, so equal input gives equal bytes)."""

    def __init__(self, path: Path, buffer: int = 8192) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._raw = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._out: IO[bytes] | gzip.GzipFile = self._raw
        if path.name.endswith(".gz"):
            self._out = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0,
                                      compresslevel=3)  # fmt: skip
        self._lines: list[bytes] = []
        self._buffer = buffer

    def send(self, key: bytes, value: bytes) -> None:
        self._lines.append(value)
        if len(self._lines) >= self._buffer:
            self.flush()

    def flush(self) -> None:
        if self._lines:
            self._out.write(b"\n".join(self._lines) + b"\n")
            self._lines = []

    def close(self) -> None:
        self.flush()
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()


class KafkaSink:
    """kafka-python producer keyed by account id, so one account stays on one partition."""

    def __init__(self, bootstrap: str, topic: str = "llm.requests") -> None:
        from kafka import KafkaProducer
        from kafka.errors import KafkaError

        self.topic = topic
        try:
            self.producer = KafkaProducer(
                bootstrap_servers=bootstrap,
                client_id="harvestguard-simulate",
                acks=1,
                linger_ms=20,
                batch_size=512 * 1024,
                max_request_size=4 * 1024 * 1024,
            )
        except KafkaError as error:
            raise RuntimeError(f"Kafka at {bootstrap}: {error}") from error

    def send(self, key: bytes, value: bytes) -> None:
        self.producer.send(self.topic, key=key, value=value)

    def close(self) -> None:
        self.producer.flush()
        self.producer.close()


class HttpSink:
    """POSTs NDJSON batches; retries 429/5xx and connection errors with backoff.

    The bearer token is ``HARVESTGUARD_INGEST_TOKEN`` from the environment, as the API's.
    A retried batch is the same body, so the API counts it once (its idempotency ledger)."""

    def __init__(self, url: str, batch: int = 500, timeout: float = 30.0, retries: int = 5) -> None:
        self.url, self.batch, self.timeout, self.retries = url, batch, timeout, retries
        token = os.environ.get("HARVESTGUARD_INGEST_TOKEN", "").strip()
        self.headers = {"Content-Type": "application/x-ndjson"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self._lines: list[bytes] = []
        self.posts = 0

    def send(self, key: bytes, value: bytes) -> None:
        self._lines.append(value)
        if len(self._lines) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self._lines:
            return
        body = b"\n".join(self._lines) + b"\n"
        self._lines = []
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(
                self.url, data=body, method="POST", headers=self.headers
            )  # fmt: skip
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    response.read()
                self.posts += 1
                return
            except urllib.error.HTTPError as error:
                if (error.code != 429 and error.code < 500) or attempt == self.retries:
                    raise RuntimeError(f"POST {self.url} failed: HTTP {error.code}") from error
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                if attempt == self.retries:
                    raise RuntimeError(f"POST {self.url} failed: {error}") from error
            time.sleep(min(5.0, 0.2 * 2**attempt))

    def close(self) -> None:
        self.flush()


@dataclass
class ReplayStats:
    events: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


_AHEAD_S = 60.0


def replay(
    records: Iterable[Record],
    sinks: list[Sink],
    speed: float | None = None,
    total: int | None = None,
    progress: bool = True,
    desc: str = "replay",
) -> ReplayStats:
    """Send every record to every sink, paced by event time; close the sinks at the end.

    Events bound for Kafka or the API must not be ahead of this machine's clock: the
    worker and the API refuse events from the future (``HARVESTGUARD_FUTURE_SKEW_S``)."""
    pacer = Pacer(speed)
    live = any(not isinstance(sink, FileSink) for sink in sinks)
    started = time.perf_counter()
    count = 0
    bar = tqdm(total=total, unit="ev", desc=desc, disable=not progress, mininterval=0.5,
               unit_scale=True)  # fmt: skip
    try:
        for ts, key, value in records:
            if live and ts > time.time() + _AHEAD_S:
                raise ValueError(
                    f"an event at {ts:.0f} is ahead of this machine's clock: the worker and the "
                    "API would refuse it as from the future; give the scenario an earlier start"
                )
            pacer.wait(ts)
            for sink in sinks:
                sink.send(key, value)
            count += 1
            if count % 2048 == 0:
                bar.update(2048)
        bar.update(count % 2048)
    finally:
        bar.close()
        for sink in sinks:
            sink.close()
    return ReplayStats(count, time.perf_counter() - started)


def event_seconds(ts: object) -> float:
    """Unix seconds of a contract ``ts`` (number or RFC 3339 string)."""
    if isinstance(ts, int | float) and not isinstance(ts, bool):
        return float(ts)
    if isinstance(ts, str):
        return datetime.fromisoformat(ts.replace("Z", "+00:00").replace("z", "+00:00")).timestamp()
    raise ValueError(f"bad ts {ts!r}")


def read_records(path: Path) -> Iterator[Record]:
    """Records of a JSONL (or gzip) events file, as written; lines that do not parse are skipped."""
    for _, raw in iter_lines(path):
        line = raw.rstrip(b"\r")
        try:
            record = orjson.loads(line)
            yield event_seconds(record["ts"]), str(record["account_id"]).encode(), line
        except (orjson.JSONDecodeError, KeyError, ValueError, TypeError):
            continue


def count_lines(path: Path) -> int:
    return sum(1 for _ in iter_lines(path))
