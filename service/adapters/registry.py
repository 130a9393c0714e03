"""Adapters by name, and the one call a source makes per raw record."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import lru_cache, partial

import orjson

from service.adapters.common import Adapter
from service.adapters.envoy import adapt_envoy_als, adapt_envoy_json
from service.adapters.kong import adapt_kong
from service.adapters.litellm import adapt_litellm
from service.adapters.nginx import adapt_nginx
from service.contract import InvalidEvent, RequestEvent, parse_event, validate_event

ADAPTERS: dict[str, Adapter] = {
    "contract": validate_event,
    "litellm": adapt_litellm,
    "envoy": adapt_envoy_als,
    "envoy-json": adapt_envoy_json,
    "kong": adapt_kong,
    "nginx": adapt_nginx,
}


@lru_cache(maxsize=64)
def adapter_for(
    format: str, account_from: tuple[str, ...] = (), trusted_proxies: tuple[str, ...] = ()
) -> Adapter:
    """The adapter of ``format``, with the deployment's account sources and trusted proxies
    (settings ``account_from``, ``trusted_proxies``) where it reads them; empty: its defaults.
    """
    if format not in ADAPTERS:
        raise ValueError(f"unknown record format {format!r}; known: {', '.join(ADAPTERS)}")
    adapter = ADAPTERS[format]
    if not dataclasses.is_dataclass(adapter) or isinstance(adapter, type):
        return adapter  # the contract and envoy-json name the account in the record itself
    names = {field.name for field in dataclasses.fields(adapter)}
    options = {"account_from": account_from, "trusted_proxies": trusted_proxies}
    changes = {name: value for name, value in options.items() if value and name in names}
    configured: Adapter = dataclasses.replace(adapter, **changes) if changes else adapter
    return configured


def raw_parser(
    format: str, account_from: tuple[str, ...] = (), trusted_proxies: tuple[str, ...] = ()
) -> Callable[[bytes | str], RequestEvent]:
    """The parse function of one record format, looked up once per source, not per record."""
    adapter = adapter_for(format, account_from, trusted_proxies)
    if format == "contract":
        return parse_event
    return partial(_decode_then, format, adapter)


def adapt_raw(format: str, raw: bytes | str) -> RequestEvent:
    """Decode one JSON record in ``format`` (a key of :data:`ADAPTERS`) into an event.

    Raises :class:`InvalidEvent` for a broken record (also for text that is not JSON) and
    ``ValueError`` for an unknown format, which is a configuration error, not a bad record.
    """
    adapter = ADAPTERS.get(format)
    if adapter is None:
        raise ValueError(f"unknown record format {format!r}; known: {', '.join(ADAPTERS)}")
    if adapter is validate_event:
        # The contract decodes straight into the event, without an intermediate dict.
        return parse_event(raw)
    return _decode_then(format, adapter, raw)


def _decode_then(format: str, adapter: Adapter, raw: bytes | str) -> RequestEvent:
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise InvalidEvent(f"record: not valid JSON ({error}) ({format})") from None
    return adapter(record)
