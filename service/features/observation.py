"""A batch of requests, reduced to what detection needs: columns of numbers and hashes, no text.

:func:`observe_events` is the last place a prompt exists. An
:class:`ObservedBatch` holds one batch's observations as columns (a float64
matrix of numbers, a uint64 matrix of keyed hashes, and the account ids,
event ids and model names as lists), in source order. It is safe to keep
(nothing in it can be turned back into a prompt) and cheap to send to another
process: one MessagePack array whose matrices are raw bytes.

Everything per event is computed over whole columns: the content automaton
reads the batch's excerpts in one pass, and token arithmetic is numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from ipaddress import ip_network
from typing import Any

import msgspec
import numpy as np
from xxhash import xxh32_intdigest

from service.contract import DEFAULT_STATUS, NO_PARAMS, InvalidEvent, RequestEvent
from service.features import content
from service.features.fingerprint import fingerprints, keyed_hash, set_key

NOT_KNOWN = -1.0

# The columns of ObservedBatch.numbers, in order.
NUMBERS: tuple[str, ...] = (
    "ts", "created", "id_hash", "partition", "offset", "record_ts", "link_set", "language",
    "flags", "elicit", "prompt_tokens", "completion_tokens", "reasoning_tokens", "max_tokens",
    "logit_bias", "top_logprobs", "choices", "error", "truncated", "single_turn", "logprobs",
    "reproducible", "stream", "tools", "system",
)  # fmt: skip
HASHES: tuple[str, ...] = ("prompt", "head", "tail", "frame", "system", "ip", "key")
COLUMN = {name: i for i, name in enumerate(NUMBERS)}
HASH = {name: i for i, name in enumerate(HASHES)}


class ObservedBatch(msgspec.Struct, array_like=True, gc=False):
    """One batch's observations as columns. ``numbers`` is float64 [len(NUMBERS) x n] and
    ``hashes`` uint64 [len(HASHES) x n], both raw bytes; ``link_sets`` are the distinct
    sets of link values of the batch, which the ``link_set`` column indexes."""

    accounts: list[str]
    event_ids: list[str]
    models: list[str]
    link_sets: list[list[str]]
    numbers: bytes
    hashes: bytes

    def __len__(self) -> int:
        return len(self.accounts)

    def columns(self) -> np.ndarray:
        return np.frombuffer(self.numbers, dtype=np.float64).reshape(len(NUMBERS), -1)

    def hash_columns(self) -> np.ndarray:
        return np.frombuffer(self.hashes, dtype=np.uint64).reshape(len(HASHES), -1)

    def take(self, rows: np.ndarray) -> ObservedBatch:
        """The batch of these rows only, in this order (link sets are kept whole)."""
        picked = rows.tolist()
        return ObservedBatch(
            [self.accounts[i] for i in picked],
            [self.event_ids[i] for i in picked],
            [self.models[i] for i in picked],
            self.link_sets,
            self.columns()[:, rows].tobytes(),
            self.hash_columns()[:, rows].tobytes(),
        )


def concat(batches: Sequence[ObservedBatch]) -> ObservedBatch:
    """One batch of several, in order."""
    batches = [b for b in batches if len(b)]
    if len(batches) <= 1:
        return batches[0] if batches else EMPTY
    numbers: list[np.ndarray] = []
    link_sets: list[list[str]] = []
    for batch in batches:
        columns = batch.columns().copy()
        columns[COLUMN["link_set"]] += len(link_sets)
        numbers.append(columns)
        link_sets += batch.link_sets
    return ObservedBatch(
        [a for b in batches for a in b.accounts],
        [e for b in batches for e in b.event_ids],
        [m for b in batches for m in b.models],
        link_sets,
        np.concatenate(numbers, axis=1).tobytes(),
        np.concatenate([b.hash_columns() for b in batches], axis=1).tobytes(),
    )


EMPTY = ObservedBatch([], [], [], [], b"", b"")
_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(ObservedBatch)


def encode_batch(batch: ObservedBatch) -> bytes:
    return _ENCODER.encode(batch)


def decode_batch(raw: bytes) -> ObservedBatch:
    return _DECODER.decode(raw)


@lru_cache(maxsize=65536)
def _network(ip: str) -> str:
    if ":" in ip:
        return str(ip_network(f"{ip}/48", strict=False))
    return ip.rsplit(".", 1)[0] + ".0/24"  # validated IPv4 by the contract


_CACHED_TEXT_CHARS = 512  # longer payment or agent text is hashed each time, never cached


def link_values(
    payment: str | None, system_fp: int, ip: str | None, asn: int | None, agent: str | None
) -> tuple[str, ...]:
    """The values a request shares with other accounts, as ``kind:hash`` (no raw values).

    Cached: an account's link values are the same at nearly every request (but only for
    texts of ordinary length, so that the cache's size stays bounded in bytes)."""
    if len(payment or "") + len(agent or "") > _CACHED_TEXT_CHARS:
        return _link_values.__wrapped__(payment, system_fp, ip, asn, agent)
    return _link_values(payment, system_fp, ip, asn, agent)


