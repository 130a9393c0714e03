"""Harvesting campaigns run from a few well-provisioned accounts: bulk_cot, logit_probe,
model_pivot, multilingual_cot, rubric."""

from __future__ import annotations

from . import text_attack as ta
from . import text_benign as tb
from .arrivals import human_sessions, lognorm_int, poisson, renewal, toks
from .common import MINI, PRO, RESIDENTIAL_ASNS, THINK, THINK2, card, emit
from .text_ml import everyday, ml_reasoning
from .world import World


def bulk_cot(w: World, cid: str = "bulk_cot-1") -> None:
    """Four aged accounts bought from a reseller, each pushing thousands of long reasoning jobs
    through the operator's two servers; cover tasks are mixed in at ~12 %."""
    r = w.rng
    servers = w.cloud_ips(3, 24940) + w.cloud_ips(2, 16276)
    for _ in range(w.n(4)):
        ips = r.sample(servers, 2)
        a = w.attacker(
            cid, "bulk_cot", w.age(90, 500), ips, ["OpenAI/Python 1.54.4"], nkeys=r.randint(1, 3)
        )
        n = w.vol(r.randint(2500, 4800))
        # job batches of 20-50 minutes separated by pauses while the queue is refilled
        times: list[float] = []
        t = w.t0 + r.uniform(0, 1200)
        while t < w.t1 and len(times) < n:
            end = t + r.uniform(1200, 3000)
            times += renewal(a.rng, t, min(end, w.t1), n / (w.hours * 3600) * 1.6, 0.45)
            t = end + r.uniform(120, 1500)
        for t in times[:n]:
            ar = a.rng
            if ar.random() < 0.12:
                p = tb.dev_prompt(ar)
                emit(
                    a,
                    t,
                    MINI,
                    toks(p) + 20,
                    lognorm_int(ar, 200, 0.8, 5, 1500),
                    prompt=p,
                    messages=1,
                    params={"temperature": 0.7, "max_tokens": 1024},
                )
                continue
            p, sysp = ta.bulk_cot(ar)
            m = PRO if ar.random() < 0.55 else THINK
            nn = ar.choice([1] * 6 + [2, 3])
            mx = ar.choice([8192, 16000])
            ct = lognorm_int(ar, 2200 if m == PRO else 1300, 0.45, 200, mx) * nn
            emit(
                a,
                t,
                m,
                toks(p) + (toks(sysp) if sysp else 0),
                ct,
                prompt=p,
                system=sysp,
                messages=2 if sysp else 1,
                status=429 if ar.random() < 0.03 else 200,
                params={"temperature": ar.choice([0.6, 0.7, 0.8, 1.0]), "max_tokens": mx, "n": nn},
            )


def logit_probe(w: World, cid: str = "logit_probe-1") -> None:
    """One account reads top-20 logprobs under a wide logit_bias; the other runs the logprob-free
    binary search (one biased token, same prompt repeated with changing bias)."""
    for k in range(w.n(2)):
        a = w.attacker(
            cid, "logit_probe", w.age(2, 20), w.cloud_ips(1, 15169), ["python-requests/2.32.3"]
        )
        ar = a.rng
        n = w.vol(ar.randint(5000, 8000))
        start = w.t0 + ar.uniform(0, 3600)
        times = renewal(ar, start, w.t1, n / (w.t1 - start), 0.35)[:n]
        p, reps = ta.logit_probe(ar, k % 2), 0
        for t in times:
            if k % 2 == 0:
                p = ta.logit_probe(ar, 0)
                params = {
                    "max_tokens": 1,
                    "logprobs": True,
                    "top_logprobs": 20,
                    "logit_bias": ar.choice([100, 200, 300]),
                    "temperature": 0.0,
                }
            else:
                reps += 1
                if reps > ar.randint(12, 30):
                    p, reps = ta.logit_probe(ar, 1), 0
                params = {"max_tokens": 1, "logit_bias": ar.choice([1, 1, 2]), "temperature": 0.0}
            emit(
                a,
                t,
                PRO,
                toks(p) + 8,
                1,
                prompt=p,
                messages=1,
                params=params,
                endpoint="/v1/completions" if k % 2 else "/v1/chat/completions",
                status=429 if ar.random() < 0.01 else 200,
            )


