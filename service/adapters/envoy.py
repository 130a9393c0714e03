"""Envoy access logs as contract events: the gRPC ALS entry, and harvestguard's JSON file log.

**gRPC access log service** (``envoy.access_loggers.http_grpc``): one
``envoy.data.accesslog.v3.HTTPAccessLogEntry`` in its protobuf JSON form, with either the
proto field names (``common_properties.start_time``) or the lowerCamelCase ones a default
``MessageToJson`` writes (``commonProperties.startTime``). A collector receiving
``StreamAccessLogsMessage`` passes each of ``http_logs.log_entry`` on its own.

========================== =============================================================
contract                   HTTPAccessLogEntry
========================== =============================================================
event_id                   ``request.request_id`` (``x-request-id``)
ts                         ``common_properties.start_time``
account_id                 the configured sources (``service.adapters.identity``), by default
                           ``header:x-account-id``; ``key_hash`` is the ``x-api-key-hash``
                           header: list the headers in ``additional_request_headers_to_log``
api_key_id                 ``request.request_headers[x-api-key-hash]``
client_ip                  ``common_properties.downstream_remote_address.socket_address.address``
user_agent, endpoint       ``request.user_agent``; ``request.original_path`` or ``request.path``
status                     ``response.response_code`` (0, "no response was sent", is not known)
latency_ms                 ``common_properties.duration``, else ``time_to_last_downstream_tx_byte``
model                      ``request.request_headers[x-ai-eg-model]``, else metadata ``model``
tokens, finish_reason      ``common_properties.metadata.filter_metadata``: namespace
                           ``harvestguard`` (keys named as in the contract, written by the Lua
                           filter in ``deploy/envoy/envoy.yaml``), else Envoy AI Gateway's
                           ``io.envoy.ai_gateway`` (``llm_input_token``, ``llm_output_token``)
========================== =============================================================

**JSON file log** (``envoy-json``): one object per line, written by a file access log with
:data:`JSON_LOG_FORMAT` as its ``json_format``. Its keys are the contract's names, so the
adapter only turns Envoy's renderings into contract values: ``"-"`` (Envoy's "not set") and
``""`` are absent, numbers given as text are numbers, the path loses its query string.
A deployment that knows more may add other contract text fields, e.g.
``user_id: "%REQ(X-USER-ID)%"`` or ``session_id``; other keys are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.adapters.common import (
    Record,
    finish,
    lookup,
    number,
    path_only,
    require_object,
    text,
)
from service.adapters.identity import Getter, account_getters, first_account, header_in
from service.contract import RequestEvent

ALS_NAME = "envoy"
JSON_NAME = "envoy-json"

# The ``json_format`` of harvestguard's Envoy file access log (deploy/envoy/envoy.yaml).
JSON_LOG_FORMAT: dict[str, str] = {
    "event_id": "%REQ(X-REQUEST-ID)%",
    "ts": "%START_TIME(%s.%3f)%",
    "account_id": "%REQ(X-ACCOUNT-ID)%",
    "api_key_id": "%REQ(X-API-KEY-HASH)%",
    "client_ip": "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%",
    "user_agent": "%REQ(USER-AGENT)%",
    "endpoint": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
    "model": "%DYNAMIC_METADATA(harvestguard:model)%",
    "status": "%RESPONSE_CODE%",
    "latency_ms": "%DURATION%",
    "prompt_tokens": "%DYNAMIC_METADATA(harvestguard:prompt_tokens)%",
    "completion_tokens": "%DYNAMIC_METADATA(harvestguard:completion_tokens)%",
    "reasoning_tokens": "%DYNAMIC_METADATA(harvestguard:reasoning_tokens)%",
    "finish_reason": "%DYNAMIC_METADATA(harvestguard:finish_reason)%",
}


@dataclass(frozen=True)
class MetadataKeys:
    """Where one filter's dynamic metadata namespace keeps the usage of a request."""

    namespace: str
    prompt_tokens: str
    completion_tokens: str
    reasoning_tokens: str | None = None
    model: str | None = None
    finish_reason: str | None = None


HARVESTGUARD_METADATA = MetadataKeys(
    "harvestguard", "prompt_tokens", "completion_tokens", "reasoning_tokens", "model",
    "finish_reason",
)  # fmt: skip
AI_GATEWAY_METADATA = MetadataKeys("io.envoy.ai_gateway", "llm_input_token", "llm_output_token")


def _field(value: Any, name: str, camel: str) -> Any:
    """A protobuf JSON field under its proto name or its lowerCamelCase JSON name."""
    if not isinstance(value, dict):
        return None
    found = value.get(name)
    return value.get(camel) if found is None else found


def _timestamp(value: Any) -> Any:
    """``google.protobuf.Timestamp``: RFC 3339 text (canonical JSON) or seconds and nanos."""
    if isinstance(value, dict):
        seconds, nanos = number(value.get("seconds")), number(value.get("nanos")) or 0
        if isinstance(seconds, int | float) and isinstance(nanos, int | float):
            return seconds + nanos / 1e9
    return value


def _duration_ms(value: Any) -> float | None:
    """``google.protobuf.Duration``: ``"1.250s"`` (canonical JSON) or seconds and nanos."""
    if isinstance(value, str) and value.endswith("s"):
        try:
            return float(value[:-1]) * 1000.0
        except ValueError:
            return None
    if isinstance(value, dict):
        seconds, nanos = number(value.get("seconds")) or 0, number(value.get("nanos")) or 0
        if isinstance(seconds, int | float) and isinstance(nanos, int | float):
            return seconds * 1000.0 + nanos / 1e6
    return None


