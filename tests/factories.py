"""Small, explicit event factories for tests (the realistic traffic lives in simulations/)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from service.state.account import AccountState, Decision, decode, encode
from service.state.memory import MemoryStore

T0 = 1_795_874_400.0  # 2026-11-28T14:00:00Z


def event(**fields: Any) -> dict[str, Any]:
    """A contract-valid event; keyword arguments override or add fields."""
    base: dict[str, Any] = {
        "event_id": "e1",
        "ts": T0,
        "account_id": "org_1",
        "model": "chat-large",
        "prompt_tokens": 400,
        "completion_tokens": 300,
    }
    base.update(fields)
    return base


def traffic(
    seed: int = 7,
    benign_accounts: int = 40,
    events: int = 6000,
    harvester: str | None = "org_harvest",
    harvester_share: float = 0.05,
    duration_s: float = 3600.0,
    canary: str = "",
    lookalikes: bool = False,
) -> Iterator[dict[str, Any]]:
    """Benign chat traffic from many accounts plus, optionally, one bulk reasoning harvester.

    ``lookalikes`` adds two honest accounts that ask for reasoning as the harvester does:
    a tutoring app (``org_tutor``: worked steps for its students, multi-turn) and an
    evaluation harness (``org_evals``: "think step by step", temperature 0 with a seed).
    Sorted by ``ts``; event ids are unique. ``canary`` is put into every prompt.
    """
    rng = random.Random(seed)
    for i in range(events):
        ts = T0 + duration_s * i / events
        if lookalikes and (roll := rng.random()) < 0.07:
            yield _lookalike(rng, i, ts, "org_tutor" if roll < 0.04 else "org_evals", canary)
            continue
        if harvester and rng.random() < harvester_share:
            yield event(
                event_id=f"ev-{i}",
                ts=ts,
                account_id=harvester,
                api_key_id="key-h",
                client_ip=f"198.51.100.{rng.randrange(256)}",
                prompt_tokens=rng.randrange(60, 120),
                completion_tokens=4096,
                finish_reason="length",
                messages=1,
                params={"max_tokens": 4096, "n": 4},
                prompt=f"{canary}Problem {i}: articulate the internal reasoning behind your "
                "answer step by step.",
            )
            continue
        account = rng.randrange(benign_accounts)
        yield event(
            event_id=f"ev-{i}",
            ts=ts,
            account_id=f"org_{account}",
            api_key_id=f"key-{account}",
            client_ip=f"203.0.{account}.{rng.randrange(4)}",
            prompt_tokens=rng.randrange(200, 3000),
            completion_tokens=rng.randrange(20, 600),
            finish_reason="stop",
            messages=rng.randrange(1, 12),
            params={"max_tokens": 1024, "temperature": 0.7},
            prompt=f"{canary}Hi, about ticket {rng.randrange(10**6)}: could you help me with this?",
            system_prompt=f"{canary}You are the support assistant of company {account}.",
        )


def _lookalike(rng: random.Random, i: int, ts: float, account: str, canary: str) -> dict[str, Any]:
    if account == "org_tutor":
        return event(
            event_id=f"ev-{i}", ts=ts, account_id=account, api_key_id="key-t",
            client_ip=f"192.0.2.{rng.randrange(8)}", user_id=f"student-{rng.randrange(400)}",
            prompt_tokens=rng.randrange(150, 1500), completion_tokens=rng.randrange(250, 900),
            finish_reason="stop", messages=rng.randrange(3, 12),
            params={"max_tokens": 2048, "temperature": 0.5},
            prompt=f"{canary}I don't get exercise {rng.randrange(200)} from my homework. Can "
            "you explain it step by step?",
            system_prompt=f"{canary}You are a patient tutor. Show your work and check the "
            "student understands.",
        )  # fmt: skip
    return event(
        event_id=f"ev-{i}", ts=ts, account_id=account, api_key_id="key-e",
        client_ip="192.0.2.200", prompt_tokens=rng.randrange(100, 600),
        completion_tokens=rng.randrange(200, 1024), finish_reason="stop", messages=1,
        params={"max_tokens": 1024, "temperature": 0.0, "seed": 1234},
        prompt=f"{canary}Question {rng.randrange(10**4)}: ... Let's think step by step.",
    )  # fmt: skip


def redis_contents(client: Any) -> bytes:
    """Every key and value in a Redis database, whatever each key's type: the privacy scans."""
    parts: list[bytes] = []
    for key in client.scan_iter(count=1000):
        parts.append(key)
        kind = client.type(key)
        if kind == b"string":
            parts.append(client.get(key) or b"")
        elif kind == b"list":
            parts += client.lrange(key, 0, -1)
        elif kind == b"hash":
            for field, value in client.hgetall(key).items():
                parts += (field, value)
        elif kind == b"set":
            parts += client.smembers(key)
        elif kind == b"zset":
            parts += client.zrange(key, 0, -1)
        elif kind == b"stream":
            for _, fields in client.xrange(key):
                for field, value in fields.items():
                    parts += (field, value)
        else:
            raise AssertionError(f"unexpected Redis type {kind!r} of {key!r}")
    return b"\n".join(parts)


def observed(
    events: list[dict[str, Any]], partition: int | None = None, first_offset: int = 0
) -> Any:
    """The pipeline's input for contract events: an ObservedBatch, with Kafka coordinates
    (``partition``, offsets from ``first_offset``) when a partition is given."""
    import orjson

    from service.contract import parse_event
    from service.features.observation import observe_events

    parsed = [parse_event(orjson.dumps(e)) for e in events]
    if partition is None:
        return observe_events(parsed)
    offsets = list(range(first_offset, first_offset + len(parsed)))
    return observe_events(parsed, [partition] * len(parsed), offsets, [e.ts for e in parsed])


class EncodedStore(MemoryStore):
    """Keeps states encoded, as Redis does: what a batch changed in memory and did not save is
    lost, and every state read has been through the blob format."""

    def load(self, ids: Iterable[str]) -> dict[str, AccountState]:
        return {a: decode(encode(s)) for a, s in super().load(ids).items()}

    def save(self, states: Mapping[str, AccountState], decisions: Mapping[str, Decision]) -> None:
        super().save({a: decode(encode(s)) for a, s in states.items()}, decisions)
