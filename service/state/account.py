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

from service.features.windows import BLOCK, AccountWindows, M, Rate

ALLOW = "allow"
REVIEW = "review"
ACTIONS: tuple[str, ...] = (ALLOW, REVIEW, "throttle", "block")
# Enough to drop a gateway's or client's retries of one request; Kafka redelivery is
# handled exactly by the applied offset instead, so this need not be large.
RECENT_IDS = 24
_FORMAT_VERSION = 2  # 2: windows by segment, epochs, evidence families
COUNTER_SIZE, SKETCH_SIZE = 2 * M, 2 * BLOCK
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
    families: list[str] = field(default_factory=list)  # the evidence families that drove it


@dataclass(slots=True)
class AccountState:
    windows: AccountWindows = field(default_factory=AccountWindows)
    events: int = 0
    first_ts: float = -1.0
    created: float = -1.0  # account creation time, when an event or enrichment said it
    # Kafka partition and offset of the last event applied: redelivered events at or
    # below it are skipped, which makes at-least-once delivery count exactly once.
    applied_partition: int = -1
    applied_offset: int = -1
    recent_ids: list[int] = field(default_factory=list)
    decision: Decision = field(default_factory=Decision)
    first_flag: FirstFlag | None = None
    # Scoring points: the event count and the tick of the last scoring, and its score.
    scored_events: int = 0
    scored_tick: int = -1
    score: float = 0.0
    learned_epoch: int = -1  # the epoch it last taught the peer baseline in
    # The established tier's cells it last sent (the store keeps what counts; this only
    # spares writing the same again).
    established: list[str] = field(default_factory=list)
    # Link values (payment, networks, system prompt, skeleton) it reports under, and its
    # last two reports (epoch, values, profile): reads of its groups leave its own out.
    links: list[str] = field(default_factory=list)
    reports: list[tuple[int, list[str], list[float]]] = field(default_factory=list)
    # What the enrichment source said of its payment method: None not asked yet, "" none,
    # else its link value (service/enrichment.py).
    enriched: str | None = None
    # The event it was last scored at (its id and its count), and its next recheck: the epoch
    # it is due in (-1: none) and which of the settings' rechecks that is.
    last_event_id: str = ""
    last_event_count: int = 0
    recheck_due: int = -1
    recheck_step: int = 0

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

    def report(self, epoch: int, values: list[str], profile: list[float]) -> None:
        """Remember a report made in ``epoch`` (a later one of the same epoch replaces it)."""
        kept = [r for r in self.reports if r[0] < epoch][-1:]
        self.reports = [*kept, (epoch, values, profile)]

    def own_report(self, value: str, as_of: int) -> tuple[float, ...] | None:
        """This account's report as the group of ``value``, read as of ``as_of``, holds it."""
        for epoch, values, profile in reversed(self.reports):
            if epoch <= as_of:
                return tuple(profile) if value in values else None
        return None


def _meta(state: AccountState) -> dict[str, Any]:
    w = state.windows
    flag = state.first_flag
    d = state.decision
    return {
        "w": [w.day, w.models, w.languages, list(w.skeletons.items()), w.last_ts,
              [w.minute.bucket, w.minute.current, w.minute.previous],
              [w.hour.bucket, w.hour.current, w.hour.previous], f"{w.seen:x}"],
        "e": [state.events, state.first_ts, state.created],
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
            flag.families,
        ],
        "s": [state.scored_events, state.scored_tick, state.score, state.learned_epoch],
        "k": [state.links, state.reports, state.enriched],
        "c": [state.last_event_id, state.last_event_count, state.recheck_due, state.recheck_step],
        "b": state.established,
    }  # fmt: skip


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
    # The doorkeeper came after format 2's first states: one without it has seen nothing yet.
    day, models, languages, skeletons, last_ts, minute, hour, *seen = meta["w"]
    windows = AccountWindows(
        day=day,
        counters=counters.tolist(),
        sketches=bytearray(blob[start : start + SKETCH_SIZE]),
        models=models,
        languages=languages,
        skeletons={int(k): v for k, v in skeletons},
        minute=Rate(*minute),
        hour=Rate(*hour),
        last_ts=last_ts,
        seen=int(seen[0], 16) if seen else 0,
    )
    flag = meta["ff"]
    events, first_ts, created = meta["e"]
    scored_events, scored_tick, score, learned_epoch = meta["s"]
    links, reports, enriched = meta["k"]
    # States written before rechecks existed have none pending.
    last_event_id, last_event_count, recheck_due, recheck_step = meta.get("c", ("", 0, -1, 0))
    return AccountState(
        windows=windows,
        events=events,
        first_ts=first_ts,
        created=created,
        applied_partition=meta["p"][0],
        applied_offset=meta["p"][1],
        recent_ids=meta["r"],
        decision=Decision(*meta["d"]),
        first_flag=None if flag is None else FirstFlag(*flag),
        scored_events=scored_events,
        scored_tick=scored_tick,
        score=score,
        learned_epoch=learned_epoch,
        links=links,
        reports=[(epoch, values, profile) for epoch, values, profile in reports],
        enriched=enriched,
        last_event_id=last_event_id,
        last_event_count=last_event_count,
        recheck_due=recheck_due,
        recheck_step=recheck_step,
        established=meta.get("b", []),
    )
