"""Recent verdict changes, newest first, for ``GET /v1/alerts``.

With Redis as the store the log is a capped stream (``hg:alerts``, trimmed to
about ``alert_log_size`` entries), so every API process and the streaming
worker append to one log; with the embedded store it is a bounded deque in
this process. A page cursor is the position of the last alert returned
(a stream id, or a sequence number), so pages stay stable while alerts arrive.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, cast

import orjson

from service.state.base import StoreUnavailable
from service.state.redis_client import ERRORS, RedisClient

_STREAM_ID = re.compile(r"^(\d{1,20})-(\d{1,20})$")
_SEQUENCE = re.compile(r"^\d{1,20}$")
_U64 = 2**64 - 1  # a stream id is two unsigned 64-bit numbers
# Entries read from Redis per round trip while filtering a page.
_CHUNK = 500


class BadCursor(ValueError):
    """A cursor this log did not hand out."""


@dataclass(frozen=True, slots=True)
class AlertQuery:
    action: str | None = None
    since: float | None = None  # event time (the alert's ``ts``), inclusive
    until: float | None = None  # exclusive
    limit: int = 50
    cursor: str | None = None
    account_id: str | None = None
    cluster_id: str | None = None

    def matches(self, alert: dict[str, Any]) -> bool:
        if self.action is not None and alert.get("action") != self.action:
            return False
        if self.account_id is not None and alert.get("account_id") != self.account_id:
            return False
        if self.cluster_id is not None and alert.get("cluster_id") != self.cluster_id:
            return False
        ts = alert.get("ts")
        if not isinstance(ts, int | float):
            return self.since is None and self.until is None
        if self.since is not None and ts < self.since:
            return False
        return self.until is None or ts < self.until


def _page(
    entries: Iterator[tuple[str, dict[str, Any]]], query: AlertQuery
) -> tuple[list[dict[str, Any]], str | None]:
    """Up to ``limit`` matching alerts from newest-first entries, and the next cursor."""
    found: list[dict[str, Any]] = []
    last = None
    for position, alert in entries:
        if not query.matches(alert):
            continue
        if len(found) == query.limit:
            return found, last
        found.append(alert)
        last = position
    return found, None


class AlertLog(Protocol):
    def append(self, alerts: Iterable[dict[str, Any]]) -> None: ...

    def page(self, query: AlertQuery) -> tuple[list[dict[str, Any]], str | None]:
        """Matching alerts newest first, and the cursor of the next page (or ``None``)."""
        ...


class MemoryAlertLog:
    def __init__(self, size: int = 10_000) -> None:
        self._entries: deque[tuple[int, dict[str, Any]]] = deque(maxlen=size)
        self._sequence = itertools.count(1)
        self._lock = threading.Lock()

    def append(self, alerts: Iterable[dict[str, Any]]) -> None:
        with self._lock:
            for alert in alerts:
                self._entries.append((next(self._sequence), alert))

    def page(self, query: AlertQuery) -> tuple[list[dict[str, Any]], str | None]:
        if query.cursor is not None and not _SEQUENCE.match(query.cursor):
            raise BadCursor("cursor: not one this log handed out")
        before = int(query.cursor) if query.cursor is not None else None
        with self._lock:
            snapshot = list(self._entries)
        entries = (
            (str(sequence), alert)
            for sequence, alert in reversed(snapshot)
            if before is None or sequence < before
        )
        return _page(entries, query)


class RedisAlertLog:
    def __init__(self, client: RedisClient, prefix: str = "hg", size: int = 10_000) -> None:
        self.client = client
        self.key = f"{prefix}:alerts"
        self.size = size

    def append(self, alerts: Iterable[dict[str, Any]]) -> None:
        pipe = self.client.pipeline(transaction=False)
        count = 0
        for alert in alerts:
            # Approximate trimming (~) lets Redis drop whole nodes: O(1) per append.
            pipe.xadd(self.key, {"a": orjson.dumps(alert)}, maxlen=self.size, approximate=True)
            count += 1
        if not count:
            return
        try:
            pipe.execute()
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error

    def _entries(self, cursor: str | None) -> Iterator[tuple[str, dict[str, Any]]]:
        if cursor == "0-0":
            return  # nothing is older than the first id (and Redis refuses "(0-0")
        upper = "+" if cursor is None else f"({cursor}"
        while True:
            try:
                chunk = cast(
                    list[tuple[bytes, dict[bytes, bytes]]],
                    self.client.xrevrange(self.key, max=upper, min="-", count=_CHUNK),
                )
            except ERRORS as error:
                raise StoreUnavailable(f"redis: {error}") from error
            for entry_id, fields in chunk:
                yield entry_id.decode(), orjson.loads(fields[b"a"])
            if len(chunk) < _CHUNK:
                return
            upper = f"({chunk[-1][0].decode()}"

    def page(self, query: AlertQuery) -> tuple[list[dict[str, Any]], str | None]:
        cursor = query.cursor
        if cursor is not None:
            match = _STREAM_ID.match(cursor)
            if not match or max(int(match[1]), int(match[2])) > _U64:
                raise BadCursor("cursor: not one this log handed out")
            cursor = f"{int(match[1])}-{int(match[2])}"
        return _page(self._entries(cursor), query)
