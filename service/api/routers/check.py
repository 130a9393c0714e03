"""The inline check, compatible with Envoy's ext_authz HTTP service.

Envoy calls ``{path_prefix}{original path}`` with the original method and the
headers it is told to forward; a 200 lets the request through, anything else
is returned to the client. The answer carries the action and reason codes and
nothing else (no score, no features): the check is unauthenticated, because
Envoy calls it on loopback, and a caller must learn no more than that.

The check is on every gateway request. FastAPI's middleware, routing and
dependency machinery cost more than the check itself (about 60 us of CPU a
request on the project's 2-core machine), so :class:`CheckFastPath`, an ASGI
middleware, answers check paths before FastAPI's routing does. The routes
below give the same answers through the same :func:`answer` (a test holds
them to it); they document the check in the OpenAPI schema.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response

from service import metrics
from service.account_ids import account_or_none, header_text
from service.api.context import ApiContext
from service.api.reader import MAX_KEY_HASH_CHARS
from service.state.account import ALLOW
from service.state.base import StoreUnavailable

router = APIRouter(tags=["check"])

PREFIX = "/v1/check"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
ACTION = b"x-harvestguard-action"
REASONS = b"x-harvestguard-reasons"
SHADOW_ACTION = b"x-harvestguard-shadow-action"
DEGRADED = b"x-harvestguard-degraded"
_JSON = (b"content-type", b"application/json")
_REASON_CODE = re.compile(r"[^a-z0-9_]")
_OUTCOMES = {
    outcome: metrics.CHECK_REQUESTS.labels(outcome)
    for outcome in (
        "allow", "review", "throttle", "block", "shadow_review", "shadow_throttle",
        "shadow_block", "no_account", "fail_open", "fail_closed",
    )
}  # fmt: skip
_DURATION = metrics.CHECK_SECONDS
_DENIAL_STATUS = {"throttle": 429, "block": 403}
# nginx's auth_request takes 2xx, 401 and 403 only: a gateway that sends this header with
# "403" gets a throttle as 403 too, told apart by x-harvestguard-action (deploy/nginx/).
DENIAL_STATUS_HEADER = "x-harvestguard-denial-status"
_ALLOWED = (200, [(ACTION, b"allow")], b"")

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


def _codes(reasons: list[str]) -> bytes:
    # Codes are machine-made, but keep the header safe whatever a decision holds.
    return ",".join(_REASON_CODE.sub("", reason.lower()) for reason in reasons).encode()


def _unavailable(context: ApiContext) -> Answer:
    if context.settings.check_failure_mode == "open":
        _OUTCOMES["fail_open"].inc()
        return 200, [(ACTION, b"allow"), (DEGRADED, b"store-unavailable")], b""
    _OUTCOMES["fail_closed"].inc()
    body = orjson.dumps({"action": "unavailable", "reasons": ["store_unavailable"]})
    headers = [
        (ACTION, b"unavailable"),
        (REASONS, b"store_unavailable"),
        (DEGRADED, b"store-unavailable"),
        (b"retry-after", b"1"),
        _JSON,
    ]
    return 503, headers, body


def header_lookup(headers: list[tuple[bytes, bytes]]) -> Callable[[str], str | None]:
    """Look up a header of an ASGI scope by name; values are read as UTF-8 (see
    :func:`service.account_ids.header_text`), never re-encoded from Latin-1."""

    def header(name: str) -> str | None:
        wanted = name.lower().encode("latin-1")
        for key, value in headers:
            if key == wanted:
                return header_text(value)
        return None

    return header


async def answer(context: ApiContext, header: Callable[[str], str | None]) -> Answer:
    """Status, headers and body of the check, given a lookup of the request's headers.

    One deadline for every store round trip (key, decision, a reconnect), short of the
    timeout by a fifth: the answer itself must be out before the gateway gives up, also
    on a busy machine whose event loop runs late."""
    settings = context.settings
    reader = context.reader
    deadline = asyncio.get_running_loop().time() + context.check_budget_s
    account = account_or_none(header(settings.check_account_header))
    try:
        if account is None and settings.check_key_header:
            key_hash = header(settings.check_key_header)
            if key_hash and len(key_hash) <= MAX_KEY_HASH_CHARS:
                account = account_or_none(await reader.account_for_key(key_hash, deadline))
        if account is None:
            # Who may call at all is the gateway's authentication's business, not ours.
            _OUTCOMES["no_account"].inc()
            return _ALLOWED
        decision = await reader.decision(account, deadline)
    except StoreUnavailable:
        return _unavailable(context)
    if decision is None or decision.action == ALLOW:
        _OUTCOMES["allow"].inc()
        return _ALLOWED
    action = decision.action
    codes = _codes(decision.reasons)
    if context.pipeline.policy.for_account(account).shadow:  # global, tenant or account shadow
        _OUTCOMES[f"shadow_{action}"].inc()
        return 200, [(ACTION, b"allow"), (SHADOW_ACTION, action.encode()), (REASONS, codes)], b""
    _OUTCOMES[action].inc()
    status = _DENIAL_STATUS.get(action)
    if status is None:  # review: let it through, and say so (the gateway may log it)
        return 200, [(ACTION, action.encode()), (REASONS, codes)], b""
    body: dict[str, object] = {"action": action, "reasons": decision.reasons}
    headers = [(ACTION, action.encode()), (REASONS, codes), _JSON]
    if action == "throttle":
        if header(DENIAL_STATUS_HEADER) == "403":
            status = 403
        body["retry_after_s"] = settings.check_retry_after_s
        headers.append((b"retry-after", str(settings.check_retry_after_s).encode()))
    return status, headers, orjson.dumps(body)


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class CheckFastPath:
    """ASGI middleware: answers ``/v1/check[/...]`` itself, passes everything else on."""

    def __init__(self, app: ASGIApp, context: ApiContext) -> None:
        self.app = app
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status, out, body = await answer(self.context, header_lookup(scope["headers"]))
        out = [*out, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )
        _DURATION.observe(time.perf_counter() - started)


async def _respond(request: Request) -> Response:
    started = time.perf_counter()
    context: ApiContext = request.app.state.context
    status, headers, body = await answer(context, header_lookup(request.scope["headers"]))
    response = Response(body, status_code=status)
    for name, value in headers:
        response.headers[name.decode()] = value.decode()
    _DURATION.observe(time.perf_counter() - started)
    return response


_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"description": "Allowed (`x-harvestguard-action`: allow or review)."},
    403: {"description": "Blocked; reason codes in `x-harvestguard-reasons`."},
    429: {"description": "Throttled; `Retry-After` says when to come back."},
    503: {"description": "Store unreachable and the failure mode is `closed`."},
}


async def check_root(request: Request) -> Response:
    """The account's enforced action for a request to the gateway."""
    return await _respond(request)


async def check(path: str, request: Request) -> Response:
    """As ``/v1/check``, with the original request's path after the prefix (Envoy)."""
    return await _respond(request)


# One route per method, each with its own operation id: Envoy forwards the original method.
for _method in METHODS:
    router.add_api_route(
        PREFIX, check_root, methods=[_method], responses=_RESPONSES,
        operation_id=f"check_{_method.lower()}",
    )  # fmt: skip
    router.add_api_route(
        PREFIX + "/{path:path}", check, methods=[_method], responses=_RESPONSES,
        operation_id=f"check_path_{_method.lower()}",
    )  # fmt: skip
