"""Accounts, the gateway's view of a request, and the event sink.

Every persona and campaign builds ``Account`` objects and calls ``Sink.emit``;
the sink decides which optional fields this gateway fills for this account
(adapters differ: some drop ``asn``, some never log text), formats the event
per request-event-v1 and keeps it as ``(ts, bytes)`` for a final sort.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

START = datetime(2026, 12, 1, 13, 0, 0, tzinfo=UTC).timestamp()
RELEASE_OFFSET = 2 * 3600 + 17 * 60  # "reason-pro-2" goes live at 15:17Z
NEW_MODEL = "reason-pro-2"
REASONING_MODELS = {"reason-pro", "reason-mini", NEW_MODEL}
DAY = 86400.0


def iso(ts: float) -> str:
    return iso_ms(int(ts * 1000))


def iso_ms(ms: int) -> str:
    whole = datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{whole}.{ms % 1000:03d}Z"


def hid(rng: random.Random, prefix: str, n: int = 10) -> str:
    return prefix + "".join(rng.choice("0123456789abcdef") for _ in range(n))


def card(rng: random.Random) -> str:
    return "pm_" + hashlib.sha1(str(rng.random()).encode()).hexdigest()[:16]


def scaled(n: float, scale: float) -> int:
    """A head count at ``scale``, never below one."""
    return max(1, round(n * scale))


@dataclass
class Account:
    account_id: str
    label: str = "benign"
    persona: str | None = None
    campaign: str | None = None
    campaign_type: str | None = None
    heavy: bool = False
    enterprise: str | None = None
    nat: str | None = None
    created: float = START - 200 * DAY
    payment: str | None = None
    keys: list[str] = field(default_factory=list)
    ips: list[tuple[str, int]] = field(default_factory=list)
    uas: list[str] = field(default_factory=list)
    # what this account's gateway path records (adapter differences)
    has_asn: bool = True
    has_text: bool = True
    has_meta: bool = True
    numeric_ts: bool = False
    created_numeric: bool = False
    events: int = 0
    completion_tokens: int = 0

    def label_row(self) -> dict[str, object]:
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


def new_account(
    rng: random.Random,
    *,
    age_days: float,
    ips: list[tuple[str, int]],
    uas: list[str],
    payment: str | None = None,
    keys: int = 1,
    **kw: object,
) -> Account:
    acct = Account(
        account_id=hid(rng, "org_", 12),
        created=START - age_days * DAY,
        payment=payment if payment is not None else card(rng),
        keys=[hid(rng, "key_", 8) for _ in range(max(1, keys))],
        ips=ips,
        uas=uas,
        has_asn=rng.random() < 0.85,
        has_text=rng.random() < 0.93,
        has_meta=rng.random() < 0.9,
        numeric_ts=rng.random() < 0.03,
        created_numeric=rng.random() < 0.2,
        **kw,  # type: ignore[arg-type]
    )
    return acct


ERRORS = ((429, 0.5), (500, 0.15), (503, 0.15), (400, 0.15), (408, 0.05))


class Sink:
    """Collects events; ``emit`` is the only way traffic enters the set."""

    def __init__(self, seed: int, hours: float) -> None:
        self.rng = random.Random(seed * 7919 + 13)
        self.end = START + hours * 3600
        self.rows: list[tuple[int, bytes]] = []
        self.accounts: dict[str, Account] = {}
        self._n = 0

    def emit(
        self,
        acct: Account,
        ts: float,
        model: str,
        pt: int,
        ct: int,
        *,
        prompt: str | None = None,
        system: str | None = None,
        params: Mapping[str, object] | None = None,
        messages: int | None = 1,
        endpoint: str = "/v1/chat/completions",
        status: int = 200,
        user: str | None = None,
        session: str | None = None,
        err: float = 0.004,
        ip: tuple[str, int] | None = None,
        ua: str | None = None,
        reasoning: int | None = None,
    ) -> bool:
        if ts < START or ts >= self.end:
            return False
        ms = int(ts * 1000)  # the gateway logs milliseconds; sort on exactly what is written
        r = self.rng
        if status == 200 and r.random() < err:
            x, acc = r.random(), 0.0
            for code, w in ERRORS:
                acc += w
                if x < acc:
                    status = code
                    break
        self._n += 1
        ev: dict[str, object] = {
            "event_id": f"req_{r.getrandbits(80):020x}",
            "ts": ms / 1000 if acct.numeric_ts else iso_ms(ms),
            "account_id": acct.account_id,
            "model": model,
        }
        ok = status < 400
        max_tok = (params or {}).get("max_tokens")
        choices = (params or {}).get("n") or 1
        if ok and isinstance(max_tok, int) and isinstance(choices, int) and ct >= max_tok * choices:
            ct, finish = max_tok * choices, "length"
        else:
            finish = "tool_calls" if (params or {}).get("tools") and r.random() < 0.35 else "stop"
        ct = ct if ok else 0
        rt = None
        if ok and model in REASONING_MODELS:
            rt = reasoning if reasoning is not None else int(ct * r.uniform(0.3, 0.8))
        ev["prompt_tokens"] = max(0, int(pt))
        ev["completion_tokens"] = max(0, int(ct))
        if acct.has_meta or r.random() < 0.3:
            ev["api_key_id"] = r.choice(acct.keys)
        if user is not None:
            ev["user_id"] = user
        if session is not None:
            ev["session_id"] = session
        src = ip or (r.choice(acct.ips) if acct.ips else None)
        if src is not None:
            ev["client_ip"] = src[0]
            if acct.has_asn:
                ev["asn"] = src[1]
        agent = ua or (r.choice(acct.uas) if acct.uas else None)
        if agent and r.random() > 0.01:
            ev["user_agent"] = agent
        if acct.payment and acct.has_meta:
            ev["payment_fingerprint"] = acct.payment
        if acct.has_meta:
            ev["account_created"] = (
                int(acct.created) if acct.created_numeric else iso(acct.created)[:19] + "Z"
            )
        if endpoint != "/v1/chat/completions" or r.random() < 0.6:
            ev["endpoint"] = endpoint
        if status != 200 or r.random() < 0.8:
            ev["status"] = status
        if rt is not None:
            ev["reasoning_tokens"] = rt
        tps = (
            r.uniform(35, 90) if model not in ("chat-small", "reason-mini") else r.uniform(80, 160)
        )
        lat = r.uniform(150, 700) + pt * 0.02 + (ct + (rt or 0)) * 1000.0 / tps
        ev["latency_ms"] = round(lat if ok else r.uniform(20, 400), 1)
        if ok:
            ev["finish_reason"] = finish
        if messages is not None:
            ev["messages"] = messages
        if params:
            ev["params"] = params
        if acct.has_text:
            if prompt is not None:
                ev["prompt"] = prompt
            if system is not None:
                ev["system_prompt"] = system
        acct.events += 1
        acct.completion_tokens += int(ct)
        self.accounts[acct.account_id] = acct
        self.rows.append((ms, json.dumps(ev, ensure_ascii=False, separators=(",", ":")).encode()))
        return True


def poisson_times(rng: random.Random, t0: float, t1: float, rate: float) -> list[float]:
    """Arrival times of a Poisson process of ``rate`` per second in [t0, t1)."""
    out: list[float] = []
    if rate <= 0:
        return out
    t = t0 + rng.expovariate(rate)
    while t < t1:
        out.append(t)
        t += rng.expovariate(rate)
    return out


def bursty_times(
    rng: random.Random, t0: float, t1: float, n: int, bursts: int, spread: float
) -> list[float]:
    """``n`` arrivals clumped into ``bursts`` episodes of roughly ``spread`` seconds."""
    centres = [rng.uniform(t0, t1) for _ in range(max(1, bursts))]
    out = []
    for _ in range(n):
        t = rng.choice(centres) + abs(rng.gauss(0, spread))
        out.append(t if t0 <= t < t1 else rng.uniform(t0, t1))
    return sorted(out)
