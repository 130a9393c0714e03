"""Heavy honest customers whose arrival rates and token sizes are replayed from real traces."""

from __future__ import annotations

import math

from . import text_benign as tb
from .arrivals import lognorm_int, renewal
from .common import MINI, PRO, THINK, THINK2, Account, emit
from .realdata import azure, mooncake, sample_dist, servegen_slice, servegen_tokens, tiled
from .text_ml import everyday, ml_reasoning
from .world import World

PLATFORM_SYSTEMS = [
    "You are a helpful assistant.",
    "You are an AI assistant integrated into a productivity suite. Be concise.",
    "You are the writing assistant of a marketing platform.",
    "You answer questions for a knowledge-base search product using the provided passages.",
]


def _platform_prompt(a: Account, mix: int) -> str:
    r = a.rng
    f = [tb.chat_prompt, tb.classify_prompt, tb.synth_prompt, tb.support_prompt, tb.dev_prompt][
        (mix + (r.random() < 0.3)) % 5
    ]
    return f(r)


def servegen_account(w: World, a: Account, n: int) -> None:
    r = a.rng
    windows = math.ceil(w.hours * 6)
    stem, rates, cvs = servegen_slice(r, windows)
    total = sum(rates) * 600
    factor = n / total if total > 0 else 0.0
    dist = servegen_tokens(stem)
    conv = azure("conv")
    sysp, model, mix = (
        r.choice(PLATFORM_SYSTEMS),
        r.choice([MINI, MINI, PRO, THINK]),
        r.randrange(5),
    )
    temp = r.choice([0.0, 0.3, 0.7, 1.0])
    # a third are regional platforms / resellers serving non-English end users
    lang = r.choice(["zh", "ko", "ja", "es", "pt", "id", "ru", "ar"]) if r.random() < 0.33 else None
    adopt = w.release + r.uniform(900, 10800) if model == THINK and r.random() < 0.6 else w.t1
    for i, (rate, cv) in enumerate(zip(rates, cvs, strict=False)):
        t0 = w.t0 + i * 600
        for t in renewal(r, t0, min(t0 + 600, w.t1), rate * factor, min(max(cv, 0.3), 5.0)):
            if dist:
                pt, ct = sample_dist(r, dist[0]), sample_dist(r, dist[1])
            else:
                _, pt, ct = r.choice(conv) if conv else (0, 500, 200)
            if lang and r.random() < 0.7:
                p = everyday(r, lang) if r.random() < 0.6 else ml_reasoning(r, lang)
            else:
                p = _platform_prompt(a, mix)
            emit(
                a,
                t,
                THINK2 if t > adopt and r.random() < 0.8 else model,
                pt,
                ct,
                prompt=p,
                system=sysp,
                messages=r.choice([1, 2, 2, 3, 5]),
                params={"temperature": temp, "max_tokens": max(4096, ct)},
                user=f"end_{r.getrandbits(20):05x}" if mix == 0 else None,
                status=429 if r.random() < 0.01 else 200,
            )


def azure_account(w: World, a: Account, n: int, kind: str) -> None:
    r = a.rng
    rows = azure(kind)
    keep = n / max(1, len(rows) * w.hours)
    sysp = "You are a code completion engine." if kind == "code" else r.choice(PLATFORM_SYSTEMS)
    for off, (_, pt, ct) in tiled(r, rows, w.hours, keep):
        p = tb.code_complete_prompt(r) if kind == "code" else tb.chat_prompt(r)
        emit(
            a,
            w.t0 + off,
            MINI if kind == "code" else PRO,
            pt,
            ct,
            prompt=p,
            system=sysp,
            messages=1 if kind == "code" else r.choice([2, 4, 6, 8]),
            params={
                "temperature": 0.2 if kind == "code" else 0.7,
                "max_tokens": max(2048, ct),
                "stream": True,
            },
        )


def mooncake_account(w: World, a: Account, n: int) -> None:
    r = a.rng
    rows = mooncake()
    keep = n / max(1, len(rows) * w.hours)
    sysp = (
        "You are Kiwi, a long-context assistant. Read the user's documents carefully and cite "
        "sections when you answer."
    )
    for off, (_, pt, ct, conv) in tiled(r, rows, w.hours, keep):
        p = tb.chat_prompt(r)
        emit(
            a,
            w.t0 + off,
            PRO,
            pt,
            ct,
            prompt=p,
            system=sysp,
            messages=min(2 + pt // 2000, 60),
            session=f"conv_{conv:06d}",
            params={"temperature": 0.6, "stream": True},
        )


def add_heavy(w: World) -> None:
    """About 5 % of accounts, replayed from ServeGen (rates), Azure and Mooncake (tokens)."""
    from .population import ua_for

    for _ in range(w.n(175)):
        kind = w.rng.choices(["servegen", "code", "conv", "mooncake"], (60, 15, 10, 15))[0]
        persona = {
            "servegen": "api_platform",
            "code": "code_assistant",
            "conv": "chat_app",
            "mooncake": "chat_app",
        }[kind]
        a = w.account(
            "benign",
            w.age(60, 1400),
            w.cloud_ips(w.rng.randint(1, 6)),
            ua_for(w, persona),
            persona=persona,
            heavy=True,
            nkeys=w.rng.randint(1, 8),
        )
        a.log_text = w.rng.random() > 0.25
        n = w.vol(lognorm_int(w.rng, 220, 0.9, 60, 4000))
        if kind == "servegen":
            servegen_account(w, a, n)
        elif kind == "mooncake":
            mooncake_account(w, a, n)
        else:
            azure_account(w, a, n, kind)
