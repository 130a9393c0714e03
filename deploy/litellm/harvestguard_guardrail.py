"""LiteLLM pre-call hook: ask harvestguard's inline check before a call, and refuse it.

Before LiteLLM calls the model, :meth:`HarvestguardGuardrail.async_pre_call_hook` resolves
the account from the same ordered sources as the logging callback
(``HARVESTGUARD_ACCOUNT_FROM``: org, team, key_hash, user, header:NAME) and sends
``GET {HARVESTGUARD_CHECK_URL}`` with the account in ``x-account-id``. Then:

- 200 (allow, review, or shadow mode): the call goes on;
- 429 (throttle): the client gets 429 with ``Retry-After`` and the reason codes;
- 403 (block): the client gets 403 with the reason codes;
- no answer within ``HARVESTGUARD_CHECK_TIMEOUT_MS`` (default 50), or the check's own 503:
  ``HARVESTGUARD_CHECK_FAILURE_MODE`` decides: ``open`` (default) lets the call through,
  ``closed`` answers 503.

Enable it beside the callback (see ``docs/gateways.md``)::

    litellm_settings:
      callbacks: ["harvestguard_callback.proxy_handler_instance",
                  "harvestguard_guardrail.guardrail_instance"]

The answer carries the action and reason codes only, never a score or the prompt.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import httpx
from fastapi import HTTPException

from service.adapters.identity import HEADER, parse_account_from
from service.adapters.litellm import DEFAULT_ACCOUNT_FROM

try:
    from litellm.integrations.custom_logger import CustomLogger as _HookBase
except ImportError:  # no litellm in this environment: same methods, plain base
    _HookBase = object

logger = logging.getLogger("harvestguard.litellm")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _request_header(data: dict[str, Any], name: str) -> str | None:
    request = data.get("proxy_server_request")
    headers = request.get("headers") if isinstance(request, dict) else None
    if not isinstance(headers, dict):
        return None
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == name:
            return _text(value)
    return None


def account_of(sources: tuple[str, ...], key: Any, data: dict[str, Any]) -> str | None:
    """The account of a call before it is made: the first of ``sources`` that is set.

    ``key`` is LiteLLM's ``UserAPIKeyAuth``; ``data`` the request as the hook receives it.
    The same sources, in the same order, as the LiteLLM adapter reads from the logging
    payload (``service.adapters.litellm``), so the check and the log agree on the account.
    """
    for source in sources:
        if source.startswith(HEADER):
            found = _request_header(data, source[len(HEADER) :])
        elif source == "org":
            found = _text(getattr(key, "org_id", None))
        elif source == "team":
            found = _text(getattr(key, "team_id", None))
        elif source == "key_hash":
            found = _text(getattr(key, "api_key", None))
        elif source == "user":
            found = _text(data.get("user")) or _text(getattr(key, "end_user_id", None))
        else:  # a dotted path into the logging payload: nothing to read before the call
            found = None
        if found is not None:
            return found
    return None


class HarvestguardGuardrail(_HookBase):
    """Refuses calls of throttled (429) and blocked (403) accounts, before the model runs."""

    def __init__(
        self,
        check_url: str | None = None,
        timeout_ms: float | None = None,
        failure_mode: str | None = None,
        account_from: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__()
        env = os.environ.get
        self.check_url = check_url or env(
            "HARVESTGUARD_CHECK_URL", "http://127.0.0.1:8080/v1/check"
        )
        self.timeout_s = (timeout_ms or float(env("HARVESTGUARD_CHECK_TIMEOUT_MS", "50"))) / 1000
        self.failure_mode = failure_mode or env("HARVESTGUARD_CHECK_FAILURE_MODE", "open")
        if self.failure_mode not in ("open", "closed"):
            raise ValueError(
                f"HARVESTGUARD_CHECK_FAILURE_MODE: {self.failure_mode!r} is not open or closed"
            )
        self.account_from = account_from or (
            parse_account_from(env("HARVESTGUARD_ACCOUNT_FROM", "")) or DEFAULT_ACCOUNT_FROM
        )
        self._client: httpx.AsyncClient | None = None

    async def async_pre_call_hook(
        self, user_api_key_dict: Any, cache: Any, data: dict[str, Any], call_type: Any
    ) -> dict[str, Any]:
        account = account_of(self.account_from, user_api_key_dict, data)
        if account is None:
            return data  # who may call at all is the proxy's authentication's business
        if self._client is None:  # one pooled keep-alive client per proxy worker
            self._client = httpx.AsyncClient(timeout=self.timeout_s)
        try:
            answer = await self._client.get(self.check_url, headers={"x-account-id": account})
        except httpx.HTTPError as error:
            return self._unavailable(data, f"check unreachable ({type(error).__name__})")
        if answer.status_code == 200:
            return data
        if answer.status_code in (403, 429):
            action = answer.headers.get("x-harvestguard-action", "block")
            reasons = answer.headers.get("x-harvestguard-reasons", "")
            headers = {"x-harvestguard-action": action, "x-harvestguard-reasons": reasons}
            if "retry-after" in answer.headers:
                headers["retry-after"] = answer.headers["retry-after"]
            detail = {"error": f"refused by harvestguard: {action}", "reasons": reasons.split(",")}
            raise HTTPException(status_code=answer.status_code, detail=detail, headers=headers)
        return self._unavailable(data, f"check answered {answer.status_code}")

    def _unavailable(self, data: dict[str, Any], why: str) -> dict[str, Any]:
        if self.failure_mode == "open":
            logger.warning("harvestguard: %s; the call goes on (fail open)", why)
            return data
        raise HTTPException(
            status_code=503,
            detail={"error": "harvestguard check unavailable", "reasons": ["check_unavailable"]},
            headers={"retry-after": "1", "x-harvestguard-action": "unavailable"},
        )


# The instance LiteLLM's config names.
guardrail_instance = HarvestguardGuardrail()
