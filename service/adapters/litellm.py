"""LiteLLM's ``StandardLoggingPayload`` (``kwargs["standard_logging_object"]``) as a contract event.

LiteLLM passes this payload to every callback, for successes and failures alike
(https://docs.litellm.ai/docs/proxy/logging_spec). Fields used:

- ``event_id`` <- ``id`` (the LiteLLM call id); ``ts`` <- ``startTime`` (Unix seconds)
- ``account_id`` <- the configured sources (``service.adapters.identity``), by default
  ``org`` then ``team``: ``metadata.user_api_key_org_id``, ``metadata.user_api_key_team_id``
  (both need LiteLLM's database); ``key_hash`` is ``metadata.user_api_key_hash``, ``user``
  the request's ``user``, ``header:x-...`` a client header LiteLLM keeps in
  ``metadata.requester_custom_headers`` (it keeps only ``x-`` headers)
- ``api_key_id`` <- ``metadata.user_api_key_hash`` (LiteLLM's hash of the virtual key)
- ``user_id`` <- ``end_user`` (the request's ``user``), else ``metadata.user_api_key_end_user_id``
- ``client_ip`` <- ``requester_ip_address`` (top level, else in ``metadata``): with
  ``use_x_forwarded_for`` LiteLLM logs the whole ``X-Forwarded-For`` header there, so the
  caller is its rightmost hop outside the trusted proxies (``service.adapters.client_ip``)
- ``user_agent`` <- ``user_agent`` (top level, else in ``metadata``)
- ``endpoint`` <- ``metadata.user_api_key_request_route``, else derived from ``call_type``
- ``model`` <- ``model_group`` (the name the client asked for), else ``model``
- ``status`` <- 200 for ``status: "success"``; for ``"failure"``,
  ``error_information.error_code`` when it is an HTTP status, else 500 (what the proxy
  answers for an exception that carries no status)
- ``prompt_tokens``, ``completion_tokens`` <- the fields of the same names
- ``reasoning_tokens``, ``finish_reason`` <- ``response.usage.completion_tokens_details``,
  ``response.choices[0].finish_reason``
- ``latency_ms`` <- ``endTime - startTime`` (to the last byte, also when streaming)
- ``messages``, ``prompt``, ``system_prompt`` <- ``messages``: their count, the last user
  message, the system messages (LiteLLM's ``redacted-by-litellm`` placeholder is dropped)
- ``params`` <- ``model_parameters`` (LiteLLM's ``optional_params``)

No session id: ``trace_id`` groups the retries and fallbacks of one request, not a
conversation, and LiteLLM logs nothing else that is one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.adapters.client_ip import ClientIp
from service.adapters.common import (
    Record,
    choice_summary,
    conversation,
    finish,
    first_text,
    lookup,
    params,
    require_object,
    split_paths,
    text,
)
from service.adapters.identity import Getter, account_getters, first_account, header_in
from service.contract import RequestEvent

NAME = "litellm"
REDACTED = "redacted-by-litellm"
DEFAULT_ACCOUNT_FROM = ("org", "team")
# Where each account source of service.adapters.identity is in the payload.
ACCOUNT_SOURCES = {
    "org": ("metadata.user_api_key_org_id",),
    "team": ("metadata.user_api_key_team_id",),
    "key_hash": ("metadata.user_api_key_hash",),
    "user": ("end_user", "metadata.user_api_key_end_user_id"),
}
# LiteLLM's proxy answers an exception without a status code with a 500.
FAILURE_STATUS = 500

_ENDPOINTS = {
    "completion": "/v1/chat/completions",
    "acompletion": "/v1/chat/completions",
    "text_completion": "/v1/completions",
    "atext_completion": "/v1/completions",
    "embedding": "/v1/embeddings",
    "aembedding": "/v1/embeddings",
    "responses": "/v1/responses",
    "aresponses": "/v1/responses",
    "anthropic_messages": "/v1/messages",
}
_USER_PATHS = split_paths(("end_user", "metadata.user_api_key_end_user_id"))
_IP_PATHS = split_paths(("requester_ip_address", "metadata.requester_ip_address"))
_AGENT_PATHS = split_paths(("user_agent", "metadata.user_agent"))
_MODEL_PATHS = split_paths(("model_group", "model"))
_REASONING_IN_USAGE = ("usage_object", "completion_tokens_details", "reasoning_tokens")


def _status(payload: Record) -> Any:
    outcome = payload.get("status")
    if outcome == "success":
        return 200
    if outcome != "failure":
        return None
    code = lookup(payload, ("error_information", "error_code"))
    try:
        status = int(code)
    except (TypeError, ValueError):
        return FAILURE_STATUS
    return status if 100 <= status <= 599 else FAILURE_STATUS


def _custom_header(payload: Record, name: str) -> object:
    return header_in(lookup(payload, ("metadata", "requester_custom_headers")), name)


def _latency_ms(payload: Record) -> float | None:
    start, end = payload.get("startTime"), payload.get("endTime")
    if isinstance(start, int | float) and isinstance(end, int | float) and end >= start:
        return round((end - start) * 1000.0, 3)  # to the microsecond: drops float noise
    return None


@dataclass(frozen=True)
class LiteLLMAdapter:
    """Callable turning one ``StandardLoggingPayload`` into a :class:`RequestEvent`.

    ``account_from`` lists account sources (``service.adapters.identity``), tried in order;
    the first that is set is the account. None set is a rejection (``account_id: is
    required``). ``trusted_proxies`` are the networks of the proxies in front of LiteLLM.
    """

    account_from: tuple[str, ...] = DEFAULT_ACCOUNT_FROM
    trusted_proxies: tuple[str, ...] = ()
    _accounts: tuple[Getter, ...] = field(init=False, repr=False, compare=False)
    _client_ip: ClientIp = field(init=False, repr=False, compare=False)
    _sources: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        accounts, account_where = account_getters(
            self.account_from, ACCOUNT_SOURCES, _custom_header
        )
        object.__setattr__(self, "_accounts", accounts)
        object.__setattr__(self, "_client_ip", ClientIp(self.trusted_proxies))
        object.__setattr__(
            self,
            "_sources",
            {
                "event_id": "id",
                "ts": "startTime",
                "account_id": account_where,
                "api_key_id": "metadata.user_api_key_hash",
                "user_id": "end_user",
                "client_ip": "requester_ip_address",
                "user_agent": "user_agent",
                "endpoint": "metadata.user_api_key_request_route",
                "model": "model_group or model",
                "status": "error_information.error_code",
                "prompt_tokens": "prompt_tokens",
                "completion_tokens": "completion_tokens",
                "reasoning_tokens": "response.usage.completion_tokens_details",
                "finish_reason": "response.choices[0].finish_reason",
                "latency_ms": "startTime/endTime",
                "prompt": "messages",
                "system_prompt": "messages",
                "params": "model_parameters",
            },
        )

    def __call__(self, record: Record) -> RequestEvent:
        payload = require_object(NAME, record)
        metadata = payload.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        model_parameters = payload.get("model_parameters")
        count, prompt, system_prompt = conversation(
            payload.get("messages"),
            model_parameters.get("system") if isinstance(model_parameters, dict) else None,
            redacted=REDACTED,
        )
        request_params = params(model_parameters)
        stream = payload.get("stream")  # newer LiteLLM logs it at the top level too
        if isinstance(stream, bool) and "stream" not in (request_params or {}):
            request_params = {**(request_params or {}), "stream": stream}
        finish_reason, reasoning = choice_summary(payload.get("response"))
        if reasoning is None:
            reasoning = lookup(metadata, _REASONING_IN_USAGE)
        event = {
            "event_id": text(payload.get("id")),
            "ts": payload.get("startTime"),
            "account_id": first_account(self._accounts, payload),
            "api_key_id": text(metadata.get("user_api_key_hash")),
            "user_id": first_text(payload, _USER_PATHS),
            "client_ip": self._client_ip(first_text(payload, _IP_PATHS)),
            "user_agent": first_text(payload, _AGENT_PATHS),
            "endpoint": text(metadata.get("user_api_key_request_route"))
            or _ENDPOINTS.get(payload.get("call_type") or ""),
            "model": first_text(payload, _MODEL_PATHS),
            "status": _status(payload),
            "prompt_tokens": payload.get("prompt_tokens"),
            "completion_tokens": payload.get("completion_tokens"),
            "reasoning_tokens": reasoning,
            "latency_ms": _latency_ms(payload),
            "finish_reason": finish_reason,
            "messages": count,
            "params": request_params,
            "prompt": prompt,
            "system_prompt": system_prompt,
        }
        return finish(NAME, event, self._sources)


adapt_litellm = LiteLLMAdapter()
