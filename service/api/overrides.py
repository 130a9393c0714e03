"""What analysts said about accounts, and how detection honours it.

Feedback is kept apart from the account state blob: the worker owns that blob
(and caches it), so the API writing into it would race with the worker. An
account's override is a small JSON value of its own (``hg:{ACCOUNT}:o``, no
TTL: an allowlist must not expire), read by the pipeline only when a verdict
is about to change, which is rare. Every piece of feedback is also appended
to a capped audit list per account (``hg:{ACCOUNT}:f``).
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import orjson
import redis

from service.state.account import ALLOW, Decision, action_rank
from service.state.base import FeatureStore, StoreUnavailable
from service.state.cached import CachedStore
from service.state.redis_store import RedisStore

AUDIT_ENTRIES = 200


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


def adjust(override: Override | None, current: Decision, proposed: Decision) -> Decision:
    """The decision detection may make, given an analyst's override.

    Returning ``current`` means "no change": the pipeline then writes nothing,
    so the decision an analyst wrote to the store stays in force.
    """
    if override is None:
        return proposed
    if override.allowlisted:
        if current.action == ALLOW:
            return current
        return Decision(ALLOW, proposed.score, [], proposed.since_ts, None)
    if (
        proposed.action != ALLOW
        and override.dismissed
        and set(proposed.reasons) <= set(override.dismissed)
    ):
        return current
    if override.pinned is not None and action_rank(proposed.action) < action_rank(override.pinned):
        return current
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

    def adjust(self, account_id: str, current: Decision, proposed: Decision) -> Decision: ...


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

    def adjust(self, account_id: str, current: Decision, proposed: Decision) -> Decision:
        return adjust(self.get(account_id), current, proposed)


class RedisFeedback:
    """Feedback in Redis, shared by every API process and the streaming worker."""

    def __init__(self, client: redis.Redis, prefix: str = "hg") -> None:
        self.client = client
        self.prefix = prefix

    def _key(self, account_id: str, kind: str) -> str:
        return f"{self.prefix}:{{{account_id}}}:{kind}"

    def get(self, account_id: str) -> Override | None:
        try:
            raw = self.client.get(self._key(account_id, "o"))
        except redis.RedisError as error:
            raise StoreUnavailable(f"redis: {error}") from error
        return None if raw is None else Override.from_json(cast(bytes, raw))

    def put(self, account_id: str, override: Override | None) -> None:
        key = self._key(account_id, "o")
        try:
            if override is None:
                self.client.delete(key)
            else:
                self.client.set(key, override.to_json())
        except redis.RedisError as error:
            raise StoreUnavailable(f"redis: {error}") from error

    def record(self, account_id: str, entry: dict[str, Any]) -> None:
        key = self._key(account_id, "f")
        pipe = self.client.pipeline(transaction=True)
        pipe.lpush(key, orjson.dumps(entry))
        pipe.ltrim(key, 0, AUDIT_ENTRIES - 1)
        try:
            pipe.execute()
        except redis.RedisError as error:
            raise StoreUnavailable(f"redis: {error}") from error

    def history(self, account_id: str, limit: int = 50) -> list[dict[str, Any]]:
        try:
            raw = self.client.lrange(self._key(account_id, "f"), 0, max(limit, 1) - 1)
        except redis.RedisError as error:
            raise StoreUnavailable(f"redis: {error}") from error
        return [orjson.loads(item) for item in cast(list[bytes], raw)]

    def adjust(self, account_id: str, current: Decision, proposed: Decision) -> Decision:
        return adjust(self.get(account_id), current, proposed)


def redis_feedback(store: FeatureStore, prefix: str) -> RedisFeedback | None:
    """The feedback book beside a Redis store (the worker's), or None for the embedded one."""
    inner = store.inner if isinstance(store, CachedStore) else store
    return RedisFeedback(inner.client, prefix) if isinstance(inner, RedisStore) else None
