"""Malformed and adversarial request records, seeded: what a broken or hostile gateway sends.

Each record is raw bytes as it would sit in Kafka or an NDJSON body. About a
third are valid events (some of them duplicates), the rest break the contract
in every way we could think of: broken JSON, wrong types, huge strings, deep
nesting, NaN and infinities, negative counts, timestamps far in the past and
future, unicode edge cases.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from tests.factories import T0

Maker = Callable[[random.Random, int], bytes]


def _valid(rng: random.Random, i: int) -> dict[str, Any]:
    return {
        "event_id": f"fz-{i}",
        "ts": T0 + i * 0.01,
        "account_id": f"org_fz_{rng.randrange(50)}",
        "model": rng.choice(["chat-large", "reasoner-1"]),
        "prompt_tokens": rng.randrange(1, 4000),
        "completion_tokens": rng.randrange(0, 4000),
        "prompt": rng.choice(["Think step by step.", "hello", "", "\u202eevil\u202c"]),
    }


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value)


MAKERS: list[Maker] = [
    lambda r, i: _dumps(_valid(r, i)),
    lambda r, i: _dumps(_valid(r, r.randrange(max(i, 1)))),  # a duplicate id, probably
    lambda r, i: _dumps(_valid(r, i))[: r.randrange(1, 40)],  # truncated JSON
    lambda r, i: b"\x00\xff\xfe garbage " + bytes(r.randrange(256) for _ in range(20)),
    lambda r, i: b"",
    lambda r, i: b"null",
    lambda r, i: b"[1, 2, 3]",
    lambda r, i: _dumps({**_valid(r, i), "ts": "yesterday"}),
    lambda r, i: _dumps({**_valid(r, i), "ts": -1}),
    lambda r, i: _dumps({**_valid(r, i), "ts": 10**14}),  # far in the future
    lambda r, i: _dumps({**_valid(r, i), "ts": "1001-01-01T00:00:00Z"}),
    lambda r, i: _dumps({**_valid(r, i), "prompt_tokens": -5}),
    lambda r, i: _dumps(_valid(r, i)).replace(
        b'"completion_tokens":', b'"completion_tokens":1' + b"0" * 30 + b',"x":'
    ),
    lambda r, i: _dumps({**_valid(r, i), "prompt_tokens": "12"}),
    lambda r, i: _dumps({**_valid(r, i), "account_id": ""}),
    lambda r, i: _dumps({**_valid(r, i), "account_id": "x" * 200}),
    lambda r, i: _dumps({**_valid(r, i), "account_id": 42}),
    lambda r, i: _dumps({**_valid(r, i), "model": None}),
    lambda r, i: _dumps({**_valid(r, i), "params": {"temperature": 7}}),
    lambda r, i: _dumps({**_valid(r, i), "params": {"n": 0}}),
    lambda r, i: _dumps({**_valid(r, i), "params": "hot"}),
    lambda r, i: _dumps({**_valid(r, i), "client_ip": "999.1.1.1"}),
    lambda r, i: _dumps({**_valid(r, i), "status": 42}),
    lambda r, i: _dumps(_valid(r, i)).replace(b'"prompt_tokens":', b'"prompt_tokens":NaN,"x":'),
    lambda r, i: _dumps(_valid(r, i)).replace(b'"prompt_tokens":', b'"latency_ms":1e999,"x":'),
    lambda r, i: _dumps({**_valid(r, i), "latency_ms": -1.0}),
    lambda r, i: b"[" * 5000 + b"]" * 5000,  # deep nesting
    lambda r, i: _dumps({**_valid(r, i), "extra": [[[[[[[[[[{}]]]]]]]]]]}),  # unknown: ignored
    lambda r, i: _dumps({**_valid(r, i), "prompt": "\U0001f600" * 10_000}),
    lambda r, i: _dumps({**_valid(r, i), "prompt": "a" * 300_000}),  # large but valid
    lambda r, i: _dumps(_valid(r, i)).replace(b'"hello"', b'"\\ud800 lone surrogate"'),
    lambda r, i: _dumps({**_valid(r, i), "event_id": "\u0000\u0001"}),
]


def adversarial(count: int, seed: int = 7) -> Iterator[tuple[bytes, bytes]]:
    """``count`` (key, value) records; the key is the claimed account when there is one."""
    rng = random.Random(seed)
    for i in range(count):
        value = rng.choice(MAKERS)(rng, i)
        yield f"org_fz_{i % 50}".encode(), value
