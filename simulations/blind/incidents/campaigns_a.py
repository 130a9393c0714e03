"""Campaigns run by a few well-funded accounts: bulk_cot, logit_probe, model_pivot, rubric."""

from __future__ import annotations

import random

from . import attack_text as A
from . import nets
from .benign import ln
from .core import NEW_MODEL, RELEASE_OFFSET, START, Account, Sink, card, hid, new_account, scaled


def attacker(rng: random.Random, ctype: str, campaign: str | None = None, **kw: object) -> Account:
    """An attack account of a ``ctype`` campaign, by default its first (``<ctype>-1``)."""
    campaign = campaign or f"{ctype}-1"
    acct = new_account(rng, campaign=campaign, campaign_type=ctype, label="attack", **kw)  # type: ignore[arg-type]
    acct.persona = None
    return acct


def worker_pool(
    rng: random.Random, t0: float, t1: float, workers: int, mean_lat: float, crashes: int
) -> list[float]:
    """Start times of a concurrency-limited script: each worker waits for its last answer."""
    down = [(s, s + rng.uniform(600, 2400)) for s in (rng.uniform(t0, t1) for _ in range(crashes))]
    out: list[float] = []
    for _ in range(workers):
        t = t0 + rng.uniform(0, 30)
        while t < t1:
            if any(a <= t < b for a, b in down):
                t = next(b for a, b in down if a <= t < b) + rng.uniform(1, 20)
                continue
            out.append(t)
            t += rng.lognormvariate(0, 0.35) * mean_lat + rng.uniform(0.2, 2.0)
    return sorted(out)


def bulk_cot(sink: Sink, rng: random.Random, scale: float, hours: float) -> None:
    t1 = START + hours * 3600
    n_a = scaled(3, scale)
    ops = [("bulk_cot-1", i) for i in range(n_a)] + [("bulk_cot-2", 9)]
    shared_ua, asn = "python-httpx/0.27.2", 24940
    for camp, idx in ops:
        op_a = camp == "bulk_cot-1"
        ips = [
            (nets.ip_in(rng), asn if op_a else rng.choice(nets.CLOUD))
            for _ in range(rng.randint(2, 4))
        ]
        acct = attacker(
            rng,
            "bulk_cot",
            camp,
            age_days=rng.uniform(40, 200) if op_a else 310.0,
            ips=ips,
            uas=[shared_ua] if op_a else ["OpenAI/Python 1.54.0"],
            keys=rng.randint(1, 3),
        )
        workers = rng.randint(5, 8) if op_a else 12
        start = START + rng.uniform(0, 1800)
        times = worker_pool(
            rng, start, t1, scaled(workers, min(1.0, scale * 4)), 55.0, rng.randint(0, 2)
        )
        temp = rng.choice([0.7, 1.0]) if op_a else 0.6
        for k in range(3):  # smoke test before the run
            sink.emit(
                acct,
                start - 120 + k * 20,
                "reason-pro",
                8,
                3,
                prompt="test",
                params={"max_tokens": 5},
            )
        last_prompt: tuple[str, str | None] | None = None
        for t in times:
            if op_a and rng.random() < 0.08:
                sink.emit(
                    acct,
                    t,
                    "chat-small",
                    ln(rng, 40, 0.4),
                    ln(rng, 120, 0.6),
                    prompt=A.cover(rng),
                    params={"max_tokens": 512},
                )
                continue
            prompt, system = A.bulk_cot(rng, idx if rng.random() < 0.8 else rng.randrange(10))
            if last_prompt and rng.random() < 0.02:
                prompt, system = last_prompt  # retry after a timeout on the operator side
            last_prompt = (prompt, system)
            ct = ln(rng, 2700, 0.55, 300, 16000)
            mt = 8192 if op_a else 16000
            params: dict[str, object] = {"max_tokens": mt, "temperature": temp}
            if not op_a:
                params["n"] = rng.choice([1, 1, 2])
                ct *= int(params["n"])  # type: ignore[call-overload]
            sink.emit(
                acct,
                t,
                "reason-pro",
                ln(rng, 230, 0.5, 40) + (60 if system else 0),
                ct,
                prompt=prompt,
                system=system,
                params=params,
                messages=2 if system else 1,
                err=0.012,
                reasoning=int(ct * rng.uniform(0.5, 0.8)),
            )


