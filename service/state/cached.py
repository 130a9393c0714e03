"""A write-through cache of owned accounts in front of a slower store.

Kafka partitions by account, so one worker owns an account at a time and its
in-memory copy is the truth between batches: reads come from memory, and
every batch is still written through to the store. When partitions move
(rebalance) or a write fails, the cache is dropped and reloaded from the store.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping

from service.state.account import AccountState, Decision
from service.state.base import FeatureStore
from service.state.rechecks import Due


class CachedStore:
    def __init__(self, inner: FeatureStore, max_accounts: int) -> None:
        self.inner = inner
        self.max_accounts = max_accounts
        self._cache: OrderedDict[str, AccountState] = OrderedDict()

    def load(self, account_ids: Iterable[str]) -> dict[str, AccountState]:
        cache = self._cache
        found: dict[str, AccountState] = {}
        missing = []
        for account in account_ids:
            state = cache.get(account)
            if state is None:
                missing.append(account)
            else:
                found[account] = state
        if missing:
            found.update(self.inner.load(missing))
        return found

    def save(self, states: Mapping[str, AccountState], decisions: Mapping[str, Decision]) -> None:
        self.inner.save(states, decisions)
        cache = self._cache
        for account, state in states.items():
            cache[account] = state
            cache.move_to_end(account)
        while len(cache) > self.max_accounts:
            cache.popitem(last=False)

    def decision(self, account_id: str) -> Decision | None:
        return self.inner.decision(account_id)

    def schedule(self, rechecks: Mapping[int, Mapping[str, int]]) -> None:
        self.inner.schedule(rechecks)

    def due(self, partitions: Iterable[int], epoch: int) -> Due:
        return self.inner.due(partitions, epoch)

    def done(self, reached: Mapping[int, int]) -> None:
        self.inner.done(reached)

    def forget_all(self) -> None:
        """Drop every cached account: after a rebalance or a failed write."""
        self._cache.clear()

    def __len__(self) -> int:
        return len(self._cache)

    def ping(self) -> bool:
        return self.inner.ping()

    def close(self) -> None:
        self.inner.close()
