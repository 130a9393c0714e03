"""Honest people at keyboards: hobbyists, power users with desktop clients, teachers grading,
hackathon cohorts on fresh accounts, and accounts that barely call at all."""

from __future__ import annotations

from random import Random
from typing import Any

from . import net, texts_work
from .arrivals import human_gaps, sessions
from .calls import answer, background_status, model_plan, prompt_tokens
from .core import Account, Log, World, hexid, lognormal
from .population import new_account, region_and_route


def hobbyist(acct: Account, rng: Random, world: World, log: Log) -> None:
    """Someone trying the API from a script or Postman: a session or two, tiny prompts."""
    new_key_seen = acct.created > world.start - 86400.0
    base = rng.choice(["kestrel-2-mini", "kestrel-2", "kestrel-2", "kestrel-think-1"])
    plan = model_plan(rng, world, base, 0.3, 120.0, (0.5, 1.0))
    params: dict[str, Any] = {}
    if rng.random() < 0.4:
        params["max_tokens"] = rng.choice([50, 100, 256, 1000])
    if rng.random() < 0.3:
        params["temperature"] = rng.choice([0.0, 0.5, 0.9, 1.2, 2.0])
    times = sessions(
        rng,
        world.start,
        world.end,
        rng.uniform(0.15, 0.6),
        lambda r: lognormal(r, 3.0, 0.9, 1, 60),
        lambda r: human_gaps(r, 35.0),
        "evening",
        acct.tz,
    )
    if not times:
        times = [rng.uniform(world.start, world.end)]
    for ts in times:
        prompt = texts_work.hobby_prompt(rng)
        model = plan.pick(rng, ts)
        completion, reasoning, finish = answer(
            rng, model, 90.0, 0.9, params.get("max_tokens"), 300.0
        )
        status = 400 if rng.random() < 0.03 else background_status(rng, model, ts, world)
        if new_key_seen and rng.random() < 0.05:
            status = 429
        log.emit(
            acct,
            rng,
            ts,
            model=model,
            status=status,
            prompt_tokens=prompt_tokens(None, prompt),
            completion_tokens=completion,
            params=params,
            prompt=prompt,
            messages=1,
            reasoning=reasoning,
            finish=finish,
        )


def power_user(acct: Account, rng: Random, world: World, log: Log, grading: bool = False) -> None:
    """A person using a bring-your-own-key chat client: long questions, human pauses."""
    base = rng.choice(["kestrel-2", "kestrel-2", "kestrel-think-1"])
    plan = model_plan(rng, world, base, 0.1 if grading else 0.35, 45.0, (0.6, 1.0))
    params: dict[str, Any] = {"stream": True} if rng.random() < 0.8 else {}
    if rng.random() < 0.5:
        params["temperature"] = rng.choice([0.7, 1.0])
    if rng.random() < 0.2:
        params["max_tokens"] = rng.choice([4096, 8192])
    system = rng.choice(
        [
            None,
            None,
            "You are a helpful assistant.",
            "Be concise and direct. No fluff.",
            "You are an expert. Think carefully before answering.",
        ]
    )
    per_hour = rng.uniform(0.15, 0.5)
    length = (lambda r: r.randint(5, 25)) if grading else (lambda r: lognormal(r, 4.0, 0.8, 1, 40))
    gap = 150.0 if grading else 100.0
    times = sessions(
        rng,
        world.start,
        world.end,
        per_hour,
        length,
        lambda r: human_gaps(r, gap),
        "evening" if grading else "office",
        acct.tz,
    )
    if not times:
        times = [rng.uniform(world.start, world.end)]
    depth, history = 0, 0
    for i, ts in enumerate(times):
        if i and ts - times[i - 1] > 1200.0:
            depth, history = 0, 0
        prompt = texts_work.essay_prompt(rng) if grading else texts_work.power_prompt(rng)
        model = plan.pick(rng, ts)
        completion, reasoning, finish = answer(
            rng, model, 450.0 if grading else 520.0, 0.6, params.get("max_tokens"), 900.0
        )
        pt = prompt_tokens(system, prompt, history)
        log.emit(
            acct,
            rng,
            ts,
            model=model,
            status=background_status(rng, model, ts, world),
            prompt_tokens=pt,
            completion_tokens=completion,
            params=params,
            prompt=prompt,
            system=system,
            messages=1 + 2 * depth + (system is not None),
            reasoning=reasoning,
            finish=finish,
        )
        depth, history = depth + 1, (0 if grading else pt + completion - (reasoning or 0))


