"""Campaigns run from a few established accounts: bulk_cot, logit_probe, model_pivot."""

from __future__ import annotations

from collections import deque

import numpy as np

from . import arrivals, models, text_attack
from .clock import DAY
from .ops import Run, account, emit, profile
from .rand import pick
from .shape import build, choose_model
from .world import age_created, cloud_pool, stream

Gen = np.random.Generator


def bulk_cot(run: Run) -> None:
    """A worked-solutions pipeline: a worker pool per account, around the clock.

    Four paid accounts a few months old on two cards, egress from three clouds, one
    codebase (one SDK version). Mostly the flagship non-reasoning model asked to write
    its reasoning out (visible tokens are cheaper than hidden ones), some reasoning-model
    traffic, a share moved to the new model after launch, ~10 % ordinary cover requests.
    """
    rng = stream(run.seed, "bulk_cot")
    cards = [run.ids.card(), run.ids.card()]
    aws = cloud_pool(rng, "us_east", 3, asn=16509)
    for i in range(run.count("bulk_cot")):
        ips = (
            aws[:2]
            if i < 2
            else cloud_pool(rng, "eu" if i == 2 else "sea", 2, asn=24940 if i == 2 else 45102)
        )
        acct = account(
            run,
            "bulk_cot",
            created=age_created(rng, 110, 0.5),
            card=cards[i // 2],
            ips=ips,
            uas=["AsyncOpenAI/Python 2.6.0"],
            region="us_east",
            keys=2,
        )
        r = stream(run.seed, "bulk_cot", acct.account_id)
        prof = profile(acct, run, {"aster-2-pro": 0.55, "aster-r1": 0.35, "aster-2": 0.10})
        prof.adopt, prof.adopt_share = run.release + r.uniform(1800, 5400), 0.3
        prof.err429 = 0.004
        recent: deque[tuple[str | None, str, float]] = deque(maxlen=30)
        for _ in range(5):  # workers
            ts = run.t0 + r.uniform(0, 90)
            while ts < run.t1:
                if r.random() < 0.002:  # a worker crashes and is restarted later
                    ts += r.uniform(300, 2400)
                if r.random() < 0.1:
                    system, text = text_attack.cover(r)
                    req = build(
                        r,
                        prof,
                        ts,
                        text=text,
                        system=system,
                        out=150,
                        sigma=0.6,
                        messages=2 if system else 1,
                        params={"temperature": 0.3},
                    )
                else:
                    if recent and r.random() < 0.08:  # self-consistency: same item again
                        system, text, hard = recent[int(r.integers(len(recent)))]
                    else:
                        system, text, hard, _ = text_attack.bulk_cot(r)
                        recent.append((system, text, hard))
                    model = choose_model(r, prof, ts)
                    params = _bulk_params(r)
                    params["max_tokens"] = 8192 if models.is_reasoning(model) else 4096
                    req = build(
                        r,
                        prof,
                        ts,
                        text=text,
                        system=system,
                        out=1100,
                        sigma=0.5,
                        hard=hard,
                        messages=2 if system else 1,
                        model=model,
                        params=params,
                    )
                emit(run, r, acct, ts, req)
                ts += (req.latency or 0.0) / 1000.0 + r.uniform(0.2, 2.0)


def _bulk_params(r: Gen) -> dict[str, float | int | bool]:
    p: dict[str, float | int | bool] = {"temperature": pick(r, (0.6, 0.7, 1.0))}
    if r.random() < 0.5:
        p["top_p"] = 0.95
    u = r.random()
    if u < 0.04:
        p["n"] = 4
    elif u < 0.12:
        p["n"] = 2
    if r.random() < 0.2:
        p["stream"] = True
    return p


def logit_probe(run: Run) -> None:
    """Next-token distribution probing: max_tokens 1, top_logprobs 20, logit_bias sweeps.

    Bursts of a few hundred cheap probes from a script with four concurrent requests,
    then a pause. A share of items is followed by requests that suppress the tokens seen
    so far with a growing logit_bias, to read further down the distribution; some items
    are sampled with n=16 instead. Early on it tries the reasoning model, which refuses
    logprobs (400).
    """
    rng = stream(run.seed, "logit_probe")
    setups = ((14061, "python-requests/2.32.3", 25.0), (20473, "OpenAI/Python 2.3.2", 160.0))
    for i in range(run.count("logit_probe")):
        asn, ua, age = setups[i % 2]
        acct = account(
            run,
            "logit_probe",
            created=run.t0 - age * DAY * rng.uniform(0.8, 1.2),
            card=run.ids.card(),
            ips=cloud_pool(rng, "us_east", 2, asn=asn),
            uas=[ua],
            region="us_east",
        )
        r = stream(run.seed, "logit_probe", acct.account_id)
        prof = profile(acct, run, {"aster-2": 0.5, "aster-2-mini": 0.3, "aster-2-pro": 0.2})
        ts = run.t0 + r.uniform(0, 1200)
        first = True
        while ts < run.t1:
            style = int(r.integers(0, 4))
            model = prof.models[int(r.integers(len(prof.models)))]
            for _ in range(int(r.integers(40, 130))):
                endpoint, text = text_attack.probe(r, style)
                base = {"max_tokens": 1, "temperature": 0.0, "logprobs": True, "top_logprobs": 20}
                if first and r.random() < 0.5:
                    req = build(
                        r,
                        prof,
                        ts,
                        text=text,
                        system=None,
                        out=1,
                        model="aster-r1",
                        endpoint=endpoint,
                        params=base,
                    )  # answered 400
                    emit(run, r, acct, ts, req)
                    ts += r.uniform(0.5, 3.0)
                    continue
                sweeps = [0] + (
                    [20 * (k + 1) for k in range(int(r.integers(1, 15)))]
                    if r.random() < 0.4
                    else []
                )
                for bias in sweeps:
                    params = dict(base)
                    if bias:
                        params["logit_bias"] = min(bias, 300)
                    if not bias and r.random() < 0.15:
                        params.update(n=16, temperature=1.0, top_logprobs=5)
                    req = build(
                        r,
                        prof,
                        ts,
                        text=text,
                        system=None,
                        out=1,
                        sigma=0.01,
                        model=model,
                        endpoint=endpoint,
                        params=params,
                        finish="length",
                        messages=1 if endpoint.endswith("chat/completions") else None,
                    )
                    emit(run, r, acct, ts, req)
                    ts += r.exponential(0.35)
            first = False
            ts += r.uniform(480, 1800)


def model_pivot(run: Run) -> None:
    """Multilingual reasoning harvest that moves to the new model within minutes of launch.

    Ten accounts one to four months old on four cards, egress from three Asian clouds.
    Before launch a moderate flow to the current reasoning model and the flagship, plus
    polling of the new model's name (404). After launch nearly everything goes to the
    new model and the rate triples. One account is a front company with zero data
    retention, so its text is never visible.
    """
    rng = stream(run.seed, "model_pivot")
    cards = [run.ids.card() for _ in range(4)]
    clouds = (45102, 132203, 55990)
    langs = sorted(text_attack.PIVOT_LANGS)
    w = np.array([text_attack.PIVOT_LANGS[x] for x in langs], dtype=float)
    for i in range(run.count("model_pivot")):
        ua = ["python-httpx/0.28.1"] if i % 2 else ["OpenAI/Python 2.8.1"]
        acct = account(
            run,
            "model_pivot",
            created=age_created(rng, 60, 0.5),
            card=cards[i % 4],
            ips=cloud_pool(rng, "sea", 2, asn=clouds[i % 3]),
            uas=ua,
            region="sea",
        )
        acct.zdr = i == 7
        r = stream(run.seed, "model_pivot", acct.account_id)
        own = [langs[int(j)] for j in r.choice(len(langs), size=3, replace=False, p=w / w.sum())]
        prof = profile(acct, run, {"aster-r1": 0.7, "aster-2-pro": 0.3})
        prof.err429 = 0.006
        pivot_at = run.release + r.uniform(240, 900)
        prof.adopt, prof.adopt_share = pivot_at, 0.9
        before = arrivals.renewal(r, run.t0, pivot_at, 70 / 3600, 1.5)
        after = arrivals.renewal(r, pivot_at, run.t1, 220 / 3600, 1.5)
        for ts in np.concatenate((before, after)):
            lang = own[int(r.integers(len(own)))]
            system, text, hard = text_attack.pivot(r, lang)
            req = build(
                r,
                prof,
                float(ts),
                text=text,
                system=system,
                out=900,
                sigma=0.5,
                hard=max(hard, 0.6),
                messages=2 if system else 1,
                params={"temperature": 0.6, "max_tokens": 16000},
            )
            emit(run, r, acct, float(ts), req)
        if i < 3:  # the orchestrator polls for the new model name before launch
            ts = max(run.t0, run.release - 5400) + r.uniform(0, 300)
            while ts < run.release + 60:
                req = build(
                    r,
                    prof,
                    ts,
                    text="ping",
                    system=None,
                    out=1,
                    model=models.NEW_MODEL,
                    params={"max_tokens": 1},
                )
                if ts >= run.release:
                    req.status = 200
                emit(run, r, acct, ts, req)
                ts += r.uniform(180, 420)
