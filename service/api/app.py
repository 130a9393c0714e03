"""The sidecar API: ``create_app(settings, role)`` and ``run_api`` (``harvestguard api``).

One router per resource: the inline check, push ingestion, accounts (view
and feedback), alerts, the review queue and clusters, API-key mappings,
operations, and the review console's static files. The context (store,
pipeline, sinks) is built when the app is created, so weak secrets stop it
before it listens.

A process serves one role. ``check`` serves the inline check; ``ingest`` serves
push ingestion and the analyst API (both run the pipeline or score accounts, and a
batch holds the GIL for tens of milliseconds, which the check's event loop must
never wait for); ``all`` serves both from one process (the embedded store needs it).
Every role serves the operations endpoints; a route of another role gets a 404 that
names the role serving it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Literal, get_args

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from service.api.context import build_context
from service.api.routers import accounts, alerts, check, console, events, keys, ops, review
from service.api.server import GuardedHttpProtocol
from service.settings import Settings

log = logging.getLogger(__name__)
_SWITCH_INTERVAL_S = 0.0005

Role = Literal["all", "check", "ingest"]
ROLES: tuple[Role, ...] = get_args(Role)
_INGEST_ROUTERS = (events, accounts, alerts, review, keys, console)
_ROUTERS = {"all": (check, *_INGEST_ROUTERS), "check": (check,), "ingest": _INGEST_ROUTERS}
# Paths each split role leaves to the other, answered with a 404 that says where to go.
_ELSEWHERE: dict[Role, tuple[str, ...]] = {
    "check": (
        "/v1/events",
        "/v1/accounts/{rest:path}",
        "/v1/alerts",
        "/v1/keys/{rest:path}",
        "/v1/queue",
        "/v1/clusters/{rest:path}",
        "/v1/families",
        "/console",
        "/console/{rest:path}",
    ),
    "ingest": (check.PREFIX, check.PREFIX + "/{rest:path}"),
}


class RoleNeedsSharedStore(ValueError):
    """A split role with the embedded store: the check would never see what is ingested."""


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    # FastAPI's default echoes the rejected input back; a body may hold text that must not
    # leave the process, so say where and what, never the value.
    assert isinstance(error, RequestValidationError)
    details = [
        {"loc": list(item.get("loc", ())), "msg": item.get("msg", ""), "type": item.get("type")}
        for item in error.errors()
    ]
    return JSONResponse({"detail": details}, status_code=422)


def _served_elsewhere(role: Role) -> Callable[[Request], Awaitable[JSONResponse]]:
    other = "ingest" if role == "check" else "check"

    async def refuse(request: Request) -> JSONResponse:
        detail = (
            f"{request.method} {request.url.path} is not served by this process "
            f"(harvestguard api --role {role}); it is served by --role {other} (or all)"
        )
        return JSONResponse({"detail": detail}, status_code=404)

    return refuse


def create_app(settings: Settings | None = None, role: Role = "all") -> FastAPI:
    """The API over the stores the settings name, serving ``role``; raises
    ``InsecureSettings`` on weak tokens, ``RoleNeedsSharedStore`` for a split role
    without Redis, ``ValueError`` for an unknown role."""
    settings = settings or Settings()
    if role not in ROLES:
        raise ValueError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if role != "all" and settings.store != "redis":
        raise RoleNeedsSharedStore(
            f"--role {role} needs HARVESTGUARD_STORE=redis: with the embedded store each "
            "process keeps its own state, so a check process would never see what another "
            "ingests (use --role all)"
        )
    if role == "check":  # it ingests nothing, so it publishes nothing and needs no broker
        settings = settings.model_copy(update={"api_publish_alerts": False})
    context = build_context(settings, ingests=role != "check")
    if settings.ingest_open and role != "check":
        log.warning(
            "push ingestion is OPEN (HARVESTGUARD_INGEST_OPEN=true): anyone who can reach this "
            "port can push events and get any account flagged; set HARVESTGUARD_INGEST_TOKEN"
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info(
            "sidecar API, role %s: store %s, check failure mode %s%s",
            role,
            settings.store,
            settings.check_failure_mode,
            ", shadow mode" if settings.shadow_mode else "",
        )
        try:
            yield
        finally:
            await context.reader.backend.close()
            context.close()

    app = FastAPI(
        title="harvestguard sidecar API",
        version="1",
        description="Inline check (Envoy ext_authz), push ingestion, analyst API, operations; "
        "the review console is served at /console.",
        lifespan=lifespan,
    )
    app.state.context = context
    app.add_exception_handler(RequestValidationError, _validation_error)
    for module in (*_ROUTERS[role], ops):
        app.include_router(module.router)
    if role != "all":
        refuse = _served_elsewhere(role)
        for path in _ELSEWHERE[role]:
            app.add_api_route(path, refuse, methods=check.METHODS, include_in_schema=False)
    if role != "ingest":
        app.add_middleware(check.CheckFastPath, context=context)
    return app


def run_api(
    settings: Settings, host: str | None = None, port: int | None = None, role: Role = "all"
) -> int:
    """Serve the API's ``role`` with uvicorn until SIGTERM/SIGINT."""
    import uvicorn

    if role == "all":
        # Push ingestion runs the pipeline in a worker thread, which holds the GIL for up to
        # the switch interval (5 ms by default) every time the event loop wants it back; each
        # check needs the loop several times. A shorter interval bounds what a batch adds to a
        # check; split roles do not need it.
        sys.setswitchinterval(_SWITCH_INTERVAL_S)
    app = create_app(settings, role)
    uvicorn.run(
        app,
        host=host or settings.api_host,
        port=settings.api_port if port is None else port,
        # One process: push ingestion keeps pipeline state in it (see docs/api.md); run more
        # check processes (--role check) to serve more checks.
        workers=1,
        access_log=False,  # paths of checks carry the client's URL: keep them out of logs
        log_config=None,  # the CLI's logging configuration
        server_header=False,
        # Header size and header-read time limits (uvicorn's own protocol has neither).
        http=GuardedHttpProtocol.with_limits(
            settings.api_max_header_bytes, settings.api_header_timeout_s
        ),
    )
    return 0
