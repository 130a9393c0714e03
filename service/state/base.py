"""The state store: where account windows and decisions live between batches.

Two implementations, one contract (tests/test_store.py runs against both):
:class:`~service.state.memory.MemoryStore`, the embedded default that needs no
server, and :class:`~service.state.redis_store.RedisStore` for production.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from service.state.account import AccountState, Decision


class StoreUnavailable(RuntimeError):
    """The store cannot be reached; the caller retries and commits nothing meanwhile."""


class FeatureStore(Protocol):
    def load(self, account_ids: Iterable[str]) -> dict[str, AccountState]:
        """The stored state of each account that has one; unknown accounts are left out."""
        ...

    def save(self, states: Mapping[str, AccountState], decisions: Mapping[str, Decision]) -> None:
        """Write account states and changed decisions, all or nothing."""
        ...

    def decision(self, account_id: str) -> Decision | None:
        """The account's current decision, in one read (the inline check's path)."""
        ...

    def ping(self) -> bool: ...

    def close(self) -> None: ...