def logit_probe(sink: Sink, rng: random.Random, scale: float, hours: float) -> None:
    t1 = START + hours * 3600
    asn = 14061
    for i in range(scaled(2, scale)):
        acct = attacker(
            rng,
            "logit_probe",
            age_days=4.2 if i == 0 else 31.0,
            ips=[(nets.ip_in(rng), asn)],
            uas=["python-requests/2.31.0"],
        )
        top = 20 if i == 0 else 5
        t = START + rng.uniform(600, 5400)
        budget = round(rng.uniform(3500, 5500) * min(1.0, scale * 4) * hours / 6)
        sent = 0
        while t < t1 and sent < budget:
            if rng.random() < 0.002:
                t += rng.uniform(120, 1500)  # token set exhausted, operator prepares the next
            model = "chat-large" if rng.random() < 0.7 else "chat-small"
            if i == 1 and rng.random() < 0.03:
                sink.emit(acct, t, model, ln(rng, 30, 0.5), ln(rng, 150, 0.5), prompt=A.cover(rng))
            else:
                bias = rng.choice([1, 1, 2, rng.randint(50, 300)])
                ep = "/v1/completions" if rng.random() < 0.35 else "/v1/chat/completions"
                params = {
                    "max_tokens": 1,
                    "temperature": 0.0,
                    "logprobs": True,
                    "top_logprobs": top,
                    "logit_bias": bias,
                }
                sink.emit(
                    acct,
                    t,
                    model,
                    rng.randint(3, 16),
                    1,
                    prompt=A.probe(rng),
                    params=params,
                    endpoint=ep,
                    messages=None if ep != "/v1/chat/completions" else 1,
                    err=0.006,
                )
            sent += 1
            t += rng.uniform(0.9, 4.5)


def model_pivot(sink: Sink, rng: random.Random, scale: float, hours: float) -> None:
    t1, release = START + hours * 3600, START + RELEASE_OFFSET
    cards = [card(rng) for _ in range(3)]
    proxies = nets.origins(rng, "res", 40)
    langs = ["zh", "zh", "ru", "es", "ko", "en", "pt"]
    for i in range(scaled(10, scale)):
        acct = attacker(
            rng,
            "model_pivot",
            age_days=rng.uniform(8, 60),
            payment=cards[i % 3],
            ips=rng.sample(proxies, 6),
            uas=["OpenAI/Python 1.54.0", "axios/1.7.7"],
            keys=2,
        )
        mine = rng.sample(langs, 3)
        switch = release + rng.uniform(600, 3600) if i != 7 else t1  # operator forgot one
        base = rng.uniform(25, 60) / 3600
        t = START + rng.uniform(0, 900)
        while t < t1:
            after = t >= switch
            model = NEW_MODEL if after and rng.random() < 0.88 else "reason-pro"
            ct = ln(rng, 1700, 0.6, 200, 8192)
            sink.emit(
                acct,
                t,
                model,
                ln(rng, 180, 0.5, 30),
                ct,
                prompt=A.multilingual(rng, mine),
                params={"max_tokens": 8192, "temperature": 0.6, "top_p": 0.95},
                user=hid(rng, "rt-", 6) if rng.random() < 0.5 else None,
                err=0.01,
            )
            t += rng.expovariate(base * (3.2 if after else 1.0))


def rubric(sink: Sink, rng: random.Random, scale: float, hours: float) -> None:
    t1 = START + hours * 3600
    shared = card(rng)
    for i in range(scaled(5, scale)):
        acct = attacker(
            rng,
            "rubric",
            age_days=rng.uniform(30, 300),
            payment=shared if i < 2 else None,
            ips=nets.origins(rng, "cloud", 2),
            uas=nets.sdk_ua(rng),
        )
        times = worker_pool(rng, START + rng.uniform(0, 3600), t1, 2, 28.0, 1)
        model = rng.choice(["chat-large", "reason-pro"])
        for t in times[: round(rng.uniform(500, 900) * hours / 6)]:
            sink.emit(
                acct,
                t,
                model,
                ln(rng, 1300, 0.5, 200),
                ln(rng, 1100, 0.5, 150),
                prompt=A.rubric(rng),
                system="You are an expert grader.",
                params={"temperature": 0.0, "max_tokens": 4096},
                messages=2,
            )
