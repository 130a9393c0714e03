"""Honest personas: each function fills one account with ``n`` (roughly) requests."""

from __future__ import annotations

from . import text_benign as tb
from .arrivals import human_sessions, lognorm_int, renewal, thin_diurnal, toks
from .common import EMBED, MINI, PRO, THINK, THINK2, Account, emit, emit_chat
from .text_ml import ml_reasoning
from .world import World


def _model(
    w: World, a: Account, t: float, weights: tuple[float, float, float], adopt: float = 0.0
) -> str:
    m = a.rng.choices([MINI, PRO, THINK], weights)[0]
    if m == THINK and t > w.release and a.rng.random() < adopt:
        return THINK2
    return m


def _times(w: World, a: Account, n: int, tz: float, cv: float = 1.0) -> list[float]:
    rate = 2.0 * n / (w.hours * 3600)  # about half is thinned away by the daily cycle
    return thin_diurnal(a.rng, renewal(a.rng, w.t0, w.t1, rate, cv), tz)


def chat_app(w: World, a: Account, n: int, tz: float = -5) -> None:
    r = a.rng
    sysp = (
        f"You are {r.choice(['Milo', 'Ava', 'Juniper', 'Orbit'])}, the assistant in a "
        "consumer chat app. Be friendly, safe and concise."
    )
    users = [f"u_{r.getrandbits(40):010x}" for _ in range(max(3, n // 6))]
    depth: dict[str, int] = {}
    for t in _times(w, a, n, tz, cv=1.3):
        u = r.choice(users)
        depth[u] = depth.get(u, -1) + 2 if r.random() < 0.8 else 1
        msgs = min(depth[u] + 1, 41)
        p = tb.chat_prompt(r)
        ct = lognorm_int(r, 260, 0.8, 3, 4000)
        m = _model(w, a, t, (4, 5, 1), adopt=0.3)
        emit_chat(
            a,
            t,
            m,
            ct,
            prompt=p,
            system=sysp,
            messages=msgs,
            per_message=110,
            params={"temperature": 0.8, "stream": True, "max_tokens": 2048},
            user=u,
            session=f"s_{u[2:8]}{depth[u] // 12}",
            status=429 if r.random() < 0.005 else 200,
        )


def coding_agent(w: World, a: Account, n: int, tz: float = 1) -> None:
    r = a.rng
    runs = max(1, n // r.randint(15, 40))
    for t in human_sessions(r, w.t0, w.t1, runs, (1, 1), 60.0):
        steps = r.randint(6, 60)
        ctx = r.randint(3000, 14000)
        m = r.choice([PRO, PRO, THINK, THINK2 if t > w.release else THINK])
        for i in range(steps):
            ctx += r.randint(200, 3500)
            ct = lognorm_int(r, 220, 0.9, 5, 8000)
            emit(
                a,
                t,
                m,
                min(ctx, 190_000),
                ct,
                prompt=tb.agent_prompt(r)
                if i == 0
                else r.choice(["Tool result: ok", "Tool result: file written", "Continue."]),
                system=tb.AGENT_SYSTEM,
                messages=3 + 2 * i,
                finish="tool_calls" if r.random() < 0.7 else None,
                params={
                    "tools": r.choice([8, 12, 17]),
                    "stream": True,
                    "max_tokens": 8192,
                    "temperature": 0.2,
                },
                session=f"run_{r.getrandbits(32):08x}" if i == 0 else None,
            )
            t += r.uniform(2, 25) + ct * 0.015
            if t > w.t1:
                break


def eval_harness(w: World, a: Account, n: int, tz: float = -8) -> None:
    """Benchmark sweeps: fixed format per run, temperature 0, concurrency, new model at once."""
    r = a.rng
    runs = r.randint(1, 4)
    per = max(1, n // runs)
    for k in range(runs):
        start = r.uniform(w.t0, w.t1 - 600)
        if k == 0 and r.random() < 0.6:
            start = w.release + r.uniform(300, 5400)  # evaluate the new model right after launch
        m = THINK2 if start > w.release and r.random() < 0.7 else r.choice([PRO, THINK, MINI])
        fmt, mx = r.randrange(6), r.choice([1024, 2048, 4096, 16384, 32768])
        seed, nn = r.choice([0, 42, 1234, None]), r.choice([1, 1, 1, 4, 8])
        for t in renewal(r, start, w.t1, r.uniform(1.0, 6.0), 0.6)[:per]:
            p = tb.eval_prompt(r, fmt)
            ct = lognorm_int(r, 900 if m in (THINK, THINK2) else 350, 0.7, 1, mx) * nn
            params = {"temperature": 0.0 if nn == 1 else 0.8, "max_tokens": mx, "n": nn}
            if seed is not None:
                params["seed"] = seed
            emit(
                a,
                t,
                m,
                toks(p) + r.choice([0, 0, 600]),
                ct,
                prompt=p,
                messages=1 if r.random() < 0.7 else 2,
                params=params,
                status=429 if r.random() < 0.02 else 200,
            )


def tutoring(w: World, a: Account, n: int, tz: float = -5) -> None:
    r = a.rng
    sysp = r.choice(tb.TUTOR_SYSTEMS)
    students = [f"stu_{r.getrandbits(28):07x}" for _ in range(max(2, n // 8))]
    for t in _times(w, a, n, tz, 1.2):
        s, msgs = r.choice(students), r.choice([1, 3, 3, 5, 7, 9])
        p = tb.tutor_prompt(r)
        m = _model(w, a, t, (2, 4, 4), adopt=0.2)
        ct = lognorm_int(r, 480, 0.6, 30, 4000)
        emit_chat(
            a,
            t,
            m,
            ct,
            prompt=p,
            system=sysp,
            messages=msgs,
            per_message=150,
            user=s,
            params={"temperature": 0.5, "stream": True, "max_tokens": 4000},
        )


def synth_data(w: World, a: Account, n: int, tz: float = 0) -> None:
    r = a.rng
    lang = r.choice([None, None, None, "es", "zh", "de", "ja"])
    m0 = r.choice([PRO, THINK])
    for t in renewal(r, w.t0 + r.uniform(0, 3600), w.t1, n / (w.hours * 3600) * 1.25, 0.7)[:n]:
        p = ml_reasoning(r, lang) if lang and r.random() < 0.5 else tb.synth_prompt(r)
        nn = r.choice([1, 1, 2, 4])
        m = THINK2 if m0 == THINK and t > w.release + 3600 and r.random() < 0.5 else m0
        emit(
            a,
            t,
            m,
            toks(p) + 40,
            lognorm_int(r, 1100, 0.5, 100, 8000) * nn,
            prompt=p,
            system="You generate high-quality training data. Follow the output format exactly.",
            messages=2,
            params={
                "temperature": r.choice([0.9, 1.0, 1.1]),
                "max_tokens": 8192,
                "n": nn,
                "top_p": 0.95,
            },
        )


def grader(w: World, a: Account, n: int, tz: float = -5) -> None:
    r = a.rng
    m = r.choice([MINI, PRO, THINK])
    for t in renewal(r, w.t0, w.t1, n / (w.hours * 3600), 2.5):
        p = tb.judge_prompt(r)
        emit(
            a,
            t,
            m,
            toks(p) + 300,
            lognorm_int(r, 160, 0.7, 5, 2000),
            prompt=p,
            messages=1,
            system="You are a strict, fair evaluator.",
            params={"temperature": 0.0, "max_tokens": 1024},
        )


def support_bot(w: World, a: Account, n: int, tz: float = 1) -> None:
    r = a.rng
    sysp = tb.support_system(r.choice(tb.COMPANIES))
    for t in _times(w, a, n, tz, 1.1):
        cust = f"cus_{r.getrandbits(32):08x}"
        if r.random() < 0.5:
            emit(a, t, EMBED, r.randint(8, 60), 0, endpoint="/v1/embeddings", user=cust)
        p = tb.support_prompt(r)
        emit(
            a,
            t + r.uniform(0.1, 0.5),
            MINI,
            r.randint(1200, 4200),
            lognorm_int(r, 120, 0.6, 8, 900),
            prompt=p,
            system=sysp,
            messages=r.choice([2, 4, 6]),
            user=cust,
            params={"temperature": 0.3, "max_tokens": 600},
        )


def translation(w: World, a: Account, n: int, tz: float = 1) -> None:
    r = a.rng
    lang = r.choice(["German", "Japanese", "Spanish", "French", "Korean", "Portuguese", "Chinese"])
    for t in renewal(r, w.t0, w.t1, n / (w.hours * 3600), 1.8):
        p = tb.translate_prompt(r, lang)
        src = r.randint(80, 2500)
        emit(
            a,
            t,
            r.choice([MINI, PRO]),
            src + toks(p),
            int(src * r.uniform(0.9, 1.6)),
            prompt=p,
            messages=2,
            params={"temperature": 0.2},
        )