def model_pivot(w: World, cid: str = "model_pivot-1") -> None:
    """A reseller relay in front of ten accounts on three cards, mostly non-English reasoning
    demands; within an hour of the release most traffic moves to the new model and volume rises."""
    r = w.rng
    relay = w.cloud_ips(4, 45102) + w.cloud_ips(2, 132203)
    cards = [card(r) for _ in range(3)]
    langs = ["zh", "zh", "zh", "ko", "ru", "vi", "ar", "es", "zh", "ja"]
    for i in range(w.n(10)):
        lang = langs[i % len(langs)]
        a = w.attacker(
            cid,
            "model_pivot",
            w.age(20, 250),
            r.sample(relay, 3),
            ["Go-http-client/2.0"],
            card_fp=cards[i % 3],
            nkeys=r.randint(2, 5),
        )
        ar = a.rng
        lag = ar.uniform(600, 3600)  # they watch the launch feeds
        pre = poisson(ar, w.t0, w.release + lag, ar.uniform(40, 80) / 3600)
        post = renewal(ar, w.release + lag, w.t1, ar.uniform(120, 220) / 3600, 1.3)
        for t in pre + post:
            cover = ar.random() < 0.15
            p = everyday(ar, lang) if cover else ml_reasoning(ar, lang, coerce=0.5)
            m = THINK2 if t > w.release + lag and ar.random() < 0.85 else THINK
            if cover:
                m = ar.choice([MINI, PRO])
            ct = lognorm_int(ar, 120 if cover else 1400, 0.5, 10, 12000)
            emit(
                a,
                t,
                m,
                toks(p) * 2 + 10,
                ct,
                prompt=p,
                messages=1,
                params={"temperature": 0.6, "max_tokens": 12000, "stream": ar.random() < 0.5},
            )


def multilingual_cot(w: World, cid: str = "multilingual_cot-1") -> None:
    """New accounts behind residential proxies in one region coercing full reasoning in many
    languages, steady machine pacing."""
    r = w.rng
    asns = r.sample(RESIDENTIAL_ASNS, 3)
    for _ in range(w.n(3)):
        ips = [(w.net.ip(asn), asn) for asn in asns for _ in range(3)]
        a = w.attacker(cid, "multilingual_cot", w.age(3, 25), ips, ["python-httpx/0.27.2"])
        ar = a.rng
        n = w.vol(ar.randint(1500, 2500))
        for t in renewal(ar, w.t0, w.t1, n / (w.hours * 3600), 1.0):
            lang = ar.choice(["zh", "ru", "ar", "vi", "ko", "es", "id", "tr"])
            p = ml_reasoning(ar, lang, coerce=0.6)
            m = THINK2 if t > w.release and ar.random() < 0.4 else THINK
            emit(
                a,
                t,
                m,
                toks(p) * 2 + 10,
                lognorm_int(ar, 1500, 0.5, 100, 16000),
                prompt=p,
                messages=1,
                params={"max_tokens": 16000, "temperature": 0.7},
            )


def rubric(w: World, cid: str = "rubric-1") -> None:
    """An 'evaluation startup' front harvesting long judgements with rationales."""
    for _, a in w.front(cid, "rubric", 5, 15169, (40, 300), "OpenAI/Python 1.57.0"):
        ar = a.rng
        n = w.vol(ar.randint(700, 1300))
        times = human_sessions(ar, w.t0, w.t1, max(1, n // 120), (80, 160), 9.0)
        for t in times[:n]:
            p = ta.rubric(ar)
            nn = ar.choice([1, 1, 3])
            emit(
                a,
                t,
                ar.choice([THINK, PRO]),
                toks(p) + 30,
                lognorm_int(ar, 650, 0.5, 80, 4000) * nn,
                prompt=p,
                system="You are an expert evaluator. Be thorough.",
                messages=2,
                params={"temperature": 0.3 if nn == 1 else 0.9, "n": nn, "max_tokens": 4000},
            )
