"""The shared pieces: the world (clock, scale), accounts, and the gateway log that events go to."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from random import Random
from typing import Any

START = datetime(2026, 11, 18, 13, 0, tzinfo=UTC).timestamp()
CHAT = "/v1/chat/completions"
LEGACY = "/v1/completions"
RESPONSES = "/v1/responses"
EMBED = "/v1/embeddings"

# model -> (time to first token in ms, output tokens per second)
MODELS: dict[str, tuple[float, float]] = {
    "kestrel-2": (520.0, 68.0),
    "kestrel-2-2026-08-06": (520.0, 68.0),
    "kestrel-2-mini": (260.0, 150.0),
    "kestrel-2-mini-2026-07-18": (260.0, 150.0),
    "kestrel-think-1": (900.0, 95.0),
    "kestrel-3": (640.0, 80.0),
    "kestrel-embed-2": (60.0, 1.0e9),
}
REASONING_MODELS = ("kestrel-think-1", "kestrel-3")
ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


@dataclass
class World:
    """The six hours being simulated, and how much of the population and volume to keep."""

    seed: int
    scale: float
    hours: float
    start: float = START
    end: float = 0.0
    release: float = 0.0  # when kestrel-3 goes live
    volume: float = 1.0  # multiplier on per-account request volumes

    def __post_init__(self) -> None:
        self.end = self.start + self.hours * 3600.0
        self.release = self.start + self.hours * 3600.0 / 3.0
        self.volume = min(1.0, math.sqrt(self.scale))

    def count(self, full: int, minimum: int = 1) -> int:
        return max(minimum, round(full * self.scale))

    def rng(self, *parts: object) -> Random:
        return Random(":".join(["casebook", str(self.seed), *map(str, parts)]))


@dataclass
class Account:
    account_id: str
    label: str
    persona: str | None = None
    campaign: str | None = None
    campaign_type: str | None = None
    heavy: bool = False
    enterprise: str | None = None
    nat: str | None = None
    created: float = 0.0
    payment: str | None = None
    keys: list[str] = field(default_factory=list)
    route: str = "edge"  # which ingestion path logs it: edge, legacy, zdr, zdr_legacy
    tz: float = 0.0  # home UTC offset in hours
    egress: list[tuple[str, int | None]] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)
    events: int = 0
    completion_tokens: int = 0

    def label_row(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "label": self.label,
            "persona": self.persona,
            "campaign": self.campaign,
            "campaign_type": self.campaign_type,
            "heavy": self.heavy,
            "enterprise": self.enterprise,
            "nat": self.nat,
            "events": self.events,
            "completion_tokens": self.completion_tokens,
        }


def token(rng: Random, prefix: str, length: int = 12) -> str:
    return prefix + "".join(rng.choice(ALNUM) for _ in range(length))


def hexid(rng: Random, prefix: str, nbits: int = 64) -> str:
    return f"{prefix}{rng.getrandbits(nbits):0{nbits // 4}x}"


def rfc3339(ts: float) -> str:
    ms = round(ts * 1000.0)
    moment = datetime.fromtimestamp(ms // 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def tokens_of(text: str | None) -> int:
    """Rough tokenizer: about four Latin characters per token, one or so per CJK character."""
    if not text:
        return 0
    wide = sum(1 for ch in text if ord(ch) > 0x2E80)
    other = sum(1 for ch in text if 0x7F < ord(ch) <= 0x2E80)
    narrow = len(text) - wide - other
    return max(1, int(narrow / 4.0 + other / 2.2 + wide * 0.85))


def lognormal(rng: Random, median: float, sigma: float, low: float = 1.0, high: float = 1e9) -> int:
    return int(min(high, max(low, rng.lognormvariate(math.log(median), sigma))))


def reply_length(
    rng: Random, median: float, sigma: float, max_tokens: int | None
) -> tuple[int, bool]:
    """An answer length and whether it was cut at ``max_tokens``."""
    want = lognormal(rng, median, sigma)
    if max_tokens is not None and want >= max_tokens:
        return max_tokens, True
    return want, False


class Log:
    """What the gateway writes: one JSON line per request, kept with its ts for the final sort."""

    def __init__(self, start: float, end: float) -> None:
        self.start, self.end = start, end
        self.rows: list[tuple[int, str, str]] = []

    def emit(
        self,
        acct: Account,
        rng: Random,
        ts: float,
        *,
        model: str,
        prompt_tokens: int,
        completion_tokens: int,
        endpoint: str = CHAT,
        status: int = 200,
        params: dict[str, Any] | None = None,
        prompt: str | None = None,
        system: str | None = None,
        messages: int | None = None,
        reasoning: int | None = None,
        finish: str | None = None,
        user: str | None = None,
        session: str | None = None,
        egress: tuple[str, int | None] | None = None,
        agent: str | None = None,
        key: str | None = None,
        latency: float | None = None,
    ) -> None:
        if not self.start <= ts < self.end:
            return  # the log covers only its window
        if status != 200:
            completion_tokens, reasoning, finish = 0, None, None
            if status in (429, 401, 403, 404, 402):
                prompt_tokens = 0
        elif finish is None and endpoint != EMBED:
            finish = "stop"
        ip, asn = egress if egress is not None else rng.choice(acct.egress)
        event: dict[str, Any] = {
            "event_id": hexid(rng, "req_", 96),
            "ts": rfc3339(ts),
            "account_id": acct.account_id,
            "api_key_id": key if key is not None else (acct.keys[0] if acct.keys else None),
            "user_id": user,
            "session_id": session,
            "client_ip": ip,
            "asn": asn,
            "user_agent": agent if agent is not None else rng.choice(acct.agents),
            "payment_fingerprint": acct.payment,
            "account_created": rfc3339(acct.created),
            "endpoint": endpoint,
            "model": model,
            "status": status,
            "prompt_tokens": int(prompt_tokens),
            "completion_tokens": int(completion_tokens),
        }
        if reasoning is not None and model in REASONING_MODELS:
            event["reasoning_tokens"] = int(reasoning)
        event["latency_ms"] = round(
            latency if latency is not None else latency_of(rng, model, status, completion_tokens), 1
        )
        event["finish_reason"] = finish
        event["messages"] = messages
        event["params"] = params or None
        event["system_prompt"] = system
        event["prompt"] = prompt
        _apply_route(acct.route, event)
        line = json.dumps(
            {k: v for k, v in event.items() if v is not None},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        self.rows.append((round(ts * 1000.0), event["event_id"], line))
        acct.events += 1
        acct.completion_tokens += int(event["completion_tokens"])


def latency_of(rng: Random, model: str, status: int, completion: int) -> float:
    if status == 429:
        return rng.uniform(8.0, 60.0)
    if status >= 400 and status < 500:
        return rng.uniform(15.0, 120.0)
    ttft, speed = MODELS.get(model, (500.0, 70.0))
    base = ttft * rng.lognormvariate(0.0, 0.35) + 1000.0 * completion / speed * rng.uniform(
        0.8, 1.3
    )
    if status >= 500:
        return base * rng.uniform(0.2, 3.0)
    return base


def _apply_route(route: str, event: dict[str, Any]) -> None:
    """Ingestion paths differ in what they know: the legacy regional edge enriches nothing,
    zero-data-retention accounts never have their text logged."""
    if route in ("legacy", "zdr_legacy"):
        for name in ("asn", "payment_fingerprint", "account_created", "messages", "session_id"):
            event[name] = None
    if route in ("zdr", "zdr_legacy"):
        event["prompt"] = None
        event["system_prompt"] = None
