"""The honest population: who the customers are and when they send traffic."""

from __future__ import annotations

import random
from typing import TypedDict, Unpack

from . import nets
from .benign import Style, emit_req, ln, style_for
from .core import START, Account, Sink, bursty_times, card, hid, new_account, scaled
from .realdata import heavy_replay

# persona: (accounts at scale 1, median events per account, sigma, schedule)
PERSONAS: dict[str, tuple[int, float, float, str]] = {
    "chat_app": (200, 75, 1.0, "sessions"),
    "coding_agent": (300, 55, 1.0, "sessions"),
    "eval_harness": (35, 500, 0.8, "batch"),
    "tutoring": (70, 100, 0.8, "sessions"),
    "synth_data": (30, 350, 0.8, "batch"),
    "llm_judge": (40, 300, 0.9, "batch"),
    "support_bot": (140, 100, 0.9, "steady"),
    "translation": (70, 120, 1.0, "steady"),
    "batch_classify": (50, 260, 0.9, "batch"),
    "researcher": (25, 200, 1.0, "batch"),
    "new_app": (60, 80, 1.0, "steady"),
    "hobbyist": (1450, 5, 1.0, "sessions"),
}
ENTERPRISE_PERSONAS = [
    "support_bot",
    "coding_agent",
    "chat_app",
    "batch_classify",
    "llm_judge",
    "synth_data",
    "translation",
    "eval_harness",
]
NAT_PERSONAS = ["coding_agent", "chat_app", "hobbyist", "researcher", "tutoring", "hobbyist"]


class AccountExtras(TypedDict, total=False):
    """Optional ``base_account`` keywords that are passed through to ``new_account``."""

    payment: str | None
    enterprise: str
    nat: str
    heavy: bool


def age_for(rng: random.Random, persona: str) -> float:
    if persona in ("new_app", "hackathon"):
        return rng.uniform(0.05, 6)
    if persona == "hobbyist" and rng.random() < 0.4:
        return rng.uniform(0.01, 10)
    return rng.choice([rng.uniform(10, 120), rng.uniform(60, 900), rng.uniform(3, 40)])


def uas_for(rng: random.Random, persona: str) -> list[str]:
    if persona == "coding_agent":
        return [rng.choice(nets.AGENTS), *nets.sdk_ua(rng)]
    if persona in ("hobbyist", "hackathon") and rng.random() < 0.4:
        return [rng.choice(nets.BROWSER)]
    return nets.sdk_ua(rng, rng.choice([1, 1, 1, 2]))


