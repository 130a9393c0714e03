"""Accounts, network/payment infrastructure, arrival processes and the event builder."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .arrivals import toks

START = datetime(2026, 12, 1, 13, 0, 0, tzinfo=UTC).timestamp()
DAY = 86400.0

# model line-up of the fictional provider; atlas-think-2 is released during the window
MINI, PRO, THINK, THINK2, EMBED = (
    "atlas-mini",
    "atlas-pro",
    "atlas-think",
    "atlas-think-2",
    "atlas-embed",
)
REASONING_MODELS = {THINK, THINK2}

CLOUD_ASNS = [16509, 14618, 15169, 8075, 24940, 16276, 14061, 63949, 45102, 132203, 31898]
RESIDENTIAL_ASNS = [
    7922,
    7018,
    701,
    20115,
    3320,
    3215,
    2856,
    4134,
    4837,
    4766,
    55836,
    3352,
    26599,
    12389,
    9808,
    17676,
    45899,
    7552,
    1221,
    6830,
]
MOBILE_ASNS = [21928, 22394, 9808, 55836, 45143]

SDK_UAS = [
    "OpenAI/Python 1.54.4",
    "OpenAI/Python 1.57.0",
    "OpenAI/Python 1.40.6",
    "OpenAI/Python 2.3.0",
    "OpenAI/NodeJS/4.73.0",
    "OpenAI/NodeJS/4.67.3",
    "python-httpx/0.27.2",
    "python-requests/2.32.3",
    "langchain-openai/0.2.10 OpenAI/Python 1.55.0",
    "LiteLLM/1.53.1",
    "axios/1.7.9",
    "Go-http-client/2.0",
    "okhttp/4.12.0",
    "curl/8.5.0",
    "llama-index/0.12.2 OpenAI/Python 1.54.4",
    "aiohttp/3.10.10",
    "Java-http-client/21.0.4",
    "RestSharp/112.0.0.0",
]
BROWSERISH_UAS = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36",
    "PostmanRuntime/7.42.0",
    "Chatbox/1.6.3",
    "insomnia/10.1.1",
    "TypingMind/2.4",
]


def hexid(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


def rfc3339(t: float) -> str:
    return (
        datetime.fromtimestamp(t, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


class Net:
    """Deterministic fake address plan: each ASN owns a few /16 prefixes."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.prefixes: dict[int, list[tuple[int, int]]] = {}

    def _pfx(self, asn: int) -> list[tuple[int, int]]:
        if asn not in self.prefixes:
            r = random.Random(asn * 7919)
            self.prefixes[asn] = [(r.randint(11, 223), r.randint(0, 255)) for _ in range(4)]
        return self.prefixes[asn]

    def subnet(self, asn: int) -> str:
        a, b = self.rng.choice(self._pfx(asn))
        return f"{a}.{b}.{self.rng.randint(0, 255)}"

    def ip(self, asn: int, subnet: str | None = None) -> str:
        return f"{subnet or self.subnet(asn)}.{self.rng.randint(1, 254)}"

    def v6(self) -> str:
        r = self.rng
        g = [f"{r.getrandbits(16):x}" for _ in range(3)]
        return f"2a0{r.randint(0, 9)}:{g[0]}:{g[1]}::{g[2]}"


@dataclass
class Account:
    account_id: str
    label: str
    created: float
    card: str | None
    ips: list[tuple[str, int]]
    uas: list[str]
    rng: random.Random
    persona: str | None = None
    campaign: str | None = None
    campaign_type: str | None = None
    heavy: bool = False
    enterprise: str | None = None
    nat: str | None = None
    keys: list[str] = field(default_factory=list)
    log_text: bool = True  # False: zero-data-retention customer, gateway drops text
    created_as_unix: bool = False
    events: list[tuple[float, dict]] = field(default_factory=list)


def new_account(
    rng: random.Random,
    label: str,
    age_days: float,
    card: str | None,
    ips: list[tuple[str, int]],
    uas: list[str],
    nkeys: int = 1,
    **kw: object,
) -> Account:
    seed = rng.getrandbits(64)
    arng = random.Random(seed)
    acct = Account(
        account_id="org_" + hexid(arng, 12),
        label=label,
        created=START - age_days * DAY,
        card=card,
        ips=ips,
        uas=uas,
        rng=arng,
        **kw,  # type: ignore[arg-type]
    )
    acct.keys = ["key_" + hexid(arng, 10) for _ in range(max(1, nkeys))]
    acct.created_as_unix = arng.random() < 0.1
    return acct


