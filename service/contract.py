"""The request event, version 1: the wire contract every source accepts.

See ``shared/contracts/request-event-v1.md``. Unknown fields are ignored, absent
and ``null`` optional fields both mean "not known", and every rejection names the
field and the problem. Prompt text is kept on the model only so that the
fingerprint stage can read it in memory; nothing downstream stores the model.
"""

from __future__ import annotations

import gzip
import math
import re
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from ipaddress import ip_address
from pathlib import Path
from typing import Annotated, Any

import orjson
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)

MAX_TEXT_BYTES = 1 << 20
DEFAULT_ENDPOINT = "/v1/chat/completions"
# Unix seconds accepted for ``ts``: 1970 up to 2200. Anything else is a broken clock.
MAX_TS = 7_258_118_400.0
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)
_SUBMICROSECOND = re.compile(r"(\.\d{6})\d+")


class InvalidEvent(ValueError):
    """A record that breaks the contract; ``reason`` names the field and the problem."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _unix_seconds(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("must be an RFC 3339 string or Unix seconds, not a boolean")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = _rfc3339_seconds(value)
    else:
        raise ValueError("must be an RFC 3339 string or Unix seconds")
    if not math.isfinite(seconds) or not 0.0 <= seconds < MAX_TS:
        raise ValueError("is outside 1970..2200")
    return seconds


@lru_cache(maxsize=65536)
def _rfc3339_seconds(value: str) -> float:
    # Cached: a stream repeats timestamps (second resolution) far more often than not.
    if not _RFC3339.match(value):
        raise ValueError("must be RFC 3339 with a UTC offset, e.g. 2026-11-28T14:03:11Z")
    # fromisoformat takes at most microseconds; RFC 3339 allows more digits.
    text = _SUBMICROSECOND.sub(r"\1", value.replace("z", "Z").replace("t", "T"))
    return datetime.fromisoformat(text).timestamp()


def _text_limit(value: str | None) -> str | None:
    # Cheap first test: fewer than 256 Ki characters can never exceed 1 MiB of UTF-8.
    if (
        value is not None
        and len(value) > MAX_TEXT_BYTES // 4
        and len(value.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES
    ):
        raise ValueError("is longer than 1 MiB")
    return value


@lru_cache(maxsize=65536)
def _checked_ip(value: str) -> str:
    # Cached: an account calls from a handful of addresses, so most checks are repeats.
    try:
        ip_address(value)
    except ValueError:
        raise ValueError("is not an IPv4 or IPv6 address") from None
    return value


def _ip(value: str | None) -> str | None:
    return None if value is None else _checked_ip(value)


def _null_means(default: Any) -> BeforeValidator:
    """An explicit ``null`` on a field with a default means "not known", i.e. the default."""
    return BeforeValidator(lambda value: default if value is None else value)


UnixTime = Annotated[float, BeforeValidator(_unix_seconds)]
Text = Annotated[str | None, AfterValidator(_text_limit)]
Id = Annotated[str, Field(min_length=1, max_length=128)]
Count = Annotated[int, Field(ge=0)]

_CONFIG = ConfigDict(strict=True, extra="ignore", frozen=True, allow_inf_nan=False)


class Params(BaseModel):
    model_config = _CONFIG

    max_tokens: Count | None = None
    temperature: Annotated[float, Field(ge=0, le=2)] | None = None
    top_p: Annotated[float, Field(ge=0, le=1)] | None = None
    n: Annotated[int, Field(ge=1), _null_means(1)] = 1
    seed: int | None = None
    logprobs: Annotated[bool, _null_means(False)] = False
    top_logprobs: Annotated[int, Field(ge=0, le=20)] | None = None
    logit_bias: Annotated[int, Field(ge=0), _null_means(0)] = 0
    stream: Annotated[bool, _null_means(False)] = False
    tools: Annotated[int, Field(ge=0), _null_means(0)] = 0


class RequestEvent(BaseModel):
    model_config = _CONFIG

    event_id: Id
    ts: UnixTime
    account_id: Id
    api_key_id: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    client_ip: Annotated[str | None, AfterValidator(_ip)] = None
    asn: int | None = None
    user_agent: str | None = None
    payment_fingerprint: str | None = None
    account_created: UnixTime | None = None
    endpoint: Annotated[str, _null_means(DEFAULT_ENDPOINT)] = DEFAULT_ENDPOINT
    model: str
    status: Annotated[int, Field(ge=100, le=599), _null_means(200)] = 200
    prompt_tokens: Count
    completion_tokens: Count
    reasoning_tokens: Count | None = None
    latency_ms: Annotated[float, Field(ge=0)] | None = None
    finish_reason: str | None = None
    messages: Count | None = None
    params: Annotated[Params, _null_means({})] = Params()
    prompt: Text = None
    system_prompt: Text = None


def _describe(error: ValidationError) -> str:
    first = error.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or "record"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "is required"
    elif first["type"] == "json_invalid":
        message = f"not valid JSON ({message})"
    elif first["type"] == "model_type" and field == "record":
        message = "must be a JSON object"
    return f"{field}: {message}"


def parse_event(raw: bytes | str) -> RequestEvent:
    """Parse one JSON text into a :class:`RequestEvent`; raise :class:`InvalidEvent` if broken."""
    try:
        return RequestEvent.model_validate_json(raw)
    except ValidationError as error:
        raise InvalidEvent(_describe(error)) from None
    except (RecursionError, ValueError, TypeError, OverflowError) as error:
        raise InvalidEvent(f"record: cannot be decoded ({error})") from None


def validate_event(record: Any) -> RequestEvent:
    """Validate a decoded JSON value (e.g. from an adapter); raise :class:`InvalidEvent`."""
    try:
        return RequestEvent.model_validate(record)
    except ValidationError as error:
        raise InvalidEvent(_describe(error)) from None
    except (RecursionError, ValueError, TypeError, OverflowError) as error:
        raise InvalidEvent(f"record: cannot be validated ({error})") from None


def event_to_json(event: RequestEvent) -> bytes:
    """The contract JSON of an event (``ts`` as Unix seconds), e.g. for replay."""
    return orjson.dumps(event.model_dump(exclude_none=True))


def open_text(path: Path | str) -> Any:
    """Open a JSONL file for reading bytes, gunzipping it when it starts with the gzip magic."""
    handle = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    if handle.peek(2)[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=handle)
    return handle


def iter_lines(path: Path | str) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line_number, raw_line)`` for each non-blank line of a plain or gzip JSONL file."""
    with open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line