def schedule(rng: random.Random, kind: str, n: int, t0: float, t1: float) -> list[float]:
    if kind == "batch":
        jobs = rng.choice([1, 1, 2, 3, 5])
        out: list[float] = []
        for j in range(jobs):
            k = n // jobs + (1 if j < n % jobs else 0)
            rate = rng.choice([0.2, 0.5, 1, 2, 5, 10])  # concurrency-limited job throughput
            start = rng.uniform(t0, max(t0, t1 - k / rate))
            t = start
            for _ in range(k):
                t += rng.expovariate(rate)
                out.append(t)
        return sorted(x for x in out if x < t1)
    if kind == "steady":
        # a slow ramp through the EU afternoon / US morning, Poisson arrivals
        out = []
        while len(out) < n:
            t = rng.uniform(t0, t1)
            if rng.random() < 0.6 + 0.4 * (t - t0) / (t1 - t0):
                out.append(t)
        return sorted(out)
    return bursty_times(rng, t0, t1, n, max(1, n // rng.randint(3, 12)), rng.uniform(60, 900))


def run_account(
    sink: Sink,
    rng: random.Random,
    acct: Account,
    persona: str,
    n: int,
    kind: str,
    t0: float,
    t1: float,
    style: Style | None = None,
) -> None:
    s = style or style_for(rng, persona)
    if persona == "batch_classify" and rng.random() < 0.2:
        s.extra["embed"] = True
    times = schedule(rng, kind, n, t0, t1)
    if persona == "eval_harness" and s.adopt_at is not None:
        # the team re-runs its suite on the new model as soon as it is out
        times = [t if t >= s.adopt_at else s.adopt_at + (t - t0) * 0.3 for t in times]
    session, turn, last, user = None, 0, -1e9, None
    for t in times:
        if kind == "sessions" and t - last < 600 and turn < 30:
            turn += 1
        else:
            turn = 0
            session = (
                hid(rng, "sess_", 12)
                if persona in ("chat_app", "tutoring", "coding_agent")
                else None
            )
            user = rng.choice(s.users) if s.users else None
        last = t
        if kind != "sessions" and s.users:
            user = rng.choice(s.users)
        emit_req(sink, rng, acct, s, persona, t, turn, session, user)


def base_account(
    rng: random.Random,
    persona: str,
    *,
    ips: list[tuple[str, int]] | None = None,
    age: float | None = None,
    uas: list[str] | None = None,
    **kw: Unpack[AccountExtras],
) -> Account:
    kind = (
        "cloud"
        if persona
        in (
            "eval_harness",
            "synth_data",
            "batch_classify",
            "support_bot",
            "api_platform",
            "llm_judge",
        )
        else rng.choice(["res", "corp", "cloud"])
    )
    ips = ips or nets.origins(rng, kind, rng.choice([1, 1, 2, 3, 6]))
    default_age = age_for(rng, persona)  # drawn even when ``age`` is given: keeps the RNG stream
    return new_account(
        rng,
        age_days=float(default_age if age is None else age),
        ips=ips,
        uas=uas or uas_for(rng, persona),
        keys=rng.choice([1, 1, 2, 4]),
        persona=persona,
        **kw,
    )


def build_population(sink: Sink, rng: random.Random, scale: float, hours: float) -> None:
    t0, t1 = START, START + hours * 3600
    hscale = hours / 6.0

    def size(median: float, sigma: float) -> int:
        return max(1, ln(rng, median * hscale, sigma, 1, 20000))

    for persona, (n, med, sig, kind) in PERSONAS.items():
        for _ in range(scaled(n, scale)):
            acct = base_account(rng, persona)
            run_account(sink, rng, acct, persona, size(med, sig), kind, t0, t1)
    # enterprises: many sub-accounts, one card, provisioned in batches, corporate egress
    for e in range(scaled(18, scale)):
        pay, net = card(rng), nets.origins(rng, "corp", rng.randint(1, 4))
        made = rng.uniform(5, 700)
        for _ in range(rng.choice([2, 3, 5, 8, 12, 25])):
            persona = rng.choice(ENTERPRISE_PERSONAS)
            acct = base_account(
                rng,
                persona,
                payment=pay,
                ips=net,
                enterprise=f"ent-{e}",
                age=made + rng.choice([0, 0, 0, rng.uniform(0, 200)]),
            )
            med, sig, kind = PERSONAS[persona][1:]
            run_account(sink, rng, acct, persona, size(med * 0.45, sig), kind, t0, t1)
    # corporate NATs / campuses: unrelated customers behind one /24 and ASN
    for k in range(scaled(25, scale)):
        pfx, asn = nets.prefix24(rng), rng.choice(nets.CORPORATE + nets.UNIVERSITY)
        for _ in range(rng.randint(3, 14)):
            persona = rng.choice(NAT_PERSONAS)
            ips = [(nets.ip_in(rng, pfx), asn) for _ in range(rng.randint(1, 3))]
            acct = base_account(rng, persona, ips=ips, nat=f"nat-{k}")
            med, sig, kind = PERSONAS[persona][1:]
            run_account(sink, rng, acct, persona, size(med, sig), kind, t0, t1)
    # hackathon / class cohorts: new accounts, same campus NAT, same starter prompts
    for k in range(scaled(4, scale)):
        pfx, asn = nets.prefix24(rng), rng.choice(nets.UNIVERSITY)
        ua = [rng.choice(nets.SDK)]
        day = rng.uniform(0.1, 2)
        for _ in range(rng.randint(20, 40)):
            ips = [(nets.ip_in(rng, pfx), asn)]
            acct = base_account(
                rng, "hackathon", ips=ips, uas=ua, nat=f"campus-{k}", age=day + rng.uniform(0, 0.05)
            )
            s = style_for(rng, "chat_app")
            s.model, s.system = "reason-mini", "You are a helpful coding mentor."
            run_account(sink, rng, acct, "hackathon", size(25, 0.8), "sessions", t0, t1, s)
    build_heavy(sink, rng, scaled(175, scale), hours)


def build_heavy(sink: Sink, rng: random.Random, n: int, hours: float) -> None:
    """Heavy customers whose arrivals and token sizes replay a real trace."""
    for _ in range(n):
        target = ln(rng, 560 * hours / 6, 0.9, 100, 8000)
        rep = heavy_replay(rng, hours, target)
        persona = {
            "servegen": "api_platform",
            "azure_code": "coding_agent",
            "mooncake": "chat_app",
        }.get(rep.source, "chat_app")
        acct = base_account(rng, persona, heavy=True, age=rng.uniform(30, 1000))
        if rng.random() < 0.1:
            acct.enterprise = f"ent-h{rng.randint(0, 4)}"
        s = style_for(rng, persona)
        s.max_tokens = None
        systems = [f"{s.system or 'You are an assistant.'} [prefix {i}]" for i in range(8)]
        for t, tok, pre in zip(rep.times, rep.tokens, rep.prefix, strict=True):
            sys_p = systems[pre % 8] if pre else s.system
            user = rng.choice(s.users) if s.users else None
            emit_req(
                sink, rng, acct, s, persona, START + t, rng.randint(0, 4), None, user, tok, sys_p
            )
