"""The request event, version 1: the wire contract every source accepts.

See ``shared/contracts/request-event-v1.md``. Unknown fields are ignored, absent
and ``null`` optional fields both mean "not known" (``None`` here; the
contract's defaults, such as status 200, are applied where a value is used),
and every rejection names the field and the problem. An optional field that breaks its rule
(wrong type, out of range, an address that is not one) is dropped, as if it were null, and
counted per field (``hg_event_fields_nulled_total``): optional fields often come from
client-controlled headers, and one bad header must not hide a request. Only a required
field, or a record that is not a JSON object, rejects the record.

The model is a ``msgspec`` struct: it validates a typical 600-byte event in
about 1 us, against 9 us for the same schema in pydantic, and this is the
hottest path of the service. Prompt text is kept on the event only so that
the observation stage can fingerprint it in memory; nothing stores an event.
"""

from __future__ import annotations

import json
import math
import queue
import re
import threading
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from ipaddress import ip_address
from pathlib import Path
from typing import Annotated, Any

import msgspec
from msgspec import Meta, Struct
from msgspec.structs import force_setattr

from service import metrics
from service.account_ids import normalise_account_id

try:
    # ISA-L inflates gzip about 2.5 times as fast as zlib (0.6 against 1.6 us for a
    # 650-byte event), the same bytes out; zlib where the wheel is missing.
    from isal import isal_zlib as zlib
except ImportError:  # pragma: no cover - isal is a dependency, this is for odd platforms
    import zlib  # type: ignore[no-redef]

MAX_TEXT_BYTES = 1 << 20
DEFAULT_ENDPOINT = "/v1/chat/completions"
DEFAULT_STATUS = 200
# Unix seconds accepted for ``ts``: 1970 up to 2200. Anything else is a broken clock.
MAX_TS = 7_258_118_400.0
_INT64 = 2**63 - 1
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)
_SUBMICROSECOND = re.compile(r"(\.\d{6})\d+")
_AT_PATH = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_MISSING = re.compile(r"^Object missing required field `(?P<field>[^`]+)`$")


