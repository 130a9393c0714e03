"""Campaigns spread thin or dressed up: hydra, slow_drip, chat_mimicry, multilingual_cot."""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import attack_text as A
from . import nets
from .benign import ln
from .campaigns_a import attacker, worker_pool
from .core import DAY, NEW_MODEL, RELEASE_OFFSET, START, Account, Sink, card, hid, scaled


@dataclass
class HydraMember:
    """One hydra account: alive in [life0, life1), ``quota`` requests left."""

    acct: Account
    life0: float
    life1: float
    sticky: list[tuple[str, int]] | None
    quota: int
    worker: int


def hydra(sink: Sink, rng: random.Random, scale: float, hours: float) -> None:
    """One operator, ~300 thin accounts, 30 prepaid cards, a rotating residential proxy pool."""
    t1 = START + hours * 3600
    n = max(6, round(300 * scale))
    cards = [card(rng) for _ in range(max(2, n // 10))]
    proxies = nets.origins(rng, "res", max(10, n // 2))
    batches = [START - rng.uniform(0.3, 12) * DAY for _ in range(6)]
    fleet: list[HydraMember] = []
    for i in range(n):
        made = rng.choice(batches) + rng.uniform(0, 900)
        ua = ["OpenAI/Python 1.54.0"] if rng.random() < 0.7 else [rng.choice(nets.SDK[:8])]
        acct = attacker(
            rng,
            "hydra",
            age_days=(START - made) / DAY,
            ips=proxies,
            uas=ua,
            payment=rng.choice(cards) if rng.random() < 0.9 else "",
        )
        if not acct.payment:
            acct.payment = None  # trial credits, no instrument on file
        life0 = rng.uniform(START - 1800, t1 - 1800)
        life1 = life0 + rng.uniform(1, 4) * 3600
        sticky = rng.sample(proxies, 1) if rng.random() < 0.3 else None
        quota = ln(rng, 48 * hours / 6, 0.6, 5, 400)
        fleet.append(HydraMember(acct, life0, life1, sticky, quota, i % 12))
    # central dispatcher: every few minutes a wave hits a random subset of live accounts
    t = START + rng.uniform(0, 120)
    job = hid(rng, "job-", 4)
    while t < t1:
        live = [f for f in fleet if f.life0 <= t < f.life1 and f.quota > 0]
        if live:
            wave = rng.sample(live, max(1, int(len(live) * rng.uniform(0.25, 0.6))))
            for f in wave:
                acct, sticky, worker = f.acct, f.sticky, f.worker
                for _ in range(rng.choice([1, 1, 2])):
                    ts = t + rng.uniform(0, 35)
                    ip = sticky[0] if sticky else rng.choice(proxies)
                    model = (
                        NEW_MODEL
                        if ts > START + RELEASE_OFFSET + 1800 and rng.random() < 0.5
                        else "reason-pro"
                    )
                    f.quota -= 1
                    if rng.random() < 0.12:
                        sink.emit(
                            acct,
                            ts,
                            "chat-small",
                            ln(rng, 30, 0.5),
                            ln(rng, 160, 0.6),
                            prompt=A.cover(rng),
                            ip=ip,
                        )
                        continue
                    params: dict[str, object] = {"max_tokens": 4096}
                    if worker % 3:
                        params["temperature"] = 0.7
                    sink.emit(
                        acct,
                        ts,
                        model,
                        ln(rng, 150, 0.4, 40),
                        ln(rng, 1500, 0.5, 200, 4096),
                        prompt=A.hydra(rng, worker),
                        params=params,
                        ip=ip,
                        err=0.02,
                        user=f"worker-{worker}" if worker < 3 else None,
                        session=job if rng.random() < 0.05 else None,
                    )
        if rng.random() < 0.01:
            job = hid(rng, "job-", 4)
        t += rng.uniform(90, 200)


def slow_drip(sink: Sink, rng: random.Random, scale: float, hours: float) -> None:
    """Aged accounts worked by hand (or made to look so): grading and reasoning, one at a time."""
    t1 = START + hours * 3600
    shared = [card(rng) for _ in range(3)]
    for i in range(scaled(20, scale)):
        ua = [rng.choice(nets.BROWSER)] if rng.random() < 0.5 else ["OpenAI/JS 4.67.3"]
        acct = attacker(
            rng,
            "slow_drip",
            age_days=rng.uniform(90, 600),
            ips=nets.origins(rng, "res", rng.randint(1, 2)),
            uas=ua,
            payment=shared[i % 3] if i < 6 else None,
        )
        t = START + rng.uniform(0, 5400)
        stop = min(t1, t + rng.uniform(3, 5.5) * 3600)
        sess, depth = hid(rng, "sess_", 12), 1
        while t < stop:
            model = "reason-pro" if rng.random() < 0.8 else "chat-large"
            ct = ln(rng, 1300, 0.45, 300, 6000)
            sink.emit(
                acct,
                t,
                model,
                ln(rng, 320, 0.5, 60) + 90 * depth,
                ct,
                prompt=A.slow_drip(rng),
                messages=2 * depth - 1,
                session=sess,
                params={"stream": True} if rng.random() < 0.6 else None,
            )
            depth += 1
            if depth > rng.randint(3, 8):
                sess, depth = hid(rng, "sess_", 12), 1
            gap = max(25.0, rng.lognormvariate(0, 0.7) * 140)
            if rng.random() < 0.05:
                gap += rng.uniform(900, 2700)  # lunch, meeting, end of shift
            t += gap


def chat_mimicry(sink: Sink, rng: random.Random, scale: float, hours: float) -> None:
    """A 'consumer chat app' whose users all want full reasoning on hard problems."""
    t1 = START + hours * 3600
    cards = [card(rng) for _ in range(2)]
    for i in range(scaled(6, scale)):
        acct = attacker(
            rng,
            "chat_mimicry",
            age_days=rng.uniform(20, 90),
            payment=cards[i % 2],
            ips=nets.origins(rng, "cloud", rng.randint(1, 2)),
            uas=["OpenAI/JS 4.67.3"],
        )
        system = A.MIMIC_SYS[i % len(A.MIMIC_SYS)]
        rate = rng.uniform(0.06, 0.1) * min(1.0, scale * 4)
        t = START + rng.uniform(0, 300)
        while t < t1:
            user = hid(rng, "u_", 8)
            sess = hid(rng, "c_", 10)
            for turn in range(rng.choice([1, 1, 1, 2, 3])):
                ct = ln(rng, 2100, 0.5, 200, 8192)
                sink.emit(
                    acct,
                    t + turn * rng.uniform(5, 40),
                    "reason-pro",
                    ln(rng, 220, 0.5, 40) + 300 * turn,
                    ct,
                    prompt=A.mimic(rng),
                    system=system,
                    messages=2 + 2 * turn + rng.randint(0, 2),
                    user=user,
                    session=sess,
                    params={"stream": True, "max_tokens": 8192},
                )
            t += rng.expovariate(rate)


def multilingual_cot(sink: Sink, rng: random.Random, scale: float, hours: float) -> None:
    t1 = START + hours * 3600
    asns = rng.sample(nets.RESIDENTIAL, 2)
    for i in range(scaled(8, scale)):
        ips = [(nets.ip_in(rng), asns[i % 2]) for _ in range(rng.randint(2, 5))]
        acct = attacker(
            rng,
            "multilingual_cot",
            age_days=rng.uniform(10, 40),
            ips=ips,
            uas=nets.sdk_ua(rng),
        )
        langs = rng.sample(["zh", "ko", "ja", "ru", "ar", "de", "fr", "es"], 4)
        times = worker_pool(rng, START + rng.uniform(0, 7200), t1, 2, 70.0, 1)
        for t in times[: round(rng.uniform(300, 700) * hours / 6)]:
            if rng.random() < 0.05:
                sink.emit(
                    acct, t, "chat-small", ln(rng, 30, 0.4), ln(rng, 100, 0.5), prompt=A.cover(rng)
                )
                continue
            sink.emit(
                acct,
                t,
                "reason-pro",
                ln(rng, 260, 0.5, 40),
                ln(rng, 2000, 0.55, 300),
                prompt=A.multilingual(rng, langs),
                params={"max_tokens": 8192, "temperature": rng.choice([0.6, 0.8])},
            )
