"""The sidecar API: ``create_app(settings)`` and ``run_api`` (``harvestguard api``).

One router per resource: the inline check, push ingestion, accounts (view
and feedback), alerts, API-key mappings, and operations. The context (store,
pipeline, sinks) is built when the app is created, so weak secrets stop it
before it listens.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from service.api.context import build_context
from service.api.routers import accounts, alerts, check, events, keys, ops
from service.api.server import GuardedHttpProtocol
from service.settings import Settings

log = logging.getLogger(__name__)
_SWITCH_INTERVAL_S = 0.0005


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    # FastAPI's default echoes the rejected input back; a body may hold text that must not
    # leave the process, so say where and what, never the value.
    assert isinstance(error, RequestValidationError)
    details = [
        {"loc": list(item.get("loc", ())), "msg": item.get("msg", ""), "type": item.get("type")}
        for item in error.errors()
    ]
    return JSONResponse({"detail": details}, status_code=422)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API over the stores the settings name; raises ``InsecureSettings`` on weak tokens."""
    settings = settings or Settings()
    context = build_context(settings)
    if settings.ingest_open:
        log.warning(
            "push ingestion is OPEN (HARVESTGUARD_INGEST_OPEN=true): anyone who can reach this "
            "port can push events and get any account flagged; set HARVESTGUARD_INGEST_TOKEN"
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info(
            "sidecar API: store %s, check failure mode %s%s",
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
        description="Inline check (Envoy ext_authz), push ingestion, analyst API, operations.",
        lifespan=lifespan,
    )
    app.state.context = context
    app.add_exception_handler(RequestValidationError, _validation_error)
    for module in (check, events, accounts, alerts, keys, ops):
        app.include_router(module.router)
    app.add_middleware(check.CheckFastPath, context=context)
    return app


def run_api(settings: Settings, host: str | None = None, port: int | None = None) -> int:
    """Serve the API with uvicorn until SIGTERM/SIGINT."""
    import uvicorn

    # Push ingestion runs the pipeline in a worker thread, which holds the GIL for up to the
    # switch interval (5 ms by default) every time the event loop wants it back; each check
    # needs the loop several times. A shorter interval bounds what a batch adds to a check.
    sys.setswitchinterval(_SWITCH_INTERVAL_S)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=host or settings.api_host,
        port=settings.api_port if port is None else port,
        # One process: push ingestion keeps pipeline state in it (see the README).
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