class InvalidEvent(ValueError):
    """A record that breaks the contract; ``reason`` names the field and the problem."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnixTime(float):
    """Seconds since the epoch, decoded from RFC 3339 text or a JSON number."""


@lru_cache(maxsize=65536)
def _rfc3339_seconds(value: str) -> float:
    # Cached: a stream repeats timestamps (second resolution) far more often than not.
    if not _RFC3339.match(value):
        raise ValueError(
            "must be RFC 3339 with a UTC offset (2026-11-28T14:03:11Z) "
            "or seconds since the epoch as a JSON number (1795874591.0)"
        )
    # fromisoformat takes at most microseconds; RFC 3339 allows more digits.
    text = _SUBMICROSECOND.sub(r"\1", value.replace("z", "Z").replace("t", "T"))
    return datetime.fromisoformat(text).timestamp()


def _unix_time(value: Any) -> UnixTime:
    kind = type(value)
    if kind is float or kind is int:  # what JSON numbers decode to: checked first
        seconds = float(value)
    elif isinstance(value, str):
        seconds = _rfc3339_seconds(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        raise ValueError("must be an RFC 3339 string or seconds since the epoch (a number)")
    if not math.isfinite(seconds) or not 0.0 <= seconds < MAX_TS:
        raise ValueError("is outside 1970..2200")
    return UnixTime(seconds)


def _decode_hook(kind: type, value: Any) -> Any:
    if kind is UnixTime:
        return _unix_time(value)
    raise NotImplementedError(kind)


_MAX_IP_CHARS = 64  # the longest IPv6 text with a zone id is well under this


@lru_cache(maxsize=65536)
def _cached_valid_ip(value: str) -> bool:
    # Cached: an account calls from a handful of addresses, so most checks are repeats.
    try:
        ip_address(value)
    except ValueError:
        return False
    return True


def _valid_ip(value: str) -> bool:
    # Longer text is no address, and must not sit in the cache (65,536 entries of 1 MiB).
    return len(value) <= _MAX_IP_CHARS and _cached_valid_ip(value)


def _too_long(text: str | None) -> bool:
    # Cheap first test: fewer than 256 Ki characters can never exceed 1 MiB of UTF-8.
    return (
        text is not None
        and len(text) > MAX_TEXT_BYTES // 4
        and len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES
    )


def _finite(value: float | None) -> bool:
    return value is None or math.isfinite(value)


Count = Annotated[int, Meta(ge=0, le=_INT64)]
Id = Annotated[str, Meta(min_length=1, max_length=128)]


# gc=False: events hold only strings, numbers and Params, never a cycle, so the cycle
# collector need not track the hundred thousand a second the parser makes.
class Params(Struct, frozen=True, kw_only=True, omit_defaults=True, gc=False):
    """Sampling and request parameters; ``None`` is "not known" (defaults in brackets)."""

    max_tokens: Count | None = None
    temperature: Annotated[float, Meta(ge=0, le=2)] | None = None
    top_p: Annotated[float, Meta(ge=0, le=1)] | None = None
    n: Annotated[int, Meta(ge=1, le=_INT64)] | None = None  # [1]
    seed: Annotated[int, Meta(ge=-_INT64 - 1, le=_INT64)] | None = None
    logprobs: bool | None = None  # [false]
    top_logprobs: Annotated[int, Meta(ge=0, le=20)] | None = None
    logit_bias: Count | None = None  # [0]: entries in logit_bias
    stream: bool | None = None  # [false]
    tools: Count | None = None  # [0]: tools offered

    def __post_init__(self) -> None:
        # JSON cannot carry infinities, but a decoded record handed in by an adapter can.
        if not _finite(self.temperature) or not _finite(self.top_p):
            raise ValueError("temperature and top_p must be finite numbers")


NO_PARAMS = Params()


class RequestEvent(Struct, frozen=True, kw_only=True, omit_defaults=True, gc=False):
    """One LLM API request, as the gateway logs it (contract version 1)."""

    event_id: Id
    ts: UnixTime
    account_id: str  # normalised in __post_init__: service/account_ids.py
    model: str
    prompt_tokens: Count
    completion_tokens: Count
    api_key_id: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    client_ip: str | None = None
    asn: Annotated[int, Meta(ge=0, le=_INT64)] | None = None
    user_agent: str | None = None
    payment_fingerprint: str | None = None
    account_created: UnixTime | None = None
    endpoint: str | None = None  # [/v1/chat/completions]
    status: Annotated[int, Meta(ge=100, le=599)] | None = None  # [200]
    reasoning_tokens: Count | None = None
    latency_ms: Annotated[float, Meta(ge=0)] | None = None
    finish_reason: str | None = None
    messages: Count | None = None
    params: Params | None = None
    prompt: str | None = None
    system_prompt: str | None = None

    def __post_init__(self) -> None:
        account = normalise_account_id(self.account_id)
        if account is not self.account_id:
            force_setattr(self, "account_id", account)
        if self.client_ip is not None and not _valid_ip(self.client_ip):
            raise ValueError("client_ip: is not an IPv4 or IPv6 address")
        if _too_long(self.prompt):
            raise ValueError("prompt: is longer than 1 MiB")
        if _too_long(self.system_prompt):
            raise ValueError("system_prompt: is longer than 1 MiB")
        if not _finite(self.latency_ms):
            raise ValueError("latency_ms: must be a finite number")


_DECODER = msgspec.json.Decoder(RequestEvent, dec_hook=_decode_hook)
_ENCODER = msgspec.json.Encoder(enc_hook=float)  # UnixTime is the only custom type


def _describe(error: msgspec.MsgspecError) -> str:
    match = _AT_PATH.match(str(error))
    message, path = (match["message"], match["path"] or "") if match else (str(error), "")
    field = path.lstrip(".")
    if missing := _MISSING.match(message):
        field = f"{field}.{missing['field']}" if field else missing["field"]
        return f"{field}: is required"
    if not isinstance(error, msgspec.ValidationError):  # (a ValidationError is a DecodeError)
        return f"record: not valid JSON ({message.removeprefix('JSON is malformed: ')})"
    if not field:
        # Our own checks already name their field; msgspec's root errors concern the record.
        head = message.split(":", 1)[0]
        if head.isidentifier() and ":" in message:
            return message
        field = "record"
    return f"{field}: {message[:1].lower()}{message[1:]}"


REQUIRED_FIELDS = ("event_id", "ts", "account_id", "model", "prompt_tokens", "completion_tokens")
OPTIONAL_FIELDS = frozenset(RequestEvent.__struct_fields__) - set(REQUIRED_FIELDS)
_PARAMS_FIELDS = frozenset(Params.__struct_fields__)
# Each salvage pass drops one field, so a record cannot loop longer than it has fields.
_MAX_PASSES = len(OPTIONAL_FIELDS) + len(_PARAMS_FIELDS) + 1


def _without(record: dict[str, Any], field: str) -> dict[str, Any] | None:
    """``record`` without the optional ``field`` a rejection named; None if it is not one."""
    name, _, sub = field.partition(".")
    if name not in OPTIONAL_FIELDS or name not in record:
        return None
    record = dict(record)  # never change the caller's (an adapter's) dict
    params = record.get("params")
    if name == "params" and sub in _PARAMS_FIELDS and isinstance(params, dict):
        record["params"] = {key: value for key, value in params.items() if key != sub}
    else:
        del record[name]
    return record


def _salvage(record: Any, error: msgspec.MsgspecError) -> RequestEvent:
    """The slow path, for a record that failed: drop each bad optional field and convert
    again; a bad required field (or a record that is no object) is the rejection."""
    nulled: list[str] = []
    for _ in range(_MAX_PASSES):
        reason = _describe(error)
        field = reason.split(":", 1)[0]
        fixed = _without(record, field) if isinstance(record, dict) else None
        if fixed is None:
            raise InvalidEvent(reason)
        record = fixed
        nulled.append(field)
        try:
            event: RequestEvent = msgspec.convert(record, RequestEvent, dec_hook=_decode_hook)
        except msgspec.MsgspecError as again:
            error = again
            continue
        for name in nulled:
            metrics.EVENT_FIELDS_NULLED.labels(name).inc()
        return event
    raise InvalidEvent(_describe(error))  # pragma: no cover - every pass drops a field


def parse_event(raw: bytes | str) -> RequestEvent:
    """Parse one JSON text into a :class:`RequestEvent`; raise :class:`InvalidEvent` if broken.

    A valid event is decoded in one pass straight into the struct; only a failed one is
    decoded again, generically, to find and drop its bad optional fields.
    """
    try:
        event: RequestEvent = _DECODER.decode(raw)
    except msgspec.ValidationError as error:
        if raw.lstrip()[:1] not in ("{", b"{"):
            # Not an object, so no field to drop; and not read again: an array nested
            # thousands deep would take the standard library's decoder to the recursion limit.
            raise InvalidEvent(_describe(error)) from None
        try:
            # The standard library's decoder, for it reads 1e999 as infinity (not known,
            # for an optional number) where msgspec's refuses the whole record.
            record = json.loads(raw)
        except (ValueError, RecursionError):
            raise InvalidEvent(_describe(error)) from None
        return _salvage(record, error)
    except msgspec.MsgspecError as error:
        raise InvalidEvent(_describe(error)) from None
    except RecursionError:
        raise InvalidEvent("record: nested too deeply") from None
    return event


def validate_event(record: Any) -> RequestEvent:
    """Validate a decoded JSON value (e.g. from an adapter); raise :class:`InvalidEvent`.

    Bad optional fields are dropped as in :func:`parse_event`; ``record`` is not changed.
    """
    try:
        event: RequestEvent = msgspec.convert(record, RequestEvent, dec_hook=_decode_hook)
    except msgspec.MsgspecError as error:
        return _salvage(record, error)
    except RecursionError:
        raise InvalidEvent("record: nested too deeply") from None
    return event


def event_to_json(event: RequestEvent) -> bytes:
    """The contract JSON of an event (``ts`` as Unix seconds), e.g. for replay."""
    return _ENCODER.encode(event)


_BLOCK = 1 << 20


def _inflated(path: Path | str) -> Iterator[bytes]:
    """The file's bytes in large blocks, gunzipped (also multi-member gzip) if it is gzip."""
    with open(path, "rb") as raw:
        gzipped = raw.peek(2)[:2] == b"\x1f\x8b"
        inflate = zlib.decompressobj(wbits=31) if gzipped else None
        while block := raw.read(_BLOCK):
            while inflate is not None and block:
                yield inflate.decompress(block)
                block = inflate.unused_data if inflate.eof else b""
                if inflate.eof:
                    inflate = zlib.decompressobj(wbits=31)
            if inflate is None:
                yield block


def _blocks(path: Path | str) -> Iterator[bytes]:
    """:func:`_inflated`, read ahead by a thread: zlib releases the GIL while it inflates,
    so decompression runs on another core while the caller parses."""
    blocks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=8)

    def read() -> None:
        try:
            for block in _inflated(path):
                blocks.put(block)
            blocks.put(None)
        except BaseException as error:  # handed to the reading thread, raised there
            blocks.put(error)

    threading.Thread(target=read, name="jsonl-reader", daemon=True).start()
    while (block := blocks.get()) is not None:
        if isinstance(block, BaseException):
            raise block
        yield block


def iter_lines(path: Path | str) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line_number, raw_line)`` for each non-blank line of a plain or gzip JSONL file.

    Decompressing and splitting whole blocks costs a third of ``GzipFile.readline``.
    """
    number = 0
    tail = b""
    for block in _blocks(path):
        lines = (tail + block).split(b"\n") if tail else block.split(b"\n")
        tail = lines.pop()
        for line in lines:
            number += 1
            if line and not line.isspace():  # (strip() would copy every line to test it)
                yield number, line
    if tail and not tail.isspace():
        yield number + 1, tail
