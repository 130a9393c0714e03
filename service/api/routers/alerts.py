"""Recent verdict changes: ``GET /v1/alerts``, newest first, paginated by cursor."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status

from service.api.deps import Context, require_api_token, unavailable
from service.api.schemas import AlertPage
from service.state.alert_log import AlertQuery, BadCursor
from service.state.base import StoreUnavailable

router = APIRouter(tags=["alerts"], dependencies=[Depends(require_api_token)])

Action = Literal["allow", "review", "throttle", "block"]


@router.get(
    "/v1/alerts",
    response_model=AlertPage,
    responses={
        400: {"description": "A cursor this API did not hand out."},
        503: {"description": "The store is unreachable."},
    },
)
def list_alerts(
    context: Context,
    action: Annotated[Action | None, Query(description="Only changes to this action.")] = None,
    since: Annotated[float | None, Query(description="Event time (Unix s), inclusive.")] = None,
    until: Annotated[float | None, Query(description="Event time (Unix s), exclusive.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    account_id: Annotated[
        str | None, Query(min_length=1, max_length=128, description="Only this account's.")
    ] = None,
    cluster_id: Annotated[
        str | None, Query(min_length=1, max_length=128, description="Only this cluster's.")
    ] = None,
) -> AlertPage:
    """Verdict changes from push ingestion, feedback and (with Redis) the streaming worker."""
    query = AlertQuery(action=action, since=since, until=until, limit=limit, cursor=cursor,
                       account_id=account_id, cluster_id=cluster_id)  # fmt: skip
    try:
        alerts, next_cursor = context.alerts.page(query)
    except BadCursor as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(error)) from None
    except StoreUnavailable as error:
        raise unavailable(error) from None
    return AlertPage(alerts=alerts, next_cursor=next_cursor)
