"""nginx's JSON access log (``deploy/nginx/``) as contract events.

One line per request, written by the ``harvestguard`` ``log_format`` (``escape=json``) of
``deploy/nginx/harvestguard.conf``; every value is text, as nginx renders variables:

=================== ==========================================================================
contract            log key (nginx variable)
=================== ==========================================================================
event_id            ``request_id`` (``$request_id``)
ts                  ``msec`` (``$msec``: the request's end, in seconds with milliseconds;
                    ``request_time`` is subtracted, so ``ts`` is when it started)
account_id          the configured sources (``service.adapters.identity``), by default
                    ``header:x-account-id`` then ``key_hash``; a header ``N`` is logged as
                    ``http_<n>`` (nginx's ``$http_<n>``: lower case, ``-`` as ``_``)
api_key_id          ``key_hash`` (``$hg_key_hash``: sha256 of the bearer token, by njs)
client_ip           ``x_forwarded_for`` and ``remote_addr``: the rightmost hop outside the
                    trusted proxies (``service.adapters.client_ip``)
user_agent          ``user_agent``; ``endpoint``: ``request_uri`` without its query
status, latency_ms  ``status``; ``request_time`` (seconds) in milliseconds
tokens, model,      ``usage`` (``$hg_usage``: JSON text that the njs body filter writes from
finish_reason       the upstream's answer, also a stream's last chunks: ``model``,
                    ``prompt_tokens``, ``completion_tokens``, ``reasoning_tokens``,
                    ``finish_reason``)
                    A failed request (the upstream down: 502, 504) has no usage: its tokens
                    are 0, for no output was sent, so the event still counts. Requests the
                    check refused are not written to this log (``if=$hg_log``).
user_id, messages,  ``request_body`` (``$request_body``, the OpenAI request: ``user``,
prompt, params      ``messages``, sampling parameters); empty when the body was not kept
=================== ==========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from service.adapters.client_ip import ClientIp
from service.adapters.common import (
    Record,
    conversation,
    finish,
    number,
    params,
    path_only,
    require_object,
    text,
)
from service.adapters.identity import Getter, account_getters, first_account
from service.contract import RequestEvent

NAME = "nginx"
DEFAULT_ACCOUNT_FROM = ("header:x-account-id", "key_hash")


def _json_text(value: Any) -> dict[str, Any]:
    """A JSON object logged as text (escape=json gives a string); {} for anything else."""
    if isinstance(value, dict):
        return value
    if not isinstance(value, str) or not value.startswith("{"):
        return {}
    try:
        decoded = orjson.loads(value)
    except orjson.JSONDecodeError:  # a body cut short by nginx's buffer, or not JSON
        return {}
    return decoded if isinstance(decoded, dict) else {}


def _header(line: Record, name: str) -> Any:
    return line.get("http_" + name.replace("-", "_"))


def _body_user(line: Record) -> str | None:
    return text(_json_text(line.get("request_body")).get("user"))


ACCOUNT_SOURCES: dict[str, tuple[str, ...] | Getter] = {
    "key_hash": ("key_hash",),
    "user": _body_user,
}


def _started(msec: Any, request_time: Any) -> Any:
    end, took = number(msec), number(request_time)
    if isinstance(end, int | float) and isinstance(took, int | float):
        return round(end - took, 3)
    return end  # not a number: validation rejects it, naming ts


@dataclass(frozen=True)
class NginxAdapter:
    """Callable turning one line of the ``harvestguard`` nginx log into a :class:`RequestEvent`."""

    account_from: tuple[str, ...] = DEFAULT_ACCOUNT_FROM
    trusted_proxies: tuple[str, ...] = ()
    _accounts: tuple[Getter, ...] = field(init=False, repr=False, compare=False)
    _client_ip: ClientIp = field(init=False, repr=False, compare=False)
    _sources: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        accounts, account_where = account_getters(self.account_from, ACCOUNT_SOURCES, _header)
        object.__setattr__(self, "_accounts", accounts)
        object.__setattr__(self, "_client_ip", ClientIp(self.trusted_proxies))
        object.__setattr__(
            self,
            "_sources",
            {
                "event_id": "request_id",
                "ts": "msec - request_time",
                "account_id": account_where,
                "model": "request_body.model or usage.model",
                "prompt_tokens": "usage.prompt_tokens ($hg_usage)",
                "completion_tokens": "usage.completion_tokens ($hg_usage)",
            },
        )

    def __call__(self, record: Record) -> RequestEvent:
        line = require_object(NAME, record)
        usage = _json_text(line.get("usage"))
        body = _json_text(line.get("request_body"))
        count, prompt, system_prompt = conversation(
            body.get("messages") if "messages" in body else body.get("prompt"), body.get("system")
        )
        seconds = number(line.get("request_time"))
        status = number(line.get("status"))
        if not usage and isinstance(status, int) and status >= 400:
            usage = {"prompt_tokens": 0, "completion_tokens": 0}  # nothing reached the model
        event = {
            "event_id": text(line.get("request_id")),
            "ts": _started(line.get("msec"), line.get("request_time")),
            "account_id": first_account(self._accounts, line),
            "api_key_id": text(line.get("key_hash")),
            "user_id": text(body.get("user")),
            "client_ip": self._client_ip(
                text(line.get("x_forwarded_for")), text(line.get("remote_addr"))
            ),
            "user_agent": text(line.get("user_agent")),
            "endpoint": path_only(line.get("request_uri")),
            # The model the client asked for (the contract's), else the one that answered.
            "model": text(body.get("model")) or text(usage.get("model")),
            "status": status,
            "prompt_tokens": number(usage.get("prompt_tokens")),
            "completion_tokens": number(usage.get("completion_tokens")),
            "reasoning_tokens": number(usage.get("reasoning_tokens")),
            "latency_ms": round(seconds * 1000.0, 3) if isinstance(seconds, int | float) else None,
            "finish_reason": text(usage.get("finish_reason")),
            "messages": count,
            "params": params(body),
            "prompt": prompt,
            "system_prompt": system_prompt,
        }
        return finish(NAME, event, self._sources)


adapt_nginx = NginxAdapter()
