"""Adapters by name, and the one call a source makes per raw record."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import orjson

from service.adapters.common import Adapter
from service.adapters.envoy import adapt_envoy_als, adapt_envoy_json
from service.adapters.kong import adapt_kong
from service.adapters.litellm import adapt_litellm
from service.contract import InvalidEvent, RequestEvent, parse_event, validate_event

ADAPTERS: dict[str, Adapter] = {
    "contract": validate_event,
    "litellm": adapt_litellm,
    "envoy": adapt_envoy_als,
    "envoy-json": adapt_envoy_json,
    "kong": adapt_kong,
}


def raw_parser(format: str) -> Callable[[bytes | str], RequestEvent]:
    """The parse function of one record format, looked up once per source, not per record."""
    if format not in ADAPTERS:
        raise ValueError(f"unknown record format {format!r}; known: {', '.join(ADAPTERS)}")
    if format == "contract":
        return parse_event
    return partial(adapt_raw, format)


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
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise InvalidEvent(f"record: not valid JSON ({error}) ({format})") from None
    return adapter(record)
