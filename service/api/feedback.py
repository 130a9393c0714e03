"""Analyst feedback: what each kind does to the decision, to detection and to the record.

- ``confirm``: keep the account's throttle or block, or block it if it was
  allowed or under review; detection never steps it down below that.
- ``dismiss``: allow it; its current reason codes are remembered and a flag
  made only of dismissed codes is not raised again (new codes still flag).
- ``allowlist``: allow it, and detection never flags it again.
- ``clear``: allow it and forget every override: detection starts afresh.

The decision is written to the store at once, so the inline check enforces
it on the next request (this process's check cache is dropped for the
account; other API processes see it within their cache TTL).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from service import metrics
from service.alerts import verdict_alert
from service.api.context import ApiContext
from service.api.schemas import FeedbackIn
from service.sinks import PublishFailed
from service.state.account import ALLOW, Decision, action_rank
from service.state.feedback import CONFIRMED, Override

log = logging.getLogger(__name__)


def _new_decision(kind: str, current: Decision, now: float) -> Decision:
    if kind != "confirm":
        return Decision(ALLOW, current.score, [], now, None)
    if action_rank(current.action) >= action_rank("throttle"):
        return current
    return Decision("block", current.score, current.reasons or [CONFIRMED], now, current.cluster_id)


def _new_override(
    kind: str, old: Override | None, current: Decision, action: str
) -> Override | None:
    if kind == "confirm":
        return Override(pinned=action)
    if kind == "allowlist":
        return Override(allowlisted=True)
    if kind == "dismiss":
        dismissed = set(old.dismissed if old is not None else ()) | set(current.reasons)
        return Override(dismissed=sorted(dismissed))
    return None


def _alert(
    account: str, previous: Decision, decision: Decision, entry: dict[str, Any]
) -> dict[str, Any]:
    """A verdict change made by a person, in the shape of the pipeline's alerts."""
    return verdict_alert(
        account,
        previous,
        decision,
        alert_id=f"{account}:feedback:{entry['at_ns']}:{decision.action}",
        enforced=True,
        ts=decision.since_ts,
        source="feedback",
        feedback=entry["kind"],
    )


def apply_feedback(
    context: ApiContext, account: str, feedback: FeedbackIn
) -> tuple[Decision, dict[str, Any], bool | None]:
    """Write the decision, the override and the audit entry; the decision and whether its
    alert reached Kafka (``None`` when not publishing or nothing changed)."""
    now_ns = time.time_ns()
    now = now_ns / 1e9
    current = context.store.decision(account) or Decision()
    decision = _new_decision(feedback.kind, current, now)
    override = _new_override(feedback.kind, context.feedback.get(account), current, decision.action)
    entry = {
        "kind": feedback.kind,
        "by": feedback.by,
        "note": feedback.note,
        "at": now,
        "at_ns": now_ns,
        "previous_action": current.action,
        "action": decision.action,
        "reasons": current.reasons,
    }
    # Override first: if the decision write then fails, detection already honours the
    # feedback and the analyst's retry writes the same decision.
    context.feedback.put(account, override)
    context.store.save({}, {account: decision})
    context.reader.forget(account_id=account)
    context.feedback.record(account, entry)
    metrics.FEEDBACK.labels(feedback.kind).inc()
    published: bool | None = None
    if decision.action != current.action or decision.reasons != current.reasons:
        alert = _alert(account, current, decision, entry)
        context.alerts.append([alert])
        if context.publisher is not None:
            try:
                context.publisher.publish([alert])
                published = True
            except PublishFailed as error:
                log.warning("feedback alert for an account not published: %s", error)
                published = False
    return decision, entry, published
