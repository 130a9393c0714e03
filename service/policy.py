"""Policy: turning a score into an action. Detectors see; the policy decides.

Escalation is immediate once a score crosses a threshold; stepping down needs
the score to fall ``hysteresis`` below it, so an account hovering at a
threshold does not flap between allowed and throttled. Allowlisted accounts
are never flagged; in shadow mode verdicts are computed and published but
marked as not enforced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import Any

from service.state.account import ACTIONS, ALLOW, Decision, action_rank

_MAX_RESOLVED = 65536


@dataclass(frozen=True)
class Policy:
    review: float = 0.80
    throttle: float = 0.90
    block: float = 0.97
    hysteresis: float = 0.10
    shadow: bool = False
    allowlist: frozenset[str] = frozenset()
    # Per account id, or per tenant as a glob of account ids ("acme-*"): the fields to
    # change (review, throttle, block, hysteresis, shadow). An exact id wins over a glob.
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    _resolved: dict[str, Policy] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        thresholds = self._thresholds()
        if not all(0.0 <= t <= 1.0 for t in thresholds) or list(thresholds) != sorted(thresholds):
            raise ValueError(f"thresholds must rise within [0, 1]: {thresholds}")

    def for_account(self, account_id: str) -> Policy:
        """The policy that applies to one account: its own override, else its tenant's."""
        if not self.overrides:
            return self
        cached = self._resolved.get(account_id)
        if cached is None:
            if len(self._resolved) >= _MAX_RESOLVED:
                self._resolved.clear()
            cached = self._resolved[account_id] = self._resolve(account_id)
        return cached

    def _resolve(self, account_id: str) -> Policy:
        found = self.overrides.get(account_id)
        if found is None:
            found = next(
                (o for pattern, o in self.overrides.items() if fnmatchcase(account_id, pattern)),
                None,
            )
        return self if found is None else replace(self, overrides={}, **found)

    def _thresholds(self) -> tuple[float, ...]:
        return (self.review, self.throttle, self.block)

    def action_for(self, score: float, current: str) -> str:
        """The action a score earns, given the account's current action."""
        if current == ALLOW and score < self.review:
            return ALLOW  # below every threshold (they rise): what nearly every scoring sees
        earned = ALLOW
        for action, threshold in zip(ACTIONS[1:], self._thresholds(), strict=True):
            if score >= threshold:
                earned = action
        if action_rank(earned) >= action_rank(current):
            return earned
        # Stepping down: keep every level whose threshold the score is still near.
        kept = ALLOW
        for action, threshold in zip(ACTIONS[1:], self._thresholds(), strict=True):
            if action_rank(action) <= action_rank(current) and score >= threshold - self.hysteresis:
                kept = action
        return kept

    def decide(
        self,
        account_id: str,
        current: Decision,
        score: float,
        reasons: list[str],
        ts: float,
        cluster_id: str | None = None,
        ceiling: str | None = None,
    ) -> Decision:
        """The account's decision after this score: the current one if nothing changed.
        ``ceiling`` is the strongest action this scoring may reach."""
        allowed = account_id in self.allowlist
        action = ALLOW if allowed else self.action_for(score, current.action)
        if ceiling is not None and action_rank(action) > action_rank(ceiling):
            action = ceiling
        if action == current.action:
            return current
        return Decision(action, score, reasons if action != ALLOW else [], ts, cluster_id)

    def enforced(self, decision: Decision) -> str:
        """What the gateway is told to do: nothing but allow in shadow mode."""
        return ALLOW if self.shadow else decision.action
