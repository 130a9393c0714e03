"""Policy: turning a score into an action. Detectors see; the policy decides.

Escalation is immediate once a score crosses a threshold; stepping down needs
the score to fall ``hysteresis`` below it, so an account hovering at a
threshold does not flap between allowed and throttled. Allowlisted accounts
are never flagged; in shadow mode verdicts are computed and published but
marked as not enforced.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.state.account import ACTIONS, ALLOW, Decision, action_rank


@dataclass(frozen=True, slots=True)
class Policy:
    review: float = 0.80
    throttle: float = 0.90
    block: float = 0.97
    hysteresis: float = 0.10
    shadow: bool = False
    allowlist: frozenset[str] = frozenset()

    def _thresholds(self) -> tuple[float, ...]:
        return (self.review, self.throttle, self.block)

    def action_for(self, score: float, current: str) -> str:
        """The action a score earns, given the account's current action."""
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
    ) -> Decision:
        """The account's decision after this score: the current one if nothing changed."""
        allowed = account_id in self.allowlist
        action = ALLOW if allowed else self.action_for(score, current.action)
        if action == current.action:
            return current
        return Decision(action, score, reasons if action != ALLOW else [], ts, cluster_id)

    def enforced(self, decision: Decision) -> str:
        """What the gateway is told to do: nothing but allow in shadow mode."""
        return ALLOW if self.shadow else decision.action
