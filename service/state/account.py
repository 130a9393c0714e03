"""What is remembered about one account, and its compact binary form.

One account is one blob in the store (one Redis key), so a batch reads and
writes each touched account with a single command, and the blob is written
atomically with the applied Kafka offset it contains.
"""

from __future__ import annotations

import struct
from array import array
from dataclasses import dataclass, field
from typing import Any

import orjson

from service.features.windows import COUNTER_SIZE, SKETCH_SIZE, AccountWindows

ALLOW = "allow"
ACTIONS: tuple[str, ...] = (ALLOW, "review", "throttle", "block")
# Enough to drop a gateway's or client's retries of one request; Kafka redelivery is
# handled exactly by the applied offset instead, so this need not be large.
RECENT_IDS = 24
# Link values kept per account: a payment, a system prompt, an agent and a few networks.
MAX_LINKS = 8
_FORMAT_VERSION = 1
_HEADER = struct.Struct("<BI")


def action_rank(action: str) -> int:
    return ACTIONS.index(action)


@dataclass(slots=True)
class Decision:
    """The account's current verdict: what the inline check reads."""

    action: str = ALLOW
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    since_ts: float = 0.0
    cluster_id: str | None = None

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "action": self.action,
                "score": round(self.score, 4),
                "reasons": self.reasons,
                "since_ts": self.since_ts,
                "cluster_id": self.cluster_id,
            }
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> Decision:
        data = orjson.loads(raw)
        return cls(
            data["action"], data["score"], data["reasons"], data["since_ts"], data["cluster_id"]
        )


@dataclass(slots=True)
class FirstFlag:
    """When an account was first flagged: the offline verdict's timing fields."""

    ts: float
    event_id: str
    events_before: int
    score: float
    reasons: list[str]
    cluster_id: str | None = None
    strongest: str = "review"
    # The signals behind the first flag, with peer values and linkage evidence.
    explanation: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class AccountState:
    windows: AccountWindows = field(default_factory=AccountWindows)
    events: int = 0
    first_ts: float = -1.0
    # Kafka partition and offset of the last event applied: redelivered events at or
    # below it are skipped, which makes at-least-once delivery count exactly once.
    applied_partition: int = -1
    applied_offset: int = -1
    recent_ids: list[int] = field(default_factory=list)
    decision: Decision = field(default_factory=Decision)
    first_flag: FirstFlag | None = None
    last_learned_ts: float = -1.0
    scored_events: int = 0
    scored_ts: float = -1.0
    # Link values (payment, networks, system prompt...) reported to the link store.
    links: list[str] = field(default_factory=list)

    def due_for_scoring(self, now: float, min_events: int, max_wait_s: float) -> bool:
        """Whether to score again: after a quarter more events, or ``max_wait_s`` of event time.

        Scoring on the account's own event count, not on batch boundaries, keeps
        a heavy account from being scored thousands of times an hour while a new
        account is scored at each of its first events, when catching it matters.
        """
        new = self.events - self.scored_events
        if self.events < min_events or new <= 0:
            return False
        return new >= max(1, self.scored_events // 4) or now - self.scored_ts >= max_wait_s

    def add_links(self, values: list[str]) -> None:
        """Remember new link values; past ``MAX_LINKS`` the oldest go."""
        new = [v for v in values if v not in self.links]
        if new:
            self.links = (self.links + new)[-MAX_LINKS:]

    def already_applied(self, partition: int, offset: int) -> bool:
        return partition == self.applied_partition and offset <= self.applied_offset

    def remember_id(self, id_hash: int) -> bool:
        # ``id_hash`` is 32 bits: 24 recent ids collide by chance once in ~10^8 events.
        """Remember an event id; False if it was seen recently (a duplicate)."""
        if id_hash in self.recent_ids:
            return False
        self.recent_ids.append(id_hash)
        if len(self.recent_ids) > RECENT_IDS:
            del self.recent_ids[0]
        return True


def _meta(state: AccountState) -> dict[str, Any]:
    w = state.windows
    flag = state.first_flag
    d = state.decision
    return {
        "b": w.buckets,
        "m": w.models,
        "l": w.last_ts,
        "e": state.events,
        "f": state.first_ts,
        "p": [state.applied_partition, state.applied_offset],
        "r": state.recent_ids,
        "d": [d.action, d.score, d.reasons, d.since_ts, d.cluster_id],
        "ff": None
        if flag is None
        else [
            flag.ts,
            flag.event_id,
            flag.events_before,
            flag.score,
            flag.reasons,
            flag.cluster_id,
            flag.strongest,
            flag.explanation,
        ],
        "lt": state.last_learned_ts,
        "s": [state.scored_events, state.scored_ts],
        "k": state.links,
    }


def encode(state: AccountState) -> bytes:
    """The blob: a header, a small JSON part, then the counter and sketch arrays raw."""
    meta = orjson.dumps(_meta(state))
    return b"".join(
        (
            _HEADER.pack(_FORMAT_VERSION, len(meta)),
            meta,
            array("d", state.windows.counters).tobytes(),
            bytes(state.windows.sketches),
        )
    )


def decode(blob: bytes) -> AccountState:
    version, meta_len = _HEADER.unpack_from(blob)
    if version != _FORMAT_VERSION:
        raise ValueError(f"account state format {version} is not {_FORMAT_VERSION}")
    start = _HEADER.size
    meta = orjson.loads(blob[start : start + meta_len])
    start += meta_len
    counters = array("d")
    counters.frombytes(blob[start : start + 8 * COUNTER_SIZE])
    start += 8 * COUNTER_SIZE
    sketches = bytearray(blob[start : start + SKETCH_SIZE])
    windows = AccountWindows(meta["b"], counters.tolist(), sketches, meta["m"], meta["l"])
    flag = meta["ff"]
    return AccountState(
        windows=windows,
        events=meta["e"],
        first_ts=meta["f"],
        applied_partition=meta["p"][0],
        applied_offset=meta["p"][1],
        recent_ids=meta["r"],
        decision=Decision(*meta["d"]),
        first_flag=None if flag is None else FirstFlag(*flag),
        last_learned_ts=meta["lt"],
        scored_events=meta["s"][0],
        scored_ts=meta["s"][1],
        links=meta.get("k", []),
    )
