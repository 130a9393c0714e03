"""The gateway: turns one request into a contract event line, and writes the set.

The gateway enriches what it can (key, address, ASN, card, account age) and, like a real
one, sometimes cannot: a cold enrichment cache drops the card or the account age, the
GeoIP database misses some addresses, zero-data-retention customers never expose text.
A small share of events is delivered twice (at-least-once transport), as the contract
allows; labels count each request once.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .clock import iso_ms, iso_s
from .world import Account, stream

DUPLICATE_SHARE = 0.0002
MAX_TEXT = 24_000  # gateway truncates logged text; the contract allows far more


@dataclass
class Request:
    """One request as the client made it and the upstream answered."""

    model: str
    prompt_tokens: int
    completion_tokens: int = 0
    endpoint: str = "/v1/chat/completions"
    status: int = 200
    reasoning_tokens: int | None = None
    finish_reason: str | None = "stop"
    messages: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    system: str | None = None
    prompt: str | None = None
    user: str | None = None
    session: str | None = None
    ip: tuple[str, int | None] | None = None
    ua: str | None = None
    key: str | None = None
    latency: float | None = None


class Sink:
    def __init__(self, seed: int, t0: float, t1: float) -> None:
        self.t0, self.t1 = t0, t1
        # Python's generator: one call per optional field per event, numpy is slower here.
        self.rng = random.Random(int(stream(seed, "gateway").integers(2**63)))
        self.id_rng = random.Random(int(stream(seed, "event-ids").integers(2**63)))
        self.rows: list[tuple[int, str, bytes]] = []
        self.events: dict[str, int] = {}
        self.tokens: dict[str, int] = {}
        self.accounts: dict[str, Account] = {}
        self._ids: set[str] = set()
        self._created: dict[str, str] = {}

    def _event_id(self) -> str:
        while True:
            eid = f"req_{self.id_rng.getrandbits(96):024x}"
            if eid not in self._ids:
                self._ids.add(eid)
                return eid

    def emit(self, acct: Account, ts: float, req: Request) -> None:
        """Record one request; requests outside the window are not in this log."""
        rng = self.rng
        if acct.created is not None and ts < acct.created + 5:
            ts = acct.created + 5 + rng.random() * 60
        if not self.t0 <= ts < self.t1:
            return
        aid = acct.account_id
        self.accounts.setdefault(aid, acct)
        ip = req.ip or acct.ips[int(rng.random() * len(acct.ips))]
        ev: dict[str, Any] = {"event_id": self._event_id(), "ts": iso_ms(ts)}
        ev["account_id"] = aid
        ev["api_key_id"] = req.key or acct.keys[int(rng.random() * len(acct.keys))]
        if req.user is not None:
            ev["user_id"] = req.user
        if req.session is not None:
            ev["session_id"] = req.session
        ev["client_ip"] = ip[0]
        if ip[1] is not None and rng.random() > 0.025:  # GeoIP miss
            ev["asn"] = ip[1]
        ua = req.ua or acct.uas[int(rng.random() * len(acct.uas))]
        if ua:
            ev["user_agent"] = ua
        cold = rng.random() < 0.012  # enrichment cache miss on a cold gateway pod
        if acct.payment is not None and not cold:
            ev["payment_fingerprint"] = acct.payment
        if acct.created is not None and not cold:
            created = self._created.get(aid)
            if created is None:
                created = self._created[aid] = iso_s(acct.created)
            ev["account_created"] = created
        if req.endpoint != "/v1/chat/completions" or rng.random() < 0.3:
            ev["endpoint"] = req.endpoint  # the gateway omits the default path at times
        ev["model"] = req.model
        ev["status"] = req.status
        ok = req.status == 200
        ev["prompt_tokens"] = int(req.prompt_tokens)
        ev["completion_tokens"] = int(req.completion_tokens) if ok else 0
        if ok and req.reasoning_tokens is not None:
            ev["reasoning_tokens"] = int(req.reasoning_tokens)
        if not ok:
            ev["latency_ms"] = round(rng.uniform(15.0, 220.0), 1)
        elif req.latency is not None:
            ev["latency_ms"] = req.latency
        if ok and req.finish_reason is not None:
            ev["finish_reason"] = req.finish_reason
        if req.messages is not None:
            ev["messages"] = req.messages
        if req.params:
            ev["params"] = req.params
        if not acct.zdr:
            if req.system:
                ev["system_prompt"] = req.system[:MAX_TEXT]
            if req.prompt is not None:
                ev["prompt"] = req.prompt[:MAX_TEXT]
        line = json.dumps(ev, ensure_ascii=False, separators=(",", ":")).encode()
        key = round(ts * 1000)
        self.rows.append((key, ev["event_id"], line))
        if rng.random() < DUPLICATE_SHARE:
            self.rows.append((key, ev["event_id"] + "~", line))
        self.events[aid] = self.events.get(aid, 0) + 1
        self.tokens[aid] = self.tokens.get(aid, 0) + ev["completion_tokens"]

    def write(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.rows.sort(key=lambda r: (r[0], r[1]))
        with (
            open(out / "events.jsonl.gz", "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
        ):
            chunk: list[bytes] = []
            for _, _, line in self.rows:
                chunk.append(line)
                if len(chunk) >= 4096:
                    gz.write(b"\n".join(chunk) + b"\n")
                    chunk = []
            if chunk:
                gz.write(b"\n".join(chunk) + b"\n")
        with open(out / "labels.jsonl", "wb") as handle:
            for aid in sorted(self.events):
                a = self.accounts[aid]
                row = {
                    "account_id": aid,
                    "label": a.label,
                    "persona": a.persona if a.label == "benign" else None,
                    "campaign": a.campaign,
                    "campaign_type": a.campaign_type,
                    "heavy": a.heavy,
                    "enterprise": a.enterprise,
                    "nat": a.nat,
                    "events": self.events[aid],
                    "completion_tokens": self.tokens[aid],
                }
                handle.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode())
                handle.write(b"\n")
