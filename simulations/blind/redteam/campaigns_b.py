"""Campaigns that hide in numbers or in behaviour: hydra, slow_drip, chat_mimicry."""

from __future__ import annotations

import math

from . import text_attack as ta
from .arrivals import lognorm_int, renewal, thin_diurnal, toks
from .common import (
    BROWSERISH_UAS,
    MINI,
    MOBILE_ASNS,
    PRO,
    RESIDENTIAL_ASNS,
    SDK_UAS,
    THINK,
    THINK2,
    Account,
    card,
    emit,
    emit_chat,
)
from .world import World

HYDRA_DOMAINS = ["algebra", "geometry", "probability", "number theory", "code", "code"]


def hydra(w: World, cid: str = "hydra-1") -> None:
    """A farm of thin prepaid accounts. A scheduler keeps a rolling set of accounts 'on shift',
    dispatches jobs in waves (synchronised timing), routes each account through a sticky
    residential proxy that rotates every 10-30 min, and retires an account when its prepaid
    credit runs out (a few 402/429 at the end)."""
    r = w.rng
    n_acc = w.n(300)
    cards = [card(r) for _ in range(max(1, round(n_acc / 14)))]
    card_w = [1 / (i + 1) ** 0.7 for i in range(len(cards))]
    asns = r.sample(RESIDENTIAL_ASNS, 9) + MOBILE_ASNS[:3]
    pool = [(w.net.ip(a), a) for a in asns for _ in range(max(20, n_acc * 5 // len(asns)))]
    batch_days = [w.age(1, 12) for _ in range(6)]
    uas = [*SDK_UAS[:4], "python-httpx/0.27.2"]
    span = w.t1 - w.t0
    accts: list[tuple[Account, float, float, int]] = []
    for _ in range(n_acc):
        age = r.choice(batch_days) - r.uniform(0, 0.1)
        a = w.attacker(
            cid,
            "hydra",
            max(age, 0.01),
            [r.choice(pool)],
            [r.choice(uas)],
            card_fp=r.choices(cards, card_w)[0],
        )
        start = w.t0 + r.uniform(-0.15, 0.85) * span
        life = r.uniform(0.25, 0.7) * span
        accts.append(
            (a, max(w.t0, start), min(w.t1, start + life), lognorm_int(r, 75, 0.5, 15, 200))
        )
    sent = {a.account_id: 0 for a, *_ in accts}
    sticky: dict[str, tuple[tuple[str, int], float]] = {}
    t = w.t0 + r.uniform(0, 60)
    while t < w.t1:
        active = [x for x in accts if x[1] <= t < x[2] and sent[x[0].account_id] <= x[3]]
        for a, _, _, budget in active:
            ar = a.rng
            if ar.random() > 0.55:
                continue
            k = sent[a.account_id]
            ip, until = sticky.get(a.account_id, (a.ips[0], 0.0))
            if t > until:
                ip, until = ar.choice(pool), t + ar.uniform(600, 1800)
                sticky[a.account_id] = (ip, until)
            tt = t + ar.uniform(0, 25)
            sent[a.account_id] = k + 1
            if k >= budget:  # prepaid credit exhausted: a couple of failures, then retired
                for j in range(ar.randint(1, 3)):
                    emit(
                        a,
                        tt + j * 5,
                        THINK,
                        300,
                        0,
                        prompt=ta.hydra(ar, "algebra"),
                        ip=ip,
                        status=ar.choice([402, 429]),
                        params={"max_tokens": 4096},
                    )
                continue
            if ar.random() < 0.15:
                p = ta.hydra_cover(ar)
                emit(
                    a,
                    tt,
                    MINI,
                    toks(p),
                    lognorm_int(ar, 90, 0.6, 5, 256),
                    prompt=p,
                    ip=ip,
                    messages=1,
                    params={"max_tokens": 256, "temperature": 0.7},
                )
                continue
            dom = ar.choice(HYDRA_DOMAINS)
            p = ta.hydra(ar, dom)
            m = THINK if ar.random() < 0.7 else PRO
            ct = lognorm_int(ar, 1100 if m == THINK else 1700, 0.45, 150, 4096)
            emit(
                a,
                tt,
                m,
                toks(p),
                ct,
                prompt=p,
                messages=1,
                ip=ip,
                params={"max_tokens": 4096, "temperature": ar.choice([0.6, 0.7, 0.8])},
            )
        t += r.uniform(60, 120)


def slow_drip(w: World, cid: str = "slow_drip-1") -> None:
    """Paid contractors typing into chat front-ends; each works four aged accounts in turn from
    home, with human think-times, follow-ups and grading requests."""
    r = w.rng
    per = 4
    n_acc = w.n(20)
    for c in range(math.ceil(n_acc / per)):
        home = w.home_ip()
        ua = r.choice(BROWSERISH_UAS)
        accts = [
            w.attacker(cid, "slow_drip", w.age(30, 600), home, [ua])
            for _ in range(min(per, n_acc - c * per))
        ]
        shift, t = [], w.t0 + r.uniform(0, 1800)
        while t < w.t1:  # one person: work sessions one after another, with breaks
            shift.append(t)
            t += r.uniform(900, 2400) + r.uniform(300, 1500)
        for i, s in enumerate(shift):
            a = accts[i % len(accts)]
            ar = a.rng
            t, turn = s, 0
            while t < min(s + ar.uniform(900, 2400), w.t1):
                p = ta.slow_drip(ar, turn)
                m = THINK if ar.random() < 0.6 else PRO
                params: dict[str, bool | float] = {"stream": True}
                if ar.random() < 0.3:
                    params["temperature"] = 1.0
                emit(
                    a,
                    t,
                    m,
                    toks(p) + 450 * turn,
                    lognorm_int(ar, 900, 0.5, 80, 6000),
                    prompt=p,
                    messages=1 + 2 * turn,
                    params=params,
                    session=f"chat_{int(s)}_{i}",
                )
                turn = turn + 1 if ar.random() < 0.5 else 0
                t += 80 * math.exp(ar.gauss(0, 0.6)) + 20


def chat_mimicry(w: World, cid: str = "chat_mimicry-1") -> None:
    """Traffic dressed as three consumer apps (two accounts each): app system prompt, end-user
    ids, sessions, streaming and padded history; the payload is reasoning demands, and about a
    third is small talk as cover."""
    for i, a in w.front(cid, "chat_mimicry", 6, 16509, (20, 150), "OpenAI/NodeJS/4.73.0"):
        app, sysp = ta.MIMIC_APPS[(i // 2) % len(ta.MIMIC_APPS)]
        ar = a.rng
        n = w.vol(ar.randint(2400, 3400))
        times = thin_diurnal(
            ar, renewal(ar, w.t0, w.t1, 1.8 * n / (w.hours * 3600), 1.2), ar.choice([-5, 1, 8])
        )
        user, left = "", 0
        for t in times:
            if left <= 0:
                user, left = f"u_{ar.getrandbits(40):010x}", ar.randint(1, 4)
            left -= 1
            msgs = ar.choice([1, 3, 3, 5, 7, 9])
            if ar.random() < 0.33:
                p, m, ct = ta.smalltalk(ar), PRO, lognorm_int(ar, 40, 0.6, 3, 300)
            else:
                p, ct = ta.chat_mimicry(ar), lognorm_int(ar, 1400, 0.5, 100, 4096)
                m = THINK if ar.random() < 0.4 else PRO
                if m == THINK and t > w.release + 7200 and ar.random() < 0.5:
                    m = THINK2
            emit_chat(
                a,
                t,
                m,
                ct,
                prompt=p,
                system=sysp,
                messages=msgs,
                per_message=60,
                user=user,
                session=f"{app.lower()}-{user[2:9]}",
                params={"stream": True, "temperature": 0.7, "max_tokens": 4096},
            )