@lru_cache(maxsize=65536)
def _link_values(
    payment: str | None, system_fp: int, ip: str | None, asn: int | None, agent: str | None
) -> tuple[str, ...]:
    found = []
    if payment:
        found.append(f"payment:{keyed_hash(payment):016x}")
    if system_fp:
        found.append(f"system:{system_fp:016x}")
    if ip:
        found.append(f"network:{keyed_hash(_network(ip)):016x}")
    if asn is not None and agent:
        found.append(f"asn_agent:{keyed_hash(f'{asn} {agent}'):016x}")
    return tuple(found)


def use_key(key: str) -> None:
    """Key this process's fingerprints (the settings' ``fingerprint_key``)."""
    set_key(key)
    _link_values.cache_clear()


def _row(event: RequestEvent, link_set: int) -> tuple[float, ...]:
    """The numbers of one event that need no other event (content comes per batch)."""
    params = event.params or NO_PARAMS
    status = DEFAULT_STATUS if event.status is None else event.status
    return (
        float(event.ts),
        NOT_KNOWN if event.account_created is None else float(event.account_created),
        xxh32_intdigest(event.event_id.encode("utf-8", "surrogatepass")),
        -1.0, -1.0, -1.0,  # partition, offset, record time: the source's to set
        link_set,
        -1.0, 0.0, 0.0,  # language, flags, elicitation: per batch
        event.prompt_tokens,
        event.completion_tokens,
        event.reasoning_tokens or 0,
        NOT_KNOWN if params.max_tokens is None else params.max_tokens,
        params.logit_bias or 0,
        params.top_logprobs or 0,
        params.n or 1,
        status >= 400,
        event.finish_reason == "length",
        # A system message does not make a conversation: system + user is one turn.
        (event.messages or 1) - (1 if event.system_prompt else 0) <= 1,
        bool(params.logprobs or params.top_logprobs),
        params.temperature == 0 and params.seed is not None,
        bool(params.stream),
        params.tools or 0,
        event.system_prompt is not None,
    )  # fmt: skip


def observe_events(
    events: Sequence[RequestEvent],
    partitions: Sequence[int] | None = None,
    offsets: Sequence[int] | None = None,
    record_ts: Sequence[float] | None = None,
) -> ObservedBatch:
    """The observations of validated events, with their source coordinates if they have any."""
    if not events:
        return EMPTY
    link_sets: dict[tuple[str, ...], int] = {}
    rows = []
    hashes = []
    for event in events:
        prompt_fp, head, tail, frame, system_fp = fingerprints(event.prompt, event.system_prompt)
        links = link_values(
            event.payment_fingerprint, system_fp, event.client_ip, event.asn, event.user_agent
        )
        index = link_sets.setdefault(links, len(link_sets))
        rows.append(_row(event, index))
        hashes.append(
            (
                prompt_fp,
                head,
                tail,
                frame,
                system_fp,
                keyed_hash(event.client_ip) if event.client_ip else 0,
                keyed_hash(event.api_key_id) if event.api_key_id else 0,
            )
        )
    numbers = np.array(rows, dtype=np.float64).T.copy()
    read = content.read_batch([event.prompt for event in events])
    numbers[COLUMN["flags"]] = read.flags
    numbers[COLUMN["elicit"]] = read.elicit
    numbers[COLUMN["language"]] = read.language
    for name, values in (("partition", partitions), ("offset", offsets), ("record_ts", record_ts)):
        if values is not None:
            numbers[COLUMN[name]] = values
    return ObservedBatch(
        [event.account_id for event in events],
        [event.event_id for event in events],
        [event.model for event in events],
        [list(links) for links in link_sets],
        numbers.tobytes(),
        np.array(hashes, dtype=np.uint64).T.tobytes(),
    )


Parse = Callable[[bytes], RequestEvent]


def parse_records(
    raws: Sequence[bytes], parse: Parse
) -> tuple[list[RequestEvent], list[int], list[tuple[int, str]]]:
    """Parse records: the events, the index of each in ``raws``, and the rejected ones with
    their reasons."""
    events: list[RequestEvent] = []
    kept: list[int] = []
    rejected: list[tuple[int, str]] = []
    for i, raw in enumerate(raws):
        try:
            events.append(parse(raw))
            kept.append(i)
        except InvalidEvent as error:
            rejected.append((i, error.reason))
    return events, kept, rejected


def parser(
    format: str = "contract",
    account_from: tuple[str, ...] = (),
    trusted_proxies: tuple[str, ...] = (),
) -> Parse:
    """The parse function of records in ``format`` (a gateway adapter's name, or the
    contract), with the deployment's account sources and trusted proxies (``raw_parser``)."""
    from service.adapters.registry import raw_parser  # adapters import the contract, not us

    return raw_parser(format, account_from, trusted_proxies)


def observe_records(
    raws: Sequence[bytes], parse: Parse, coordinates: Sequence[Any] | None = None
) -> tuple[ObservedBatch, list[tuple[int, str]]]:
    """Parse and observe raw records; ``coordinates`` (Kafka records) give partition, offset
    and the record's own timestamp. Returns the batch and the rejected (index, reason)."""
    events, kept, rejected = parse_records(raws, parse)
    if coordinates is None:
        return observe_events(events), rejected
    chosen = [coordinates[i] for i in kept]
    return (
        observe_events(
            events,
            [r.partition for r in chosen],
            [r.offset for r in chosen],
            [r.timestamp / 1000.0 if r.timestamp is not None else -1.0 for r in chosen],
        ),
        rejected,
    )