def _read(values: dict[str, Any], key: str | None) -> Any:
    return values.get(key) if key is not None else None


def _status(value: Any) -> Any:
    if isinstance(value, dict):  # a UInt32Value written as a message, not as its value
        value = value.get("value")
    status = number(value)
    return None if status == 0 else status


_HEADERS = "request.request_headers"


def _header(entry: Record, name: str) -> object:
    request = _field(entry, "request", "request")
    return header_in(_field(request, "request_headers", "requestHeaders"), name)


@dataclass(frozen=True)
class EnvoyAdapter:
    """Callable turning one ALS ``HTTPAccessLogEntry`` (JSON) into a :class:`RequestEvent`."""

    account_from: tuple[str, ...] = ("header:x-account-id",)
    api_key_header: str = "x-api-key-hash"
    model_header: str = "x-ai-eg-model"
    metadata: tuple[MetadataKeys, ...] = (HARVESTGUARD_METADATA, AI_GATEWAY_METADATA)
    _accounts: tuple[Getter, ...] = field(init=False, repr=False, compare=False)
    _sources: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        accounts, account_where = account_getters(
            self.account_from, {"key_hash": (f"{_HEADERS}.{self.api_key_header}",)}, _header
        )
        object.__setattr__(self, "_accounts", accounts)
        usage = " or ".join(f"filter_metadata[{keys.namespace}]" for keys in self.metadata)
        object.__setattr__(
            self,
            "_sources",
            {
                "event_id": "request.request_id",
                "ts": "common_properties.start_time",
                "account_id": account_where,
                "api_key_id": f"request.request_headers[{self.api_key_header}]",
                "client_ip": "common_properties.downstream_remote_address",
                "user_agent": "request.user_agent",
                "endpoint": "request.path",
                "model": f"request.request_headers[{self.model_header}] or {usage}",
                "status": "response.response_code",
                "latency_ms": "common_properties.duration",
                "prompt_tokens": usage,
                "completion_tokens": usage,
                "reasoning_tokens": usage,
                "finish_reason": usage,
            },
        )

    def _usage(self, common: Any) -> dict[str, Any]:
        """Usage from the first configured metadata namespace present in the entry."""
        metadata = _field(common, "metadata", "metadata")
        namespaces = _field(metadata, "filter_metadata", "filterMetadata")
        if not isinstance(namespaces, dict):
            return {}
        for keys in self.metadata:
            values = namespaces.get(keys.namespace)
            if isinstance(values, dict):
                return {
                    "prompt_tokens": number(_read(values, keys.prompt_tokens)),
                    "completion_tokens": number(_read(values, keys.completion_tokens)),
                    "reasoning_tokens": number(_read(values, keys.reasoning_tokens)),
                    "model": text(_read(values, keys.model)),
                    "finish_reason": text(_read(values, keys.finish_reason)),
                }
        return {}

    def __call__(self, record: Record) -> RequestEvent:
        entry = require_object(ALS_NAME, record)
        common = _field(entry, "common_properties", "commonProperties")
        request = entry.get("request")
        response = entry.get("response")
        headers = _field(request, "request_headers", "requestHeaders")
        headers = headers if isinstance(headers, dict) else {}
        remote = _field(common, "downstream_remote_address", "downstreamRemoteAddress")
        usage = self._usage(common)
        latency = _duration_ms(_field(common, "duration", "duration"))
        if latency is None:
            latency = _duration_ms(
                _field(common, "time_to_last_downstream_tx_byte", "timeToLastDownstreamTxByte")
            )
        event = {
            "event_id": text(_field(request, "request_id", "requestId")),
            "ts": _timestamp(_field(common, "start_time", "startTime")),
            "account_id": first_account(self._accounts, entry),
            "api_key_id": text(headers.get(self.api_key_header)),
            "client_ip": text(
                lookup(_field(remote, "socket_address", "socketAddress"), ("address",))
            ),
            "user_agent": text(_field(request, "user_agent", "userAgent")),
            "endpoint": path_only(
                _field(request, "original_path", "originalPath") or _field(request, "path", "path")
            ),
            "status": _status(_field(response, "response_code", "responseCode")),
            "latency_ms": latency,
            **usage,
            "model": text(headers.get(self.model_header)) or usage.get("model"),
        }
        return finish(ALS_NAME, event, self._sources)


_JSON_TEXT = ("event_id", "account_id", "api_key_id", "client_ip", "user_agent", "model",
              "finish_reason", "user_id", "session_id")  # fmt: skip
_JSON_NUMBERS = ("prompt_tokens", "completion_tokens", "reasoning_tokens", "latency_ms")
_JSON_SOURCES = {name: f"{name} ({JSON_LOG_FORMAT[name]})" for name in JSON_LOG_FORMAT}


def _json_ts(value: Any) -> Any:
    # START_TIME(%s.%3f) renders as text even in typed JSON; plain %START_TIME% is RFC 3339.
    if isinstance(value, str) and (value in ("", "-") or value.replace(".", "", 1).isdigit()):
        return number(value)
    return value


def adapt_envoy_json(record: Record) -> RequestEvent:
    """One line of the :data:`JSON_LOG_FORMAT` file log as a :class:`RequestEvent`."""
    line = require_object(JSON_NAME, record)
    event: dict[str, Any] = {name: text(line.get(name)) for name in _JSON_TEXT}
    for name in _JSON_NUMBERS:
        event[name] = number(line.get(name))
    event["ts"] = _json_ts(line.get("ts"))
    event["status"] = _status(line.get("status"))
    event["endpoint"] = path_only(line.get("endpoint"))
    return finish(JSON_NAME, event, _JSON_SOURCES)


adapt_envoy_als = EnvoyAdapter()
