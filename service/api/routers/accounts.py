"""Analyst view of one account, and feedback on it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, status

from detectors.baseline import SHARES, FrozenBaseline, PeerBaseline
from service.account_ids import normalise_account_id
from service.api.deps import Context, require_api_token, unavailable
from service.api.feedback import apply_feedback
from service.api.schemas import (
    AccountView,
    DecisionView,
    FeatureView,
    FeedbackIn,
    FeedbackOut,
    LinkView,
    OverrideView,
)
from service.features.vector import account_vector
from service.state.account import AccountState, Decision
from service.state.base import StoreUnavailable
from service.state.links import PROFILE_FIELDS

router = APIRouter(tags=["accounts"], dependencies=[Depends(require_api_token)])


def _account(
    account_id: Annotated[
        str,
        Path(
            description="The account id, percent-encoded: `/` is `%2F` (`tenant%2Fuser`), "
            "and may also be sent as it is."
        ),
    ],
) -> str:
    # A `path` parameter, so that ids with `/` reach the route; normalised like the contract.
    try:
        return normalise_account_id(account_id)
    except ValueError as error:
        raise HTTPException(422, detail=str(error)) from None


AccountPath = Annotated[str, Depends(_account)]
_UNAVAILABLE: dict[int | str, dict[str, Any]] = {503: {"description": "The store is unreachable."}}


@router.get(
    "/v1/accounts/{account_id:path}",
    response_model=AccountView,
    responses={404: {"description": "Nothing is known about the account."}, **_UNAVAILABLE},
)
def get_account(account_id: AccountPath, context: Context) -> AccountView:
    """Current decision, feature values against the peer baseline, linked accounts, feedback.

    The baseline is the streaming worker's, shared through the store, unless this
    process has learned from more accounts itself (pushed events).
    """
    try:
        stored = context.store.decision(account_id)
        state = context.store.load([account_id]).get(account_id)
        override = context.feedback.get(account_id)
        history = context.feedback.history(account_id, limit=20)
    except StoreUnavailable as error:
        raise unavailable(error) from None
    if stored is None and state is None and override is None and not history:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such account")
    decision = stored or Decision()
    features: list[FeatureView] = []
    linked: list[LinkView] = []
    if state is not None and state.events:
        try:
            features = _features(context, state)
            linked = _linked(context, account_id, state.links)
        except StoreUnavailable as error:
            raise unavailable(error) from None
    return AccountView(
        account_id=account_id,
        action=decision.action,
        enforced_action=context.pipeline.policy.for_account(account_id).enforced(decision),
        score=round(decision.score, 4),
        reasons=list(decision.reasons),
        since_ts=decision.since_ts if stored is not None else None,
        cluster_id=decision.cluster_id,
        events=state.events if state is not None else 0,
        first_ts=state.first_ts if state is not None and state.events else None,
        last_ts=state.windows.last_ts if state is not None and state.events else None,
        features=features,
        linked=linked,
        override=None
        if override is None
        else OverrideView(
            allowlisted=override.allowlisted, dismissed=override.dismissed, pinned=override.pinned
        ),
        feedback=history,
    )


def _baseline(context: Context) -> PeerBaseline | FrozenBaseline:
    """This process's baseline, or the worker's shared one if that has learned more."""
    own = context.pipeline.baseline
    snapshot = context.links.baseline()
    if snapshot is None:
        return own
    shared = FrozenBaseline(snapshot, context.settings.baseline_min_accounts)
    return shared if shared.learned > own.learned else own


def _features(context: Context, state: AccountState) -> list[FeatureView]:
    vector = account_vector(state.windows, state.windows.last_ts)
    baseline = _baseline(context)
    found = []
    for name, value in vector.items():
        # Counts are compared as shares by the baseline; their *_share twins show that.
        peer = None if name in SHARES else baseline.peer(vector, name)
        found.append(
            FeatureView(
                feature=name,
                value=round(value, 4),
                peer_median=None if peer is None else round(peer.median, 4),
                peer_p99=None if peer is None else round(peer.p99, 4),
            )
        )
    return found


def _linked(context: Context, account_id: str, values: list[str]) -> list[LinkView]:
    found = []
    for value, group in context.links.groups(values).items():
        requests = group.get("requests")
        shares = {
            field.replace("_count", "_share"): round(group.get(field) / requests, 4)
            for field in PROFILE_FIELDS[1:-1]
            if requests > 0
        }
        shares["new_account_share"] = round(group.get("new_account") / max(group.members, 1), 4)
        others = [a for a in context.links.members(value, 21) if a != account_id][:20]
        found.append(
            LinkView(
                value=value,
                kind=value.split(":", 1)[0],
                members=group.members,
                common=group.common,
                accounts=others,
                requests=round(requests, 1),
                shares=shares,
            )
        )
    found.sort(key=lambda link: (link.common, -max(link.shares.values(), default=0.0)))
    return found


@router.post(
    "/v1/accounts/{account_id:path}/feedback", response_model=FeedbackOut, responses=_UNAVAILABLE
)
def post_feedback(account_id: AccountPath, feedback: FeedbackIn, context: Context) -> FeedbackOut:
    """Confirm, dismiss, allowlist or clear: enforced by the inline check at once."""
    try:
        decision, entry, published = apply_feedback(context, account_id, feedback)
    except StoreUnavailable as error:
        raise unavailable(error) from None
    return FeedbackOut(
        account_id=account_id,
        decision=DecisionView.of(decision),
        feedback=entry,
        alert_published=published,
    )
