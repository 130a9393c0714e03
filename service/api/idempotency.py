"""Idempotent pushes: a retried ``POST /v1/events`` is answered, not applied again.

A push is known by its ``Idempotency-Key`` header or, without one, by the
hash of its (inflated) body and format: a gateway that retries after a
timeout sends the same bytes. The first request *claims* the key (Redis
``SET NX``, or this process's memory with the embedded store), is applied,
and then *settles* it with its answer, kept for ``HARVESTGUARD_INGEST_IDEMPOTENCY_S``.
A repeat within that horizon gets the same answer back without being applied;
a repeat while the first is still running gets 409; a key sent again with
another body gets 422 (as draft-ietf-httpapi-idempotency-key-header says).
A request that fails (503, ...) releases its claim, so its retry is applied.

The hash is BLAKE2b (hashlib), not a fast non-cryptographic hash: a body
crafted to collide with someone else's would have its events dropped.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, cast

import orjson

from service.state.base import StoreUnavailable
from service.state.redis_client import ERRORS, RedisClient

log = logging.getLogger(__name__)

MAX_KEY_CHARS = 255
# How long a claim stands without an answer: longer than any push takes to apply,
# short enough that a process that died mid-push does not block the retry for long.
PENDING_S = 300


class BadIdempotencyKey(ValueError):
    pass


class InProgress(Exception):
    """The same push is being applied right now (409)."""


class KeyReused(Exception):
    """The Idempotency-Key came with another body before (422)."""


def fingerprint(fmt: str, ndjson: bool, body: bytes) -> str:
    """What makes two pushes the same push: format, framing and the inflated body."""
    digest = hashlib.blake2b(body, digest_size=16, person=b"hg-push-v1")
    digest.update(f"\n{fmt}\n{int(ndjson)}".encode())
    return digest.hexdigest()


def request_key(header: str | None, push_fingerprint: str) -> str:
    """The ledger key of a push: its Idempotency-Key if it has one, else its fingerprint."""
    if header is None:
        return f"body:{push_fingerprint}"
    if not 0 < len(header) <= MAX_KEY_CHARS or not (header.isascii() and header.isprintable()):
        raise BadIdempotencyKey(
            f"Idempotency-Key: must be 1 to {MAX_KEY_CHARS} printable ASCII characters"
        )
    return "key:" + hashlib.blake2b(header.encode(), digest_size=16).hexdigest()


class Ledger(Protocol):
    def claim(self, key: str, value: bytes, ttl_s: int) -> bytes | None:
        """Store ``value`` under ``key`` unless it holds one; return what it held, if any."""
        ...

    def settle(self, key: str, value: bytes, ttl_s: int) -> None: ...

    def release(self, key: str) -> None: ...


class MemoryLedger:
    """This process's memory (the embedded store), bounded in bytes, oldest dropped first."""

    def __init__(self, max_bytes: int = 64 << 20) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, key: str, value: bytes, ttl_s: int) -> bytes | None:
        with self._lock:
            held = self._entries.get(key)
            if held is not None and held[0] > time.monotonic():
                return held[1]
            self._put(key, value, ttl_s)
            return None

    def settle(self, key: str, value: bytes, ttl_s: int) -> None:
        with self._lock:
            self._put(key, value, ttl_s)

    def release(self, key: str) -> None:
        with self._lock:
            self._drop(key)

    def _put(self, key: str, value: bytes, ttl_s: int) -> None:
        self._drop(key)
        self._entries[key] = (time.monotonic() + ttl_s, value)
        self.size += len(key) + len(value)
        while self.size > self.max_bytes:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: str) -> None:
        held = self._entries.pop(key, None)
        if held is not None:
            self.size -= len(key) + len(held[1])


class RedisLedger:
    """One key per push, ``{prefix}:push:{hash}``, with its TTL: shared by every API process."""

    def __init__(self, client: RedisClient, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self.prefix}:push:{key}"

    def claim(self, key: str, value: bytes, ttl_s: int) -> bytes | None:
        name = self._key(key)
        try:
            for _ in range(3):  # (the held key may expire between SET and GET)
                if self.client.set(name, value, nx=True, ex=ttl_s):
                    return None
                held = cast(bytes | None, self.client.get(name))
                if held is not None:
                    return held
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error
        raise StoreUnavailable("redis: idempotency key neither free nor held")

    def settle(self, key: str, value: bytes, ttl_s: int) -> None:
        try:
            self.client.set(self._key(key), value, ex=ttl_s)
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error

    def release(self, key: str) -> None:
        try:
            self.client.delete(self._key(key))
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error


@dataclass(slots=True)
class Pushes:
    """Applies each push once within ``horizon_s``, remembered in a :class:`Ledger`."""

    ledger: Ledger
    horizon_s: int

    def once(
        self, key: str, push_fingerprint: str, apply: Callable[[], dict[str, Any]]
    ) -> tuple[dict[str, Any] | bytes, bool]:
        """``apply()``'s answer, or the JSON answer of the first identical push and ``True``.

        Raises :class:`InProgress` or :class:`KeyReused`, or what ``apply`` raises (then
        the claim is released: nothing was applied, the retry must be)."""
        pending = orjson.dumps({"fingerprint": push_fingerprint, "answer": None})
        held = self.ledger.claim(key, pending, min(PENDING_S, self.horizon_s))
        if held is not None:
            entry = orjson.loads(held)
            if entry["fingerprint"] != push_fingerprint:
                raise KeyReused("Idempotency-Key: was sent before with another body")
            if entry["answer"] is None:
                raise InProgress("a push with this Idempotency-Key (or body) is being applied")
            return orjson.dumps(entry["answer"]), True
        try:
            answer = apply()
        except BaseException:
            try:
                self.ledger.release(key)
            except StoreUnavailable as error:
                log.warning("push claim not released (it lapses by itself): %s", error)
            raise
        done = orjson.dumps({"fingerprint": push_fingerprint, "answer": answer})
        try:
            self.ledger.settle(key, done, self.horizon_s)
        except StoreUnavailable as error:
            # Applied: say so. The claim lapses by itself, then a retry counts again.
            log.warning("push applied but not remembered for retries: %s", error)
        return answer, False