def card(rng: random.Random) -> str:
    return "pm_" + hexid(rng, 16)


def latency(rng: random.Random, model: str, pt: int, ct: int, rt: int) -> float:
    per_tok = {MINI: 7.0, PRO: 18.0, THINK: 14.0, THINK2: 12.0, EMBED: 0.0}.get(model, 15.0)
    ttft = 180 + pt * 0.04 + rng.expovariate(1 / 250)
    return round(ttft + (ct + rt) * per_tok * rng.uniform(0.8, 1.3), 1)


def emit(
    acct: Account,
    t: float,
    model: str,
    pt: int,
    ct: int,
    *,
    prompt: str | None = None,
    system: str | None = None,
    params: dict | None = None,
    messages: int | None = 2,
    status: int = 200,
    finish: str | None = None,
    rt: int | None = None,
    endpoint: str = "/v1/chat/completions",
    user: str | None = None,
    session: str | None = None,
    ip: tuple[str, int] | None = None,
    ua: str | None = None,
) -> None:
    """Append one request event to the account, filling fields the way the gateway does."""
    r = acct.rng
    params = dict(params or {})
    mx = params.get("max_tokens")
    n = params.get("n", 1)
    if model in REASONING_MODELS and rt is None and status == 200:
        rt = int(ct * r.uniform(0.8, 3.5))
    if status != 200:
        ct, rt, finish = 0, (0 if rt is not None else None), None
    elif finish is None:
        finish = "length" if mx and ct >= mx * n else "stop"
    if mx and status == 200:
        ct = min(ct, mx * n)
    if endpoint == "/v1/completions":  # legacy text completions: no chat structure
        messages, system = None, None
    if endpoint == "/v1/embeddings":
        ct, finish, messages = 0, None, None
        params = {}
    ipa, asn = ip or r.choice(acct.ips)
    ev: dict = {
        "event_id": "req_" + hexid(r, 24),
        "account_id": acct.account_id,
        "api_key_id": r.choice(acct.keys),
        "client_ip": ipa,
        "asn": asn,
        "user_agent": ua or r.choice(acct.uas),
        "payment_fingerprint": acct.card,
        "account_created": int(acct.created) if acct.created_as_unix else rfc3339(acct.created),
        "endpoint": endpoint,
        "model": model,
        "status": status,
        "prompt_tokens": int(pt),
        "completion_tokens": int(ct),
        "latency_ms": latency(r, model, pt, ct, rt or 0) if status == 200 else r.uniform(20, 900),
    }
    if rt is not None:
        ev["reasoning_tokens"] = int(rt)
    if finish:
        ev["finish_reason"] = finish
    if messages is not None:
        ev["messages"] = messages
    if params:
        ev["params"] = params
    if user:
        ev["user_id"] = user
    if session:
        ev["session_id"] = session
    if acct.log_text:
        if prompt is not None:
            ev["prompt"] = prompt
        if system is not None:
            ev["system_prompt"] = system
    # gateway enrichment is imperfect
    x = r.random()
    if x < 0.02:
        del ev["asn"]
    elif x < 0.03:
        del ev["user_agent"]
    elif x < 0.035:
        ev["latency_ms"] = None
    if acct.card is None:
        del ev["payment_fingerprint"]
    acct.events.append((t, ev))


def emit_chat(
    acct: Account,
    t: float,
    model: str,
    ct: int,
    *,
    prompt: str,
    system: str,
    messages: int,
    per_message: int,
    params: dict,
    user: str,
    session: str | None = None,
    status: int = 200,
) -> None:
    """A chat-app request: the app's system prompt, the user's prompt and ``messages`` messages of
    history, each adding ``per_message`` prompt tokens."""
    emit(
        acct,
        t,
        model,
        toks(system) + toks(prompt) + per_message * messages,
        ct,
        prompt=prompt,
        system=system,
        messages=messages,
        params=params,
        user=user,
        session=session,
        status=status,
    )
