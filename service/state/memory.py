"""The embedded store: plain dictionaries in this process, no server needed.

It keeps the live state objects (nothing is copied or encoded), which is what
makes offline detection fast; idle accounts expire in event time, so a replay
of a week of traffic holds only the accounts active in the last day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from service.state.account import AccountState, Decision


class MemoryStore:
    def __init__(self, ttl_s: float = 26 * 3600) -> None:
        self.ttl_s = ttl_s
        self._states: dict[str, AccountState] = {}
        self._decisions: dict[str, Decision] = {}

    def load(self, account_ids: Iterable[str]) -> dict[str, AccountState]:
        states = self._states
        return {a: states[a] for a in account_ids if a in states}

    def save(self, states: Mapping[str, AccountState], decisions: Mapping[str, Decision]) -> None:
        self._states.update(states)
        self._decisions.update(decisions)

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
