"""What an analyst reviews: the queue of flags and verdict changes, and a linked cluster.

Both are read from the alert log (every verdict change from detection and feedback) and
the link store; the console (``/console``) is their main reader.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status

from detectors.families import FAMILIES
from detectors.registry import REASON_FAMILIES, family_of
from service.api.deps import Context, require_api_token
from service.api.routers.accounts import link_view
from service.api.schemas import ClusterView, FamiliesView, MemberView, QueueItem, QueuePage
from service.state.account import ALLOW
from service.state.alert_log import AlertQuery
from service.state.base import StoreUnavailable

router = APIRouter(tags=["review"], dependencies=[Depends(require_api_token)])

Action = Literal["review", "throttle", "block", "allow"]
_UNAVAILABLE: dict[int | str, dict[str, Any]] = {503: {"description": "The store is unreachable."}}
_MEMBER_DECISIONS = 50


def families_of(alert: dict[str, Any]) -> list[str]:
    named = alert.get("families")
    if isinstance(named, list):
        return [str(family) for family in named]
    # An alert from before families were named (or from feedback): by its reason codes.
    found = {family_of(str(r)) for r in alert.get("reasons") or ()}
    return [family for family in FAMILIES if family in found]


def _item(alert: dict[str, Any], context: Context) -> QueueItem:
    account = str(alert.get("account_id", ""))
    shadow = alert.get("enforced") is False or context.pipeline.policy.for_account(account).shadow
    return QueueItem(
        alert_id=alert.get("alert_id"),
        account_id=account,
        action=str(alert.get("action", ALLOW)),
        previous_action=alert.get("previous_action"),
        score=alert.get("score"),
        reasons=list(alert.get("reasons") or ()),
        families=families_of(alert),
        cluster_id=alert.get("cluster_id"),
        ts=alert.get("ts"),
        shadow=shadow,
        source=alert.get("source"),
    )


def _alerts(context: Context, query: AlertQuery) -> list[dict[str, Any]]:
    try:
        alerts, _ = context.alerts.page(query)
    except StoreUnavailable as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(error)) from None
    return alerts


@router.get("/v1/queue", response_model=QueuePage, responses=_UNAVAILABLE)
def review_queue(
    context: Context,
    action: Annotated[Action | None, Query(description="Only this action.")] = None,
    family: Annotated[str | None, Query(max_length=32, description="Only this family.")] = None,
    cluster_id: Annotated[
        str | None, Query(max_length=128, description="Only this cluster.")
    ] = None,
    tenant: Annotated[
        str | None, Query(max_length=128, description="Only account ids matching this glob.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> QueuePage:
    """Current flags (each account's latest verdict change, when it flagged) and recent
    verdict changes, newest first, over the whole alert log."""
    alerts = _alerts(context, AlertQuery(limit=context.settings.alert_log_size))

    def wanted(item: QueueItem) -> bool:
        return (
            (action is None or item.action == action)
            and (family is None or family in item.families)
            and (cluster_id is None or item.cluster_id == cluster_id)
            and (tenant is None or fnmatchcase(item.account_id, tenant))
        )

    # The log is in arrival order; a batch's changes arrive together: sort by event time.
    items = sorted((_item(alert, context) for alert in alerts), key=lambda i: -(i.ts or 0.0))
    latest: dict[str, QueueItem] = {}
    for item in items:  # newest first: the first one seen is the account's latest
        latest.setdefault(item.account_id, item)
    flags = [item for item in latest.values() if item.action != ALLOW and wanted(item)]
    changes = [item for item in items if wanted(item)]
    return QueuePage(
        flags=flags[:limit],
        changes=changes[:limit],
        families=list(FAMILIES),
        tenants=sorted(p for p in context.settings.policy_overrides if any(c in p for c in "*?[")),
        scanned=len(alerts),
    )


def _members(context: Context, accounts: Iterable[str]) -> list[MemberView]:
    found = []
    for account in accounts:
        decision = context.store.decision(account)
        if decision is not None:
            found.append(MemberView(account_id=account, action=decision.action,
                                    score=round(decision.score, 4),
                                    reasons=list(decision.reasons)))  # fmt: skip
    return found


@router.get(
    "/v1/clusters/{cluster_id}",
    response_model=ClusterView,
    responses={404: {"description": "Nothing is known about the cluster."}, **_UNAVAILABLE},
)
def get_cluster(
    cluster_id: Annotated[str, Path(min_length=1, max_length=128)], context: Context
) -> ClusterView:
    """A shared value (``kind:hash``): its members, their summed traffic, their decisions,
    and the verdict changes it carried."""
    alerts = _alerts(context, AlertQuery(cluster_id=cluster_id, limit=20))
    try:
        group = context.links.groups([cluster_id], context.complete_epoch()).get(cluster_id)
        link = None if group is None else link_view(context, group, limit=_MEMBER_DECISIONS)
        members = link.accounts if link is not None else sorted({a["account_id"] for a in alerts})
        decisions = _members(context, members[:_MEMBER_DECISIONS])
    except StoreUnavailable as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(error)) from None
    if link is None and not alerts:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such cluster")
    return ClusterView(cluster_id=cluster_id, link=link, decisions=decisions, alerts=alerts)


@router.get("/v1/families", response_model=FamiliesView)
def evidence_families() -> FamiliesView:
    """The evidence families, and the family of each reason code that alerts may carry."""
    return FamiliesView(families=list(FAMILIES), reasons=REASON_FAMILIES)
