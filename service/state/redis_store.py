"""The production store: one Redis key per account state, one per decision.

Keys carry the account in a hash tag (``hg:{org_5521}:s``), so one account's
keys share a Redis Cluster slot. A batch is read with one ``MGET`` and written
with one ``MULTI``/``EXEC`` pipeline: a crash leaves either all of a batch's
state or none of it. Every key has a TTL, so idle accounts cost nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

import redis

from service.state.account import AccountState, Decision, decode, encode
from service.state.base import StoreUnavailable


class RedisStore:
    def __init__(
        self,
        url: str,
        prefix: str = "hg",
        ttl_s: int = 26 * 3600,
        decision_ttl_s: int = 7 * 86400,
        timeout_s: float = 2.0,
    ) -> None:
        self.prefix = prefix
        self.ttl_s = ttl_s
        self.decision_ttl_s = decision_ttl_s
        self.client = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )

    def state_key(self, account_id: str) -> str:
        return f"{self.prefix}:{{{account_id}}}:s"

    def decision_key(self, account_id: str) -> str:
        return f"{self.prefix}:{{{account_id}}}:d"

    def load(self, account_ids: Iterable[str]) -> dict[str, AccountState]:
        ids = list(account_ids)
        if not ids:
            return {}
        try:
            blobs = cast(list[bytes | None], self.client.mget([self.state_key(a) for a in ids]))
        except redis.RedisError as error:
            raise StoreUnavailable(f"redis: {error}") from error
        return {a: decode(blob) for a, blob in zip(ids, blobs, strict=True) if blob is not None}

    def save(self, states: Mapping[str, AccountState], decisions: Mapping[str, Decision]) -> None:
        if not states and not decisions:
            return
        pipe = self.client.pipeline(transaction=True)
        for account, state in states.items():
            pipe.set(self.state_key(account), encode(state), ex=self.ttl_s)
        for account, decision in decisions.items():
            pipe.set(self.decision_key(account), decision.to_json(), ex=self.decision_ttl_s)
        try:
            pipe.execute()
        except redis.RedisError as error:
            raise StoreUnavailable(f"redis: {error}") from error

    def decision(self, account_id: str) -> Decision | None:
        try:
            raw = self.client.get(self.decision_key(account_id))
        except redis.RedisError as error:
            raise StoreUnavailable(f"redis: {error}") from error
        return None if raw is None else Decision.from_json(raw)

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False

    def close(self) -> None:
        self.client.close()
