"""The embedded store: plain dictionaries in this process, no server needed.

It keeps the live state objects (nothing is copied or encoded), which is what
makes offline detection fast; idle accounts expire in event time, so a replay
of a week of traffic holds only the accounts active in the last day. A flood
of new accounts within a day is bounded by count: past ``max_accounts``, the
least recently active tenth is dropped (their flags are kept).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from service import metrics
from service.state.account import ALLOW, AccountState, Decision
from service.state.base import least_recent_tenth
from service.state.rechecks import MemoryRechecks

log = logging.getLogger(__name__)


class MemoryStore(MemoryRechecks):
    """The states and decisions, and the recheck index (inherited), in this process."""

    def __init__(self, ttl_s: float = 26 * 3600, max_accounts: int = 1_000_000) -> None:
        self.ttl_s = ttl_s
        self.max_accounts = max_accounts
        self._states: dict[str, AccountState] = {}
        self._decisions: dict[str, Decision] = {}
        self._warned = False
        super().__init__()

    def load(self, account_ids: Iterable[str]) -> dict[str, AccountState]:
        states = self._states
        return {a: states[a] for a in account_ids if a in states}

    def save(self, states: Mapping[str, AccountState], decisions: Mapping[str, Decision]) -> None:
        self._states.update(states)
        self._decisions.update(decisions)
        if len(self._states) > self.max_accounts:
            self._evict()

    def _evict(self) -> None:
        """Drop the least recently active tenth; a flagged account keeps its decision."""
        dropped = least_recent_tenth(self._states, self.max_accounts, lambda s: s.windows.last_ts)
        for account in dropped:
            del self._states[account]
            decision = self._decisions.get(account)
            if decision is not None and decision.action == ALLOW:
                del self._decisions[account]
        metrics.EVICTED.labels("account").inc(len(dropped))
        if not self._warned:  # once: the metric counts every time
            self._warned = True
            log.warning(
                "embedded store full (%d accounts): dropping the least recently active; "
                "raise HARVESTGUARD_MAX_ACCOUNTS or use Redis",
                self.max_accounts,
            )

    def decision(self, account_id: str) -> Decision | None:
        return self._decisions.get(account_id)

    def expire(self, now: float) -> int:
        """Drop accounts idle for longer than the TTL at event time ``now``; how many went."""
        cutoff = now - self.ttl_s
        idle = [a for a, s in self._states.items() if s.windows.last_ts < cutoff]
        for account in idle:
            del self._states[account]
            self._decisions.pop(account, None)
        return len(idle)

    def __len__(self) -> int:
        return len(self._states)

    def ping(self) -> bool:
        return True

    def close(self) -> None:
        pass
