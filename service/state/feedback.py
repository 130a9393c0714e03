"""What analysts said about accounts, and how detection honours it.

Feedback is kept apart from the account state blob: the worker owns that blob
(and caches it), so the API writing into it would race with the worker.
Overrides are few (one per account an analyst acted on), so every pipeline
keeps all of them in memory and asks them at each scoring for free; in Redis
they are one hash (``hg:overrides``, no TTL: an allowlist must not expire)
plus a generation in the same cluster slot (``{hg:overrides}:gen``), and a
pipeline re-reads the hash only when the generation changed since its last
batch: one ``GET`` per batch. The generation is a random token, new at every
change, not a counter: a counter starts again at 1 when Redis loses its data,
and a pipeline that had cached generation 1 before would then keep its stale
overrides (an allowlisted account blocked while its view said allowlisted).
A token never comes back, so any loss or restore is seen as a change. Every piece of
feedback is also appended to a capped audit list per account (``hg:{ACCOUNT}:f``).
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import orjson

from service.account_ids import account_key
from service.state.account import ALLOW, Decision, action_rank
from service.state.base import StoreUnavailable
from service.state.redis_client import ERRORS, RedisClient, ReplicaWait

log = logging.getLogger(__name__)

AUDIT_ENTRIES = 200
CONFIRMED = "analyst_confirmed"


@dataclass(slots=True)
class Override:
    """One account's standing feedback; at most one of the three is in force."""

    allowlisted: bool = False
    # Reason codes an analyst dismissed: a flag made only of these is not raised again.
    dismissed: list[str] = field(default_factory=list)
    # An action an analyst confirmed: automatic step-downs never go below it.
    pinned: str | None = None

    def to_json(self) -> bytes:
        return orjson.dumps(
            {"allowlisted": self.allowlisted, "dismissed": self.dismissed, "pinned": self.pinned}
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> Override:
        data = orjson.loads(raw)
        return cls(bool(data["allowlisted"]), list(data["dismissed"]), data["pinned"])


def adjust(override: Override | None, current: Decision, proposed: Decision, ts: float) -> Decision:
    """The decision detection may make, given an analyst's override.

    ``current`` is the pipeline's own idea of the account, which can be stale:
    feedback writes the stored decision, not the pipeline's state. So this
    also corrects a ``current`` that the feedback replaced (a flag dismissed
    or allowlisted, an allow confirmed into a block); returning ``current``
    means no change, and the pipeline writes nothing.
    """
    if override is None:
        return proposed
    if override.allowlisted:
        return current if current.action == ALLOW else Decision(ALLOW, proposed.score, [], ts)
    if (
        proposed.action != ALLOW
        and override.dismissed
        and set(proposed.reasons) <= set(override.dismissed)
    ):
        return current if current.action == ALLOW else Decision(ALLOW, proposed.score, [], ts)
    pinned = override.pinned
    if pinned is not None and action_rank(proposed.action) < action_rank(pinned):
        if action_rank(current.action) >= action_rank(pinned):
            return current
        return Decision(pinned, proposed.score, proposed.reasons or [CONFIRMED], ts)
    return proposed


class FeedbackBook(Protocol):
    def get(self, account_id: str) -> Override | None: ...

    def put(self, account_id: str, override: Override | None) -> None:
        """Replace the account's override (``None`` removes it)."""
        ...

    def record(self, account_id: str, entry: dict[str, Any]) -> None:
        """Append one feedback entry to the account's audit list."""
        ...

    def history(self, account_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """The account's feedback entries, newest first."""
        ...

    def refresh(self) -> None: ...

    def adjust(
        self, account_id: str, current: Decision, proposed: Decision, ts: float
    ) -> Decision: ...


class MemoryFeedback:
    """Feedback in this process: enough for the embedded store, lost on restart."""

    def __init__(self) -> None:
        self._overrides: dict[str, Override] = {}
        self._audit: defaultdict[str, deque[dict[str, Any]]] = defaultdict(
            lambda: deque(maxlen=AUDIT_ENTRIES)
        )

    def get(self, account_id: str) -> Override | None:
        return self._overrides.get(account_id)

    def put(self, account_id: str, override: Override | None) -> None:
        if override is None:
            self._overrides.pop(account_id, None)
        else:
            self._overrides[account_id] = override

    def record(self, account_id: str, entry: dict[str, Any]) -> None:
        self._audit[account_id].appendleft(entry)

    def history(self, account_id: str, limit: int = 50) -> list[dict[str, Any]]:
        return list(self._audit.get(account_id, ()))[:limit]

    def refresh(self) -> None:
        pass  # the pipeline reads the very dictionary feedback writes

    def adjust(self, account_id: str, current: Decision, proposed: Decision, ts: float) -> Decision:
        return adjust(self._overrides.get(account_id), current, proposed, ts)


class RedisFeedback:
    """Feedback in Redis, shared by every API process and the streaming worker."""

    def __init__(
        self, client: RedisClient, prefix: str = "hg", wait: ReplicaWait | None = None
    ) -> None:
        self.client = client
        self.prefix = prefix
        # An analyst's word must outlive a failover, as a batch's state does.
        self.wait = wait or ReplicaWait()
        self.overrides_key = f"{prefix}:overrides"
        # Hash-tagged to the hash's own slot (a key without braces hashes whole), so that
        # a put changes both in one transaction on a Redis Cluster too.
        self.generation_key = f"{{{prefix}:overrides}}:gen"
        self._generation: bytes | None = None
        self._overrides: dict[str, Override] = {}

    def _audit_key(self, account_id: str) -> str:
        return account_key(self.prefix, account_id, "f")

    def get(self, account_id: str) -> Override | None:
        try:
            raw = self.client.hget(self.overrides_key, account_id)
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error
        return None if raw is None else Override.from_json(cast(bytes, raw))

    def put(self, account_id: str, override: Override | None) -> None:
        if override is None:
            change: tuple[Any, ...] = ("HDEL", self.overrides_key, account_id)
        else:
            change = ("HSET", self.overrides_key, account_id, override.to_json())
        generation = os.urandom(8).hex().encode()
        self._transaction(self.overrides_key, [change, ("SET", self.generation_key, generation)])

    def record(self, account_id: str, entry: dict[str, Any]) -> None:
        key = self._audit_key(account_id)
        self._transaction(
            key, [("LPUSH", key, orjson.dumps(entry)), ("LTRIM", key, 0, AUDIT_ENTRIES - 1)]
        )

    def _transaction(self, key: str, commands: list[tuple[Any, ...]]) -> None:
        """One MULTI/EXEC on the server of ``key`` (every command's keys share its slot)."""
        if self.wait:
            self.wait.run(self.client, [(key, c) for c in [("MULTI",), *commands, ("EXEC",)]])
            return
        pipe = self.client.pipeline(transaction=True)
        for command in commands:
            pipe.execute_command(*command)
        try:
            pipe.execute()
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error

    def history(self, account_id: str, limit: int = 50) -> list[dict[str, Any]]:
        try:
            raw = self.client.lrange(self._audit_key(account_id), 0, max(limit, 1) - 1)
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error
        return [orjson.loads(item) for item in cast(list[bytes], raw)]

    def refresh(self) -> None:
        """Reload every override if any feedback arrived since the last call."""
        try:
            generation = cast(bytes | None, self.client.get(self.generation_key))
            if generation == self._generation:
                return
            if generation is None:
                log.warning(
                    "the overrides' generation is gone from Redis (data lost or flushed?): "
                    "reloading them; analysts' feedback given before may be lost"
                )
            # The counter is read before the hash: a put in between is seen next time.
            raw = cast(dict[bytes, bytes], self.client.hgetall(self.overrides_key))
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error
        self._overrides = {
            account.decode("utf-8", "surrogatepass"): Override.from_json(value)
            for account, value in raw.items()
        }
        self._generation = generation

    def adjust(self, account_id: str, current: Decision, proposed: Decision, ts: float) -> Decision:
        return adjust(self._overrides.get(account_id), current, proposed, ts)
