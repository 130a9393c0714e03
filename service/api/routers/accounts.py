"""Analyst view of one account, and feedback on it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, status

from detectors.baseline import PeerBaseline
from detectors.explain import explain
from detectors.groups import Group
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
from service.scoring import ScoringRound
from service.state.account import AccountState, Decision
from service.state.base import StoreUnavailable

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
    families: dict[str, float] = {}
    signals: list[dict[str, Any]] = []
    if state is not None and state.events:
        try:
            features, families, signals = _assessed(context, state)
            linked = _linked(context, account_id, state, decision.cluster_id)
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
        families={f: round(v, 3) for f, v in families.items()},
        signals=signals,
        override=None
        if override is None
        else OverrideView(
            allowlisted=override.allowlisted, dismissed=override.dismissed, pinned=override.pinned
        ),
        feedback=history,
    )


def _assessed(
    context: Context, state: AccountState
) -> tuple[list[FeatureView], dict[str, float], list[dict[str, Any]]]:
    """The account's features and evidence now, against the groups and the merged peer
    baseline of the newest complete epoch."""
    pipeline = context.pipeline
    epoch = context.complete_epoch() + 1
    baseline = PeerBaseline(context.settings.baseline_min_accounts)
    baseline.load(context.links.histograms(epoch - 1).cells)
    round_ = ScoringRound(epoch, context.links, pipeline.scorer, baseline, context.settings,
                          state.links)  # fmt: skip
    x, linked = round_.vector(state)
    assessment = pipeline.scorer.assess(x)
    found = []
    for name, value in x.items():
        peer = baseline.peer(x, name)
        found.append(
            FeatureView(
                feature=name,
                value=round(value, 4),
                peer_median=None if peer is None else round(peer.median, 4),
                peer_p99=None if peer is None else round(peer.p99, 4),
            )
        )
    return found, assessment.families, explain(assessment, x, baseline, linked)


def link_view(context: Context, group: Group, exclude: str = "", limit: int = 20) -> LinkView:
    """One shared value's group: its members (as many as ``limit``, not ``exclude``), and per
    request what the group takes away, and the share of its members that are young."""
    requests = group.get("requests")
    shares = {
        f"{field}_share": round(group.get(field) / requests, 4)
        for field in ("harvest", "trace", "grade", "probe", "long")
        if requests > 0
    }
    shares["young_share"] = round(group.get("young") / max(group.members, 1), 4)
    others = [a for a in context.links.members(group.value, limit + 1) if a != exclude][:limit]
    return LinkView(
        value=group.value,
        kind=group.value.split(":", 1)[0],
        members=group.members,
        common=group.common,
        accounts=others,
        requests=round(requests, 1),
        shares=shares,
    )


def _linked(
    context: Context, account_id: str, state: AccountState, cluster_id: str | None
) -> list[LinkView]:
    """The account's groups now, and the one its verdict names (``cluster_id``) although the
    account has since moved on from it (a proxy's networks rotate): a reviewer sees the group
    the verdict was read against."""
    values = [*state.links, *([cluster_id] if cluster_id else [])]
    groups = context.links.groups(dict.fromkeys(values), context.complete_epoch()).values()
    found = [link_view(context, group, account_id) for group in groups]
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
