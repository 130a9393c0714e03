"""A Kong log entry with AI Proxy fields as a contract event.

Kong's logging plugins (http-log, file-log, kafka-log, ...) write one JSON object per
request (``kong.log.serialize``); the AI Proxy plugin adds an ``ai`` object to it
(https://developer.konghq.com/ai-gateway/ai-audit-log-reference/). Fields used:

- ``event_id`` <- ``request.id`` (Kong 3.5+), else the ``x-kong-request-id`` response header
- ``ts`` <- ``started_at`` (Unix milliseconds)
- ``account_id`` <- the configured sources (``service.adapters.identity``), by default
  ``consumer`` (``consumer.id``); ``key_hash`` is ``authenticated_entity.id``, ``user`` the
  logged request body's ``user``, ``header:NAME`` ``request.headers``, a dotted path
  anything else (e.g. ``consumer.custom_id``)
- ``api_key_id`` <- ``authenticated_entity.id`` (the id of the credential, never the key)
- ``client_ip``, ``user_agent``, ``endpoint`` <- ``client_ip``, ``request.headers.user-agent``,
  ``request.uri`` without its query string
- ``status``, ``latency_ms`` <- ``response.status``, ``latencies.request``
- ``model`` <- ``ai.proxy.meta.request_model``, else the request body's ``model``
- ``prompt_tokens``, ``completion_tokens`` <- ``ai.proxy.usage.prompt_tokens`` and
  ``completion_tokens`` (Kong 3.6 named them ``prompt_token`` and ``completion_token``)
- from the request body, when AI Proxy logs payloads (``logging.log_payloads``;
  ``ai.payload.request`` or ``ai.proxy.payload.request``): ``user_id`` (OpenAI ``user``),
  ``messages``, ``prompt``, ``system_prompt`` and ``params``
- from the response body, likewise: ``finish_reason`` and ``reasoning_tokens``

``ai.proxy.meta.response_model`` and ``provider_name`` have no contract field and are not
used: the contract's model is the one the client asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from service.adapters.common import (
    Record,
    choice_summary,
    conversation,
    finish,
    lookup,
    number,
    params,
    path_only,
    require_object,
    text,
)
from service.adapters.identity import Getter, account_getters, first_account, header_in
from service.contract import RequestEvent

NAME = "kong"
DEFAULT_ACCOUNT_FROM = ("consumer",)
# AI Proxy logs under ai.<plugin>, where <plugin> is "proxy" for ai-proxy.
DEFAULT_PLUGIN = "proxy"


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _body(value: Any) -> dict[str, Any]:
    """A logged payload: JSON text (as Kong logs it) or an already decoded object.

    A payload that is not a JSON object (truncated by Kong's size limit, or a stream of
    server-sent events) yields nothing: payload fields are optional in the contract.
    """
    if isinstance(value, str | bytes):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            return {}
    return _object(value)


def _first(values: dict[str, Any], *names: str) -> Any:
    for name in names:
        if values.get(name) is not None:
            return values[name]
    return None


def _ts(started_at: Any) -> Any:
    millis = number(started_at)
    if isinstance(millis, int | float) and not isinstance(millis, bool):
        return millis / 1000.0
    return millis  # not a number: validation rejects it, naming ts


def _body_user(log: Record) -> str | None:
    ai = _object(log.get("ai"))
    for plugin in ai.values():  # the request body is logged under ai.payload or ai.<plugin>
        body = _body(lookup(plugin, ("payload", "request")) or lookup(plugin, ("request",)))
        if body.get("user") is not None:
            return text(body.get("user"))
    return None


ACCOUNT_SOURCES: dict[str, tuple[str, ...] | Getter] = {
    "consumer": ("consumer.id",),
    "key_hash": ("authenticated_entity.id",),
    "user": _body_user,
}


def _header(log: Record, name: str) -> object:
    return header_in(lookup(log, ("request", "headers")), name)


@dataclass(frozen=True)
class KongAdapter:
    """Callable turning one Kong log entry into a :class:`RequestEvent`.

    ``account_from`` lists account sources (``service.adapters.identity``), tried in order;
    none set is a rejection (``account_id: is required``). ``plugin`` is the key under
    ``ai``. Kong resolves ``client_ip`` itself (its ``trusted_ips`` and ``real_ip_header``).
    """

    account_from: tuple[str, ...] = DEFAULT_ACCOUNT_FROM
    plugin: str = DEFAULT_PLUGIN
    _accounts: tuple[Getter, ...] = field(init=False, repr=False, compare=False)
    _sources: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        accounts, account_where = account_getters(self.account_from, ACCOUNT_SOURCES, _header)
        object.__setattr__(self, "_accounts", accounts)
        ai = f"ai.{self.plugin}"
        object.__setattr__(
            self,
            "_sources",
            {
                "event_id": "request.id",
                "ts": "started_at (ms)",
                "account_id": account_where,
                "api_key_id": "authenticated_entity.id",
                "user_id": "ai.payload.request (user)",
                "client_ip": "client_ip",
                "user_agent": "request.headers.user-agent",
                "endpoint": "request.uri",
                "model": f"{ai}.meta.request_model",
                "status": "response.status",
                "latency_ms": "latencies.request",
                "prompt_tokens": f"{ai}.usage.prompt_tokens",
                "completion_tokens": f"{ai}.usage.completion_tokens",
                "reasoning_tokens": f"{ai}.payload.response",
                "finish_reason": f"{ai}.payload.response",
                "prompt": "ai.payload.request",
                "system_prompt": "ai.payload.request",
                "params": "ai.payload.request",
            },
        )

    def __call__(self, record: Record) -> RequestEvent:
        log = require_object(NAME, record)
        ai = _object(log.get("ai"))
        plugin = _object(ai.get(self.plugin))
        usage = _object(plugin.get("usage"))
        request = _object(log.get("request"))
        headers = _object(request.get("headers"))
        response = _object(log.get("response"))
        body = _body(lookup(ai, ("payload", "request")) or lookup(plugin, ("payload", "request")))
        # Legacy completions send "prompt" (a string) where chat sends "messages".
        count, prompt, system_prompt = conversation(
            _first(body, "messages", "prompt"), body.get("system")
        )
        finish_reason, reasoning = choice_summary(_body(lookup(plugin, ("payload", "response"))))
        event = {
            "event_id": text(request.get("id"))
            or text(_object(response.get("headers")).get("x-kong-request-id")),
            "ts": _ts(log.get("started_at")),
            "account_id": first_account(self._accounts, log),
            "api_key_id": text(lookup(log, ("authenticated_entity", "id"))),
            "user_id": text(body.get("user")),
            "client_ip": text(log.get("client_ip")),
            "user_agent": text(headers.get("user-agent")),
            "endpoint": path_only(request.get("uri")),
            "model": text(lookup(plugin, ("meta", "request_model"))) or text(body.get("model")),
            "status": number(response.get("status")),
            "prompt_tokens": number(_first(usage, "prompt_tokens", "prompt_token")),
            "completion_tokens": number(_first(usage, "completion_tokens", "completion_token")),
            "reasoning_tokens": number(reasoning),
            "latency_ms": number(lookup(log, ("latencies", "request"))),
            "finish_reason": finish_reason,
            "messages": count,
            "params": params(body),
            "prompt": prompt,
            "system_prompt": system_prompt,
        }
        return finish(NAME, event, self._sources)


adapt_kong = KongAdapter()
