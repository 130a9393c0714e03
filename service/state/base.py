"""The state store: where account windows and decisions live between batches.

Two implementations, one contract (tests/test_store.py runs against both):
:class:`~service.state.memory.MemoryStore`, the embedded default that needs no
server, and :class:`~service.state.redis_store.RedisStore` for production.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol, TypeVar

from service.state.account import AccountState, Decision
from service.state.rechecks import Due

V = TypeVar("V")


def least_recent_tenth(
    entries: Mapping[str, V], bound: int, when: Callable[[V], float]
) -> list[str]:
    """The keys to drop so that ``entries`` fall to nine tenths of ``bound``, least recent
    first: one scan per tenth of the bound, not one per new entry, under a flood."""
    count = len(entries) - bound * 9 // 10
    return [key for key, _ in heapq.nsmallest(count, entries.items(), key=lambda i: when(i[1]))]


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

    def schedule(self, rechecks: Mapping[int, Mapping[str, int]]) -> None:
        """Remember rechecks (service/state/rechecks.py): per partition, account -> the
        epoch it is due in, replacing any it had."""
        ...

    def due(self, partitions: Iterable[int], epoch: int) -> Due:
        """The rechecks of these partitions due in ``epoch`` or before."""
        ...

    def done(self, reached: Mapping[int, int]) -> None:
        """Forget each partition's rechecks due in the epoch it reached or before."""
        ...

    def ping(self) -> bool: ...

    def close(self) -> None: ...