def teacher_grader(acct: Account, rng: Random, world: World, log: Log) -> None:
    power_user(acct, rng, world, log, grading=True)


THEMES = [
    ("students", "planning study time"),
    ("farmers", "tracking rainfall"),
    ("nurses", "handover notes"),
    ("tenants", "understanding leases"),
    ("volunteers", "scheduling shifts"),
    ("small shops", "writing product listings"),
]


def hackathons(world: World, rng: Random, used: set[str], log: Log) -> list[Account]:
    """University workshops: dozens of accounts created that morning, one notebook, one NAT."""
    cohorts: list[Account] = []
    size = world.count(35, minimum=3)
    for number in range(world.count(3, minimum=1)):
        block = net.office_block(rng)
        agent = f"OpenAI/Python {rng.choice(net.SDK_PY)}"
        begin = world.start + rng.uniform(0.0, max(0.0, (world.end - world.start) - 10800.0))
        tz = rng.choice([-5.0, 0.0, 1.0, 5.5])
        for _ in range(size):
            acct = new_account(rng, used, "benign")
            acct.persona, acct.nat = "hackathon_student", f"nat-campus-{number + 1}"
            region_and_route(rng, acct, 0.0)
            acct.tz, acct.route = tz, "edge"
            acct.created = begin - rng.uniform(0.0, 5400.0)
            acct.payment = None if rng.random() < 0.7 else hexid(rng, "pm_", 64)
            acct.keys = [hexid(rng, "key_", 32)]
            acct.egress = [net.in_block(rng, block, 30)]
            acct.agents = [agent]
            _student(acct, world.rng(acct.account_id), world, log, begin, rng.choice(THEMES))
            cohorts.append(acct)
    return cohorts


def _student(
    acct: Account, rng: Random, world: World, log: Log, begin: float, theme: tuple[str, str]
) -> None:
    params: dict[str, Any] = {"temperature": 0.7} if rng.random() < 0.6 else {}
    t = begin + rng.uniform(300.0, 2400.0)
    for _ in range(max(1, int(lognormal(rng, 14.0, 0.7, 2, 90) * world.volume))):
        if t >= world.end:
            break
        prompt = texts_work.hack_prompt(rng, theme)
        completion, _, finish = answer(rng, "kestrel-2-mini", 160.0, 0.6, None)
        status = 429 if rng.random() < 0.04 else 200
        log.emit(
            acct,
            rng,
            t,
            model="kestrel-2-mini",
            status=status,
            params=params,
            prompt_tokens=prompt_tokens(texts_work.HACK_SYSTEM, prompt),
            completion_tokens=completion,
            prompt=prompt,
            system=texts_work.HACK_SYSTEM,
            messages=2,
            finish=finish,
        )
        t += rng.choice([4.0, 8.0, 30.0, 120.0, 600.0]) * rng.uniform(0.5, 1.5)


def quiet_day(acct: Account, rng: Random, world: World, log: Log) -> None:
    """A customer with almost no traffic in these hours: a monitor's health check or a test."""
    model = rng.choice(["kestrel-2-mini", "kestrel-2"])
    params: dict[str, Any] = {"max_tokens": rng.choice([5, 16, 64])}
    probe = rng.choice(["ping", "Say OK.", "health check: reply with the word ok", ""])
    for ts in sorted(rng.uniform(world.start, world.end) for _ in range(rng.randint(1, 3))):
        prompt = probe or texts_work.hobby_prompt(rng)
        completion, _, finish = answer(rng, model, 6.0, 0.8, params["max_tokens"])
        log.emit(
            acct,
            rng,
            ts,
            model=model,
            prompt_tokens=prompt_tokens(None, prompt),
            completion_tokens=completion,
            params=params,
            prompt=prompt,
            messages=1,
            finish=finish,
        )
