"""Dependencies shared by the routers: the process context and the two bearer tokens."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.api.context import ApiContext
from service.api.security import bearer_matches

log = logging.getLogger(__name__)

# Declared for the OpenAPI schema (the lock in /docs); the comparison is ours, constant-time.
_bearer = HTTPBearer(auto_error=False, description="HARVESTGUARD_API_TOKEN")
_ingest_bearer = HTTPBearer(
    auto_error=False, scheme_name="IngestBearer", description="HARVESTGUARD_INGEST_TOKEN"
)


def get_context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.context
    return context


Context = Annotated[ApiContext, Depends(get_context)]


def require_api_token(
    request: Request,
    context: Context,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Analyst and feedback endpoints: ``Authorization: Bearer $HARVESTGUARD_API_TOKEN``."""
    bearer_matches(request, context.api_token)


def require_ingest_token(
    request: Request,
    context: Context,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_ingest_bearer)],
) -> None:
    """Push ingestion: ``HARVESTGUARD_INGEST_TOKEN``; open only with ``HARVESTGUARD_INGEST_OPEN``
    (the API refuses to start with neither, see :func:`security.check_tokens`)."""
    if context.ingest_token is not None:
        bearer_matches(request, context.ingest_token)


def unavailable(error: Exception, what: str = "the store is unreachable") -> HTTPException:
    """503 for a dependency that failed: the cause goes to the log, not to the client
    (a server's error text names hosts, keys and internals)."""
    log.warning("%s: %s", what, error)
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE, detail=f"{what}: retry", headers={"Retry-After": "1"}
    )
