"""Builders of people-facing and research personas (see ``tasks`` for the contract)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import problems, text_people, text_school
from .emit import Request
from .rand import pick
from .shape import Profile, build
from .tasks_base import Ctx, Gen, user_fields


def tire_kicker(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    launch = ts >= prof.release
    text = text_people.tryout(rng, launch)
    hard = 0.6 if text in text_people.LAUNCH_TRIES else 0.05
    return build(
        rng,
        prof,
        ts,
        text=text,
        system=None,
        out=140,
        sigma=0.9,
        hard=hard,
        messages=1 + 2 * min(turn, 3) if prof.variant % 2 else 1,
    )


def hobbyist(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    system, text = text_people.hobby(rng)
    return build(
        rng,
        prof,
        ts,
        text=text,
        system=system,
        out=260,
        sigma=0.9,
        hard=0.4,
        messages=2 if system else 1,
        **user_fields(ctx),
    )


def content_writer(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    system, text = text_people.content(rng)
    return build(
        rng,
        prof,
        ts,
        text=text,
        system=system,
        out=1100,
        sigma=0.6,
        messages=2 if system else 1 + 2 * min(turn, 4),
    )


def tutoring(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    system, text = text_school.tutoring(rng, problems.SCHOOL_MIX, turn, prof.acct.lang)
    return build(
        rng,
        prof,
        ts,
        text=text,
        system=system,
        out=300,
        sigma=0.6,
        hard=0.35,
        extra_in=250 * turn,
        messages=2 + 2 * turn,
        **user_fields(ctx),
    )


def eval_harness(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    suite = ctx.setdefault("suite", int(rng.integers(0, 4)))
    # A benchmark is a fixed list: item k of a suite is the same text in every run, so
    # the same prompts reach several models (and the new one after launch).
    item = np.random.default_rng([prof.variant, suite, turn])
    system, text, kind = text_people.eval_item(item, suite)
    params: dict[str, Any] = {"temperature": 0.0, "seed": 1234 + prof.variant}
    out = {"cot": 380.0, "mcq": 1.0, "code": 260.0, "judge": 45.0}[kind]
    if kind == "mcq":
        params.update(max_tokens=1, logprobs=True, top_logprobs=pick(rng, (5, 10, 20)))
    elif kind == "code" and prof.variant % 2:
        params.update(n=5, temperature=0.8)  # pass@k
    model = ctx.get("model")
    return build(
        rng,
        prof,
        ts,
        text=text,
        system=system,
        out=out,
        sigma=0.5,
        hard=0.6,
        messages=2 if system else 1,
        params=params,
        model=model,
    )


def synthetic_data(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    system, text = text_people.synthetic(rng, prof.variant)
    params: dict[str, Any] = {"temperature": pick(rng, (0.9, 1.0, 1.1))}
    if prof.variant % 4 == 0:
        params["n"] = pick(rng, (2, 3, 4))
    return build(
        rng, prof, ts, text=text, system=system, out=1300, sigma=0.5, messages=1, params=params
    )


def researcher(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    system, text = text_people.research(rng, prof.variant)
    params: dict[str, Any] = {"temperature": pick(rng, (0.0, 0.3, 0.7, 1.0, 1.5))}
    if prof.variant % 3 == 0:
        params.update(logprobs=True, top_logprobs=pick(rng, (5, 20)), max_tokens=5)
    elif prof.variant % 3 == 1:
        params["n"] = pick(rng, (5, 10, 20))
    return build(
        rng,
        prof,
        ts,
        text=text,
        system=system,
        out=45,
        sigma=1.0,
        hard=0.4,
        messages=1,
        params=params,
    )


def chat_app(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    text = text_people.chat_turn(rng, turn, prof.acct.lang)
    return build(
        rng,
        prof,
        ts,
        text=text,
        system=prof.acct.systems[0],
        out=150,
        sigma=0.9,
        extra_in=180 * turn,
        messages=2 + 2 * turn,
        **user_fields(ctx),
    )


def copilot(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    system, text = text_people.copilot(rng, prof.company)
    return build(
        rng,
        prof,
        ts,
        text=text,
        system=system,
        out=280,
        sigma=0.8,
        extra_in=200 * turn,
        messages=2 + 2 * turn,
        **user_fields(ctx),
    )


def workshop_student(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    text = text_school.workshop(rng, 1 + min(turn // 3, 4))
    return build(rng, prof, ts, text=text, system=None, out=90, sigma=0.8, messages=1)
