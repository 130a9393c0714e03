"""From an assessment to a verdict: the policy, analysts' overrides, and what a change sends.

The pipeline (service/pipeline.py) asks :meth:`Verdicts.decide` once per scoring.
Most scorings change nothing; a change becomes the account's decision, an
alert for ``llm.alerts`` with its explanation, and, the first time the account
is flagged, its :class:`FirstFlag` (what offline verdict lines report).
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

from detectors.baseline import PeerBaseline
from detectors.explain import explain
from detectors.harvest import Assessment
from detectors.linkage import Link
from service import metrics
from service.alerts import verdict_alert
from service.features.observation import Observation
from service.policy import Policy
from service.settings import Settings
from service.state.account import ALLOW, AccountState, Decision, FirstFlag, action_rank


class Overrides(Protocol):
    """Analysts' feedback on accounts (service/state/feedback.py); it outranks the model."""

    def refresh(self) -> None:
        """Pick up feedback given since the last batch (at most one store read)."""
        ...

    def adjust(self, account_id: str, current: Decision, proposed: Decision, ts: float) -> Decision:
        """The decision to keep (``current`` for no change); asked at every scoring, in memory."""
        ...


class Change(NamedTuple):
    """A changed verdict: the alert to publish, and the account's first flag if it has one."""

    alert: dict[str, Any]
    flag: FirstFlag | None


class Verdicts:
    def __init__(
        self, settings: Settings, baseline: PeerBaseline, overrides: Overrides | None = None
    ) -> None:
        self.baseline = baseline
        self.overrides = overrides
        self.max_reasons = settings.max_reasons
        self.policy = Policy(
            review=settings.review_threshold,
            throttle=settings.throttle_threshold,
            block=settings.block_threshold,
            hysteresis=settings.hysteresis,
            shadow=settings.shadow_mode,
            allowlist=settings.allowlist,
            overrides={
                key: override.model_dump(exclude_none=True)
                for key, override in settings.policy_overrides.items()
            },
        )

    def decide(
        self,
        account: str,
        state: AccountState,
        event: Observation,
        assessment: Assessment,
        x: dict[str, float] | None,
        link: Link | None,
    ) -> Change | None:
        """The policy's decision on an assessment, kept in ``state``; None if unchanged."""
        score = assessment.score
        policy = self.policy.for_account(account)
        flagged = score >= policy.review
        reasons = assessment.reasons[: self.max_reasons] if flagged else []
        # A flag comes from linkage when the account's own evidence would not have made it.
        cluster_id = None
        if flagged and link is not None and "linked_group" in reasons[:1]:
            cluster_id = link.cluster_id
        previous = state.decision
        decision = policy.decide(account, previous, score, reasons, event.ts, cluster_id)
        if self.overrides is not None:
            # Also when nothing changed: feedback may have replaced the stored decision.
            decision = self.overrides.adjust(account, previous, decision, event.ts)
        if decision is previous:
            return None
        state.decision = decision
        metrics.VERDICT_CHANGES.labels(decision.action).inc()
        for reason in decision.reasons:
            metrics.VERDICT_REASONS.labels(reason).inc()
        explanation = []
        if flagged and x is not None:
            explanation = explain(assessment, x, self.baseline, link)
        alert = verdict_alert(
            account,
            previous,
            decision,
            alert_id=f"{account}:{event.event_id}:{decision.action}",
            enforced=policy.enforced(decision) == decision.action,
            ts=event.ts,
            explanation=explanation,
            event_id=event.event_id,
            account_events=state.events,
        )
        if decision.action == ALLOW:
            return Change(alert, None)
        flag = state.first_flag
        if flag is None:
            flag = state.first_flag = FirstFlag(
                event.ts,
                event.event_id,
                state.events,
                score,
                decision.reasons,
                decision.cluster_id,
                explanation=explanation,
            )
        if action_rank(decision.action) > action_rank(flag.strongest):
            flag.strongest = decision.action
        return Change(alert, flag)
