"""The alert message: one verdict change, as published on ``llm.alerts`` and kept for the API.

Written in one place because detection (service/pipeline.py) and analyst feedback
(service/api/feedback.py) both publish verdict changes, and consumers read one shape.
"""

from __future__ import annotations

from typing import Any

from service.state.account import Decision


def verdict_alert(
    account: str,
    previous: Decision,
    decision: Decision,
    *,
    alert_id: str,
    enforced: bool,
    ts: float,
    explanation: list[dict[str, Any]] | None = None,
    event_id: str | None = None,
    account_events: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The alert of ``account`` moving from ``previous`` to ``decision``; ``extra`` is appended."""
    return {
        "alert_id": alert_id,
        "account_id": account,
        "action": decision.action,
        "previous_action": previous.action,
        "enforced": enforced,
        "score": round(decision.score, 4),
        "reasons": decision.reasons,
        "explanation": explanation or [],
        "cluster_id": decision.cluster_id,
        "ts": ts,
        "event_id": event_id,
        "account_events": account_events,
        **extra,
    }
