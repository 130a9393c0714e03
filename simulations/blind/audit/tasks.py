"""What each honest persona sends: one builder per persona, from text to finished request.

A builder gets the account's profile, the turn index inside its group (conversation,
job, agent task) and the group's context (end user, session id), and returns a Request.
Work personas are here; people-facing and research ones in ``tasks_people``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import text_people, text_work
from .emit import Request
from .rand import pick
from .shape import Profile, build, embed, tokens
from .tasks_base import Builder, Ctx, Gen, user_fields
from .tasks_people import (
    chat_app,
    content_writer,
    copilot,
    eval_harness,
    hobbyist,
    researcher,
    synthetic_data,
    tire_kicker,
    tutoring,
    workshop_student,
)


def indie_app(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    system = prof.acct.systems[0]
    kind = prof.variant % 4
    if kind == 0:
        text = text_people.chat_turn(rng, 0, prof.acct.lang)
    elif kind == 1:
        text = text_people.content(rng)[1]
    elif kind == 2:
        text = text_work.summarise(rng)[1]
    else:
        text = text_work.email(rng) + "\n\nDraft a reply that says yes but asks for one more week."
    return build(
        rng, prof, ts, text=text, system=system, out=230, sigma=0.8, messages=2, **user_fields(ctx)
    )


def coding_assistant(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    system, text = text_work.coding_assist(rng)
    agentic = prof.variant % 3 == 0
    ctx_tokens = int(rng.lognormal(np.log(4000 + 900 * turn), 0.9))
    params: dict[str, Any] = {"tools": int(rng.integers(6, 22))} if agentic else {}
    finish = "tool_calls" if agentic and rng.random() < 0.55 else "stop"
    return build(
        rng,
        prof,
        ts,
        text=text,
        system=system,
        out=320,
        sigma=1.0,
        hard=0.4,
        extra_in=min(ctx_tokens, 120_000),
        messages=2 + 2 * min(turn, 20),
        params=params,
        finish=finish,
    )


def rag_support(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    if prof.variant % 3 == 2:
        system, text = text_work.internal_rag(rng, prof.company)
    else:
        system, text = text_work.support(rng, prof.company)
    return build(
        rng,
        prof,
        ts,
        text=text,
        system=system,
        out=140,
        sigma=0.6,
        extra_in=int(rng.integers(200, 2500)),
        messages=2 + 2 * turn,
        **user_fields(ctx),
    )


def agent(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    system, text = text_work.agent(rng, turn)
    last = turn >= ctx.get("steps", 5) - 1
    tools = ctx.setdefault("tools", int(rng.integers(3, 26)))
    return build(
        rng,
        prof,
        ts,
        text=text,
        system=system,
        out=180 if last else 70,
        sigma=0.7,
        extra_in=900 + 650 * turn + 120 * tools,
        messages=2 + 2 * turn,
        params={"tools": tools},
        finish="stop" if last else "tool_calls",
    )


def batch_etl(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    if prof.variant % 2:
        system, text = text_work.extraction(rng)
        out = 110.0
    else:
        system, text = text_work.summarise(rng)
        out = 170.0
    return build(
        rng,
        prof,
        ts,
        text=text,
        system=system,
        out=out,
        sigma=0.5,
        extra_in=int(rng.lognormal(np.log(900), 0.8)),
        messages=2 if system else 1,
    )


def classification(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    system, text = text_work.classification(rng, prof.variant)
    out = 35.0 if prof.variant % 4 == 2 else 2.0
    params: dict[str, Any] = {}
    if prof.extra.get("logprobs"):  # confidence scores for routing thresholds
        params = {"logprobs": True, "top_logprobs": prof.extra["logprobs"]}
    if prof.extra.get("bias"):
        params["logit_bias"] = prof.extra["bias"]
    return build(
        rng,
        prof,
        ts,
        text=text,
        system=system,
        out=out,
        sigma=0.5,
        messages=2 if system else 1,
        params=params,
        **user_fields(ctx),
    )


def translation(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    system, text = text_people.translation(rng)
    src = tokens(text)
    return build(
        rng,
        prof,
        ts,
        text=text,
        system=system,
        out=src * 1.15,
        sigma=0.25,
        messages=2 if system else 1,
    )


def embeddings(rng: Gen, prof: Profile, turn: int, ts: float, ctx: Ctx) -> Request:
    return embed(rng, prof, text_work.embed_chunk(rng), pick(rng, (1, 1, 16, 64, 128)))


BUILDERS: dict[str, Builder] = {
    "tire_kicker": tire_kicker,
    "hobbyist": hobbyist,
    "indie_app": indie_app,
    "coding_assistant": coding_assistant,
    "rag_support": rag_support,
    "agent": agent,
    "batch_etl": batch_etl,
    "classification": classification,
    "translation": translation,
    "content_writer": content_writer,
    "embeddings": embeddings,
    "tutoring": tutoring,
    "eval_harness": eval_harness,
    "synthetic_data": synthetic_data,
    "researcher": researcher,
    "chat_app": chat_app,
    "copilot": copilot,
    "workshop_student": workshop_student,
}
