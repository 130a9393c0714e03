"""From an assessment to a verdict: the policy, analysts' overrides, and what a change sends.

The pipeline (service/pipeline.py) asks :meth:`Verdicts.decide` once per scoring.
Most scorings change nothing; a change becomes the account's decision, an
alert for ``llm.alerts`` with its explanation, and, the first time the account
is flagged, its :class:`FirstFlag` (what offline verdict lines report).
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

from detectors.baseline import PeerBaseline
from detectors.explain import cluster_of, explain, group_of
from detectors.farm import mostly_flagged
from detectors.registry import DRIVING, Assessment
from service import metrics
from service.alerts import verdict_alert
from service.policy import Policy
from service.settings import Settings
from service.state.account import ALLOW, REVIEW, AccountState, Decision, FirstFlag, action_rank

# Evidence read from a group of accounts: what may enforce on an established account.
CROSS_ACCOUNT = frozenset({"farm", "coordination"})


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
        self.established_days = settings.established_account_days
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
        event_id: str,
        ts: float,
        events: int,
        assessment: Assessment,
        x: dict[str, float],
        linked: dict[str, str],
    ) -> Change | None:
        """The policy's decision on an assessment at the account's event ``event_id`` (its
        ``events``-th), kept in ``state``; None if unchanged. ``linked`` names the account's
        group of each kind."""
        score = assessment.score
        policy = self.policy.for_account(account)
        previous = state.decision
        # Flagged now, or stepping down and perhaps kept at review: the reasons will show.
        judged = score >= policy.review or previous.action != ALLOW
        reasons = assessment.reasons[: self.max_reasons] if judged else []
        cluster_id = cluster_of(assessment, linked) if judged else None
        ceiling = self.ceiling(assessment, x) if judged else None
        decision = policy.decide(account, previous, score, reasons, ts, cluster_id, ceiling)
        if self.overrides is not None:
            # Also when nothing changed: feedback may have replaced the stored decision.
            decision = self.overrides.adjust(account, previous, decision, ts)
        if decision is previous:
            return None
        state.decision = decision
        metrics.VERDICT_CHANGES.labels(decision.action).inc()
        for reason in decision.reasons:
            metrics.VERDICT_REASONS.labels(reason).inc()
        flagged = decision.action != ALLOW
        families = assessment.drivers if flagged else []
        for family in families:
            metrics.VERDICT_FAMILIES.labels(family).inc()
        explanation = explain(assessment, x, self.baseline, linked) if flagged else []
        alert = verdict_alert(
            account,
            previous,
            decision,
            alert_id=f"{account}:{event_id}:{decision.action}",
            enforced=policy.enforced(decision) == decision.action,
            ts=ts,
            explanation=explanation,
            event_id=event_id,
            account_events=events,
            families=families,
            ceiling=ceiling if flagged else None,
        )
        if decision.action == ALLOW:
            return Change(alert, None)
        flag = state.first_flag
        if flag is None:
            flag = state.first_flag = FirstFlag(
                ts,
                event_id,
                events,
                score,
                decision.reasons,
                decision.cluster_id,
                explanation=explanation,
                families=families,
            )
        if action_rank(decision.action) > action_rank(flag.strongest):
            flag.strongest = decision.action
        return Change(alert, flag)

    def ceiling(self, assessment: Assessment, x: dict[str, float]) -> str | None:
        """The strongest action an account may reach now: review for an established one
        (months of history, a paying customer to ask before refusing), unless its verdict
        rests on a group no honest customer forms: a group of mostly young accounts, or a
        card that paid mostly for accounts already flagged. Established customers share
        stock system prompts, networks and agents, harnesses running one benchmark send as
        evenly as a farm, and an enterprise pays for dozens of its accounts with one card."""
        if not 0 < self.established_days <= x["account_age_days"]:
            return None
        for signal in assessment.signals:
            kind = group_of(signal.reason)
            if (
                signal.family in CROSS_ACCOUNT
                and kind is not None
                and signal.weight >= DRIVING
                and (
                    x.get(f"{kind}_young", 0.0) >= 0.5
                    or (kind == "payment" and mostly_flagged(x) > 0)
                )
            ):
                return None
        return REVIEW
