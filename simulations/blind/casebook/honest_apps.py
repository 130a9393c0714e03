"""Honest products with end users: chat apps, tutoring apps, coding tools, agents, support bots."""

from __future__ import annotations

from random import Random
from typing import Any

from . import lingua, texts_apps
from .arrivals import poisson, sessions
from .calls import answer, background_status, model_plan, prompt_tokens, session_id, user_pool
from .core import CHAT, EMBED, RESPONSES, Account, Log, World, lognormal


def _params(
    rng: Random, stream: float, max_tokens: list[int | None], temps: list[float | None]
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    cap = rng.choice(max_tokens)
    if cap is not None:
        params["max_tokens"] = cap
    temp = rng.choice(temps)
    if temp is not None:
        params["temperature"] = temp
    if rng.random() < stream:
        params["stream"] = True
    return params


def chat_app(acct: Account, rng: Random, world: World, log: Log, tutoring: bool = False) -> None:
    """A consumer app: many end users, short threads, streaming, evening-heavy."""
    brand = rng.choice(texts_apps.BRANDS)
    lang = rng.choice(lingua.LANGUAGES) if not tutoring and rng.random() < 0.2 else "en"
    if tutoring:
        system = texts_apps.TUTOR_SYSTEM.format(brand=brand)
        base = rng.choice(["kestrel-2", "kestrel-2", "kestrel-think-1", "kestrel-2-mini"])
    else:
        system = texts_apps.chat_system(rng, brand, "en-US" if lang == "en" else lang)
        base = rng.choice(
            ["kestrel-2-mini", "kestrel-2-mini", "kestrel-2", "kestrel-2-mini-2026-07-18"]
        )
    plan = model_plan(rng, world, base, 0.12, 180.0, (0.05, 0.5))
    params = _params(rng, 0.85, [None, 512, 1024, 2048], [None, 0.7, 0.8, 1.0])
    rate = lognormal(rng, 14.0, 1.1, 1.0, 900.0) / 3600.0 * world.volume
    users = user_pool(rng, max(5, int(rate * 3600 * 4)), rng.choice(["hash", "num", "uuid"]))
    sends_user, sends_session = rng.random() < 0.7, rng.random() < 0.4
    threads: dict[str, tuple[str, int, int]] = {}  # user -> (session, depth, history tokens)
    for ts in poisson(
        rng, world.start, world.end, rate, "student" if tutoring else "consumer", acct.tz
    ):
        user = rng.choice(users)
        sid, depth, history = threads.get(user, (session_id(rng), 0, 0))
        if depth and rng.random() < 0.35:
            sid, depth, history = session_id(rng), 0, 0
        if tutoring:
            prompt = texts_apps.student_question(rng)
        else:
            prompt = (
                texts_apps.chat_message(rng) if lang == "en" else lingua.pick(rng, lang, "chat")
            )
        model = plan.pick(rng, ts)
        completion, reasoning, finish = answer(
            rng, model, 420.0 if tutoring else 210.0, 0.7, params.get("max_tokens"), 500.0
        )
        status = background_status(rng, model, ts, world)
        pt = prompt_tokens(system, prompt, history)
        log.emit(
            acct,
            rng,
            ts,
            model=model,
            prompt_tokens=pt,
            completion_tokens=completion,
            status=status,
            params=params,
            prompt=prompt,
            system=system,
            messages=2 + 2 * depth,
            reasoning=reasoning,
            finish=finish,
            user=user if sends_user else None,
            session=sid if sends_session else None,
            key=acct.keys[0],
        )
        threads[user] = (sid, depth + 1, pt + completion - (reasoning or 0))


def tutoring_app(acct: Account, rng: Random, world: World, log: Log) -> None:
    chat_app(acct, rng, world, log, tutoring=True)


def coding_tool(acct: Account, rng: Random, world: World, log: Log) -> None:
    """An editor plugin: input-heavy requests, tiny completions, bursts while people type."""
    lang = rng.choice(["Python", "TypeScript", "Go", "Java", "Rust", "C#"])
    system = texts_apps.CODE_SYSTEM.format(lang=lang)
    plan = model_plan(
        rng, world, rng.choice(["kestrel-2", "kestrel-2-mini"]), 0.22, 60.0, (0.5, 1.0)
    )
    tools = rng.choice([0, 0, 4, 8, 12])
    params = _params(rng, 0.9, [None, 256, 1024, 4096], [0.0, 0.2, None])
    if tools:
        params["tools"] = tools
    devs = user_pool(rng, rng.randint(1, 25), "hash")
    per_hour = lognormal(rng, 2.0, 0.9, 0.3, 80.0) * world.volume
    times = sessions(
        rng,
        world.start,
        world.end,
        per_hour,
        lambda r: r.randint(2, 18),
        lambda r: r.expovariate(1 / 25.0) + 2.0,
        "office",
        acct.tz,
    )
    for ts in times:
        prompt = texts_apps.code_request(rng)
        model = plan.pick(rng, ts)
        completion, reasoning, finish = answer(
            rng, model, 70.0, 1.1, params.get("max_tokens"), 300.0
        )
        if tools and rng.random() < 0.15:
            finish = "tool_calls"
        log.emit(
            acct,
            rng,
            ts,
            model=model,
            status=background_status(rng, model, ts, world),
            prompt_tokens=prompt_tokens(system, prompt, lognormal(rng, 2200, 0.9, 50, 60000)),
            completion_tokens=completion,
            params=params,
            prompt=prompt,
            system=system,
            messages=rng.randint(2, 9),
            reasoning=reasoning,
            finish=finish,
            user=rng.choice(devs),
            key=rng.choice(acct.keys),
        )


def agent_builder(acct: Account, rng: Random, world: World, log: Log) -> None:
    """Tool-calling agents: runs of many steps, growing context, tool_calls finishes."""
    brand = rng.choice(texts_apps.BRANDS)
    system = texts_apps.AGENT_SYSTEM.format(brand=brand)
    endpoint = RESPONSES if rng.random() < 0.3 else CHAT
    plan = model_plan(
        rng,
        world,
        rng.choice(["kestrel-2", "kestrel-2", "kestrel-think-1"]),
        0.25,
        75.0,
        (0.3, 1.0),
        peek=0.15,
    )
    tools = rng.randint(4, 22)
    params = _params(rng, 0.3, [None, 1024, 4096], [None, 0.0, 0.2])
    params["tools"] = tools
    runs_per_hour = lognormal(rng, 1.6, 0.9, 0.2, 40.0) * world.volume
    for start in poisson(rng, world.start, world.end, runs_per_hour / 3600.0, "office", acct.tz):
        ts, context, steps = start, lognormal(rng, 1800, 0.5, 300), rng.randint(2, 14)
        sid = session_id(rng)
        for step in range(steps):
            if ts >= world.end:
                break
            prompt = texts_apps.agent_message(rng)
            model = plan.pick(rng, ts)
            completion, reasoning, finish = answer(
                rng, model, 110.0, 0.8, params.get("max_tokens"), 400.0
            )
            finish = "tool_calls" if step < steps - 1 and rng.random() < 0.85 else finish
            log.emit(
                acct,
                rng,
                ts,
                model=model,
                endpoint=endpoint,
                params=params,
                status=background_status(rng, model, ts, world),
                prompt_tokens=prompt_tokens(system, prompt, context + tools * 120),
                completion_tokens=completion,
                prompt=prompt,
                system=system,
                messages=2 + 2 * step,
                reasoning=reasoning,
                finish=finish,
                session=sid if endpoint == RESPONSES else None,
            )
            context += completion + lognormal(rng, 400, 0.9, 20)
            ts += 1.0 + rng.expovariate(1 / 6.0) + completion / 70.0
    for peek in plan.peeks:
        log.emit(
            acct,
            rng,
            peek,
            model="kestrel-3",
            status=404,
            prompt_tokens=0,
            completion_tokens=0,
            endpoint=endpoint,
            params=params,
            prompt="ping",
        )


def rag_support(acct: Account, rng: Random, world: World, log: Log) -> None:
    """A help-centre bot: retrieved context in, short grounded answer out, maybe embeddings."""
    brand = rng.choice(texts_apps.BRANDS)
    system = texts_apps.SUPPORT_SYSTEM.format(brand=brand)
    lang = rng.choice(lingua.LANGUAGES) if rng.random() < 0.2 else "en"
    plan = model_plan(
        rng,
        world,
        rng.choice(["kestrel-2-mini", "kestrel-2", "kestrel-2-2026-08-06"]),
        0.06,
        240.0,
        (0.1, 0.4),
    )
    params = _params(rng, 0.5, [300, 400, 512, None], [0.0, 0.1, 0.2, None])
    embeds = rng.random() < 0.5
    rate = lognormal(rng, 9.0, 1.0, 0.5, 500.0) / 3600.0 * world.volume
    for ts in poisson(rng, world.start, world.end, rate, "office", acct.tz):
        if embeds:
            log.emit(
                acct,
                rng,
                ts - rng.uniform(0.2, 0.9),
                model="kestrel-embed-2",
                endpoint=EMBED,
                prompt_tokens=lognormal(rng, 18, 0.5, 3, 200),
                completion_tokens=0,
            )
        prompt = texts_apps.support_prompt(rng)
        if lang != "en":
            prompt = (
                prompt.split("Customer question:")[0]
                + "Customer question: "
                + lingua.pick(rng, lang, "support")
            )
        model = plan.pick(rng, ts)
        completion, reasoning, finish = answer(
            rng, model, 110.0, 0.55, params.get("max_tokens"), 200.0
        )
        log.emit(
            acct,
            rng,
            ts,
            model=model,
            status=background_status(rng, model, ts, world),
            prompt_tokens=prompt_tokens(system, prompt, lognormal(rng, 900, 0.7, 100)),
            completion_tokens=completion,
            params=params,
            prompt=prompt,
            system=system,
            messages=rng.choice([2, 2, 4, 6]),
            reasoning=reasoning,
            finish=finish,
        )
