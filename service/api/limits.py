"""Records a second per client for push ingestion: a token bucket per client address.

Each client may push ``per_s`` records a second on average, in bursts of up to
``burst`` (the most one request may hold, so a full request always fits once
the bucket has refilled). Buckets live in this process and are bounded in
number: a client not seen among the last ``max_clients`` starts afresh.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict


class RecordRate:
    def __init__(self, per_s: float, burst: int, max_clients: int = 10_000) -> None:
        self.per_s = per_s
        self.burst = burst
        self.max_clients = max_clients
        # client -> (records it may push now, when that was computed)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str, records: int, now: float | None = None) -> float:
        """Take ``records`` from the client's bucket: 0.0 if they fit, else the seconds
        after which they will (nothing is taken then)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            buckets = self._buckets
            tokens, then = buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.per_s)
            wait = 0.0
            if records <= tokens:
                tokens -= records
            else:
                wait = (min(records, self.burst) - tokens) / self.per_s
            buckets[client] = (tokens, now)
            if len(buckets) > self.max_clients:
                buckets.popitem(last=False)
        return wait


class RateLimited(Exception):
    """A client pushed more records than its rate allows (429)."""

    def __init__(self, wait_s: float) -> None:
        super().__init__(f"over {HINT}: retry in {wait_s:.1f} s")
        self.wait_s = wait_s


HINT = "the records a second this client may push (HARVESTGUARD_INGEST_RECORDS_PER_S)"
