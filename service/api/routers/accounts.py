"""Analyst view of one account, and feedback on it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, status

from service.api.deps import Context, require_api_token
from service.api.feedback import apply_feedback
from service.api.schemas import (
    AccountView,
    DecisionView,
    FeatureView,
    FeedbackIn,
    FeedbackOut,
    OverrideView,
)
from service.features.vector import account_vector
from service.state.account import ALLOW, Decision
from service.state.base import StoreUnavailable

router = APIRouter(tags=["accounts"], dependencies=[Depends(require_api_token)])

AccountPath = Annotated[str, Path(min_length=1, max_length=128)]
_UNAVAILABLE: dict[int | str, dict[str, Any]] = {503: {"description": "The store is unreachable."}}


def _unavailable(error: StoreUnavailable) -> HTTPException:
    return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(error))


@router.get(
    "/v1/accounts/{account_id}",
    response_model=AccountView,
    responses={404: {"description": "Nothing is known about the account."}, **_UNAVAILABLE},
)
def get_account(account_id: AccountPath, context: Context) -> AccountView:
    """Current decision, recent feature values against the peer baseline, and feedback.

    The baseline is this process's (learned from pushed events); an API beside
    a Kafka worker shows values without it (``baseline`` and ``z`` null).
    """
    try:
        stored = context.store.decision(account_id)
        state = context.store.load([account_id]).get(account_id)
        override = context.feedback.get(account_id)
        history = context.feedback.history(account_id, limit=20)
    except StoreUnavailable as error:
        raise _unavailable(error) from None
    if stored is None and state is None and override is None and not history:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such account")
    decision = stored or Decision()
    features: list[FeatureView] = []
    if state is not None and state.events:
        now = state.windows.last_ts
        vector = account_vector(state.windows, now)
        compared = {d.feature: d for d in context.pipeline.baseline.deviations(vector)}
        for name, value in vector.items():
            d = compared.get(name)
            features.append(
                FeatureView(
                    feature=name,
                    value=round(value, 4),
                    baseline=None if d is None else round(d.mean, 4),
                    z=None if d is None else round(d.z, 2),
                )
            )
        features.sort(key=lambda f: -abs(f.z) if f.z is not None else 0.0)
    return AccountView(
        account_id=account_id,
        action=decision.action,
        enforced_action=ALLOW if context.settings.shadow_mode else decision.action,
        score=round(decision.score, 4),
        reasons=list(decision.reasons),
        since_ts=decision.since_ts if stored is not None else None,
        cluster_id=decision.cluster_id,
        events=state.events if state is not None else 0,
        first_ts=state.first_ts if state is not None and state.events else None,
        last_ts=state.windows.last_ts if state is not None and state.events else None,
        features=features,
        override=None
        if override is None
        else OverrideView(
            allowlisted=override.allowlisted, dismissed=override.dismissed, pinned=override.pinned
        ),
        feedback=history,
    )


@router.post(
    "/v1/accounts/{account_id}/feedback", response_model=FeedbackOut, responses=_UNAVAILABLE
)
def post_feedback(account_id: AccountPath, feedback: FeedbackIn, context: Context) -> FeedbackOut:
    """Confirm, dismiss, allowlist or clear: enforced by the inline check at once."""
    try:
        decision, entry, published = apply_feedback(context, account_id, feedback)
    except StoreUnavailable as error:
        raise _unavailable(error) from None
    return FeedbackOut(
        account_id=account_id,
        decision=DecisionView.of(decision),
        feedback=entry,
        alert_published=published,
    )
