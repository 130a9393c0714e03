"""The inline check, compatible with Envoy's ext_authz HTTP service.

Envoy calls ``{path_prefix}{original path}`` with the original method and the
headers it is told to forward; a 200 lets the request through, anything else
is returned to the client. The answer carries the action and reason codes and
nothing else (no score, no features): the check is unauthenticated, because
Envoy calls it on loopback, and a caller must learn no more than that.
"""

from __future__ import annotations

import re
import time

import orjson
from fastapi import APIRouter, Request, Response

from service import metrics
from service.api.context import ApiContext
from service.state.account import ALLOW
from service.state.base import StoreUnavailable

router = APIRouter(tags=["check"])

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
ACTION = "x-harvestguard-action"
REASONS = "x-harvestguard-reasons"
SHADOW_ACTION = "x-harvestguard-shadow-action"
DEGRADED = "x-harvestguard-degraded"
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


def _codes(reasons: list[str]) -> str:
    # Codes are machine-made, but keep the header safe whatever a decision holds.
    return ",".join(_REASON_CODE.sub("", reason.lower()) for reason in reasons)


def _unavailable(context: ApiContext) -> Response:
    if context.settings.check_failure_mode == "open":
        _OUTCOMES["fail_open"].inc()
        return Response(status_code=200, headers={ACTION: ALLOW, DEGRADED: "store-unavailable"})
    _OUTCOMES["fail_closed"].inc()
    return Response(
        orjson.dumps({"action": "unavailable", "reasons": ["store_unavailable"]}),
        status_code=503,
        media_type="application/json",
        headers={
            ACTION: "unavailable",
            REASONS: "store_unavailable",
            DEGRADED: "store-unavailable",
            "retry-after": "1",
        },
    )


async def _answer(request: Request) -> Response:
    context: ApiContext = request.app.state.context
    settings = context.settings
    headers = request.headers
    account = headers.get(settings.check_account_header)
    try:
        if not account and settings.check_key_header:
            key_hash = headers.get(settings.check_key_header)
            if key_hash:
                account = await context.reader.account_for_key(key_hash)
        if not account:
            # Who may call at all is the gateway's authentication's business, not ours.
            _OUTCOMES["no_account"].inc()
            return Response(status_code=200, headers={ACTION: ALLOW})
        decision = await context.reader.decision(account)
    except StoreUnavailable:
        return _unavailable(context)
    if decision is None or decision.action == ALLOW:
        _OUTCOMES["allow"].inc()
        return Response(status_code=200, headers={ACTION: ALLOW})
    action = decision.action
    codes = _codes(decision.reasons)
    if settings.shadow_mode:
        _OUTCOMES[f"shadow_{action}"].inc()
        return Response(
            status_code=200, headers={ACTION: ALLOW, SHADOW_ACTION: action, REASONS: codes}
        )
    _OUTCOMES[action].inc()
    status = _DENIAL_STATUS.get(action)
    if status is None:  # review: let it through, and say so (the gateway may log it)
        return Response(status_code=200, headers={ACTION: action, REASONS: codes})
    body: dict[str, object] = {"action": action, "reasons": decision.reasons}
    out = {ACTION: action, REASONS: codes}
    if status == 429:
        body["retry_after_s"] = settings.check_retry_after_s
        out["retry-after"] = str(settings.check_retry_after_s)
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=out
    )


_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"description": "Allowed (`x-harvestguard-action`: allow or review)."},
    403: {"description": "Blocked; reason codes in `x-harvestguard-reasons`."},
    429: {"description": "Throttled; `Retry-After` says when to come back."},
    503: {"description": "Store unreachable and the failure mode is `closed`."},
}


async def check_root(request: Request) -> Response:
    """The account's enforced action for a request to the gateway."""
    started = time.perf_counter()
    response = await _answer(request)
    _DURATION.observe(time.perf_counter() - started)
    return response


async def check(path: str, request: Request) -> Response:
    """As ``/v1/check``, with the original request's path after the prefix (Envoy)."""
    started = time.perf_counter()
    response = await _answer(request)
    _DURATION.observe(time.perf_counter() - started)
    return response


# One route per method, each with its own operation id: Envoy forwards the original method.
for _method in METHODS:
    router.add_api_route(
        "/v1/check",
        check_root,
        methods=[_method],
        responses=_RESPONSES,
        operation_id=f"check_{_method.lower()}",
    )
    router.add_api_route(
        "/v1/check/{path:path}",
        check,
        methods=[_method],
        responses=_RESPONSES,
        operation_id=f"check_path_{_method.lower()}",
    )
