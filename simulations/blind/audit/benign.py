"""Honest traffic: each account's habits (profile), its arrival groups, then its requests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from . import arrivals, models
from .emit import Sink
from .personas import Persona
from .population import Member, build_population
from .rand import pick
from .shape import Profile
from .tasks import BUILDERS
from .text_people import chat_system
from .world import Account, Ids, stream, user_id

Gen = np.random.Generator
# (requests per session, median think time in seconds) of people-driven personas
# fmt: off
SESSION = {"tire_kicker": (3, 30), "hobbyist": (5, 60), "coding_assistant": (10, 50),
           "content_writer": (4, 150), "tutoring": (4, 60), "chat_app": (4, 30),
           "copilot": (3, 80), "workshop_student": (8, 90)}
# fmt: on
# requests per second of one job of batch-like personas
# fmt: off
JOB_RATE = {"batch_etl": 1.0, "translation": 0.6, "eval_harness": 0.8, "synthetic_data": 0.25,
            "researcher": 0.4, "embeddings": 2.0}
STREAM = {"chat_app": 0.9, "tutoring": 0.8, "coding_assistant": 0.9, "copilot": 0.8,
          "indie_app": 0.5, "rag_support": 0.5, "tire_kicker": 0.3, "hobbyist": 0.2}
MAX_TOKENS: dict[str, tuple[int | None, ...]] = {
    "classification": (1, 5, 10, 50), "batch_etl": (512, 1024, 2048, None),
    "translation": (2048, 4096, None), "content_writer": (4096, 2048, None, None),
    "eval_harness": (1024, 2048, 4096), "synthetic_data": (4096, 8192, None),
    "chat_app": (None, None, 1024, 512), "indie_app": (None, 500, 800, 1000),
}
# fmt: on
PINNED = ("batch_etl", "classification", "rag_support", "agent", "translation", "indie_app")
# fmt: off
APP_NAMES = ("Sprout", "Mosaic", "Juniper", "Pocket Coach", "Quill", "Nimbus", "Echo",
             "Fable", "Atlas", "Pebble", "Waypoint", "Sage")
# fmt: on


def _weighted_models(rng: Gen, mix: Mapping[str, float]) -> tuple[list[str], list[float]]:
    names = sorted(mix)
    w = np.array([mix[n] for n in names], dtype=float)
    k = min(len(names), 1 + int(rng.random() < 0.45))
    picks = rng.choice(len(names), size=k, replace=False, p=w / w.sum())
    chosen = [names[int(i)] for i in picks]
    return chosen, [0.8, 0.2][:k] if k > 1 else [1.0]


def profile(rng: Gen, m: Member, release: float, t0: float, t1: float) -> Profile:
    p = m.persona
    acct = m.acct
    chosen, weights = _weighted_models(rng, p.models)
    prof = Profile(
        acct,
        p.name,
        chosen,
        weights,
        release,
        company=m.company,
        early_access=m.early_access,
        variant=int(rng.integers(0, 12)),
    )
    if m.early_access:
        prof.adopt_share = 0.3
    if rng.random() < p.early:
        prof.adopt = release + float(rng.exponential(2700.0))
        prof.adopt_share = float(rng.uniform(0.2, 0.9))
    if p.name == "tire_kicker" and rng.random() < 0.25:  # signed up today, many for the launch
        after = rng.random() < 0.65
        lo, hi = (release, t1) if after else (t0, release)
        acct.created = float(rng.uniform(lo, hi))
        if after:
            prof.adopt, prof.adopt_share = acct.created, 0.6
    prof.stream = STREAM.get(p.name, 0.03)
    if p.name in ("batch_etl", "classification", "translation"):
        prof.temp = 0.0 if rng.random() < 0.7 else None
    elif rng.random() < 0.45:
        prof.temp = pick(rng, (0.2, 0.3, 0.5, 0.7, 0.7, 1.0))
    opts = MAX_TOKENS.get(p.name, (None, None, 1024, 2048, 4096))
    prof.max_tokens = opts[int(rng.integers(len(opts)))]
    prof.snapshot = 0.4 if p.name in PINNED else 0.05
    young = acct.created is not None and acct.created > release - 7 * 86400
    prof.err429 = 0.012 if young else (0.008 if p.pattern == "jobs" else 0.002)
    if p.name == "classification" and rng.random() < 0.3:
        prof.extra["logprobs"] = pick(rng, (1, 2, 3, 5))
    if p.name == "classification" and rng.random() < 0.15:  # bias output to the label tokens
        prof.extra["bias"] = pick(rng, (2, 3, 4, 5, 6))
    if p.name == "indie_app":
        app = APP_NAMES[int(rng.integers(len(APP_NAMES)))]
        acct.systems = [
            f"You are {app}, the assistant inside our app. Help the user with"
            f" {['meal planning', 'writing', 'study notes', 'emails'][prof.variant % 4]}."
            " Keep it under 200 words."
        ]
    elif p.name == "chat_app":
        acct.systems = [chat_system(rng, APP_NAMES[int(rng.integers(len(APP_NAMES)))])]
    return prof


def volume(rng: Gen, p: Persona, factor: float) -> int:
    return max(1, round(rng.lognormal(np.log(p.volume), p.spread) * factor))


def groups(
    rng: Gen, prof: Profile, p: Persona, n: int, t0: float, t1: float
) -> list[tuple[np.ndarray, dict[str, Any]]]:
    acct = prof.acct
    if acct.created is not None and acct.created > t0:
        t0 = min(acct.created + 30.0, t1 - 1.0)
    if p.pattern == "sessions":
        per, gap = SESSION.get(p.name, (4, 60))
        raw = arrivals.sessions(rng, n, t0, t1, p.curve, acct.region, per, gap)
    elif p.pattern == "app":
        raw = arrivals.app(rng, n, t0, t1, p.curve, acct.region)
    elif p.pattern == "tasks":
        raw = arrivals.tasks(rng, n, t0, t1, p.curve, acct.region, steps=6)
    else:
        n_jobs = 1 + int(rng.poisson(1.5))
        raw = arrivals.jobs(rng, n, t0, t1, n_jobs, JOB_RATE.get(p.name, 0.5))
    out = []
    for times in raw:
        ctx: dict[str, Any] = {"steps": len(times)}
        if acct.end_users:
            ctx["user"] = user_id(acct, min(int(rng.zipf(1.6)) - 1, acct.end_users - 1))
            if prof.variant % 2 == 0 and p.pattern == "sessions":
                ctx["session"] = "sess_" + rng.bytes(8).hex()
        if p.name == "eval_harness":
            on_new = prof.adopt is not None and times[0] >= prof.adopt and rng.random() < 0.7
            ctx["model"] = models.NEW_MODEL if on_new else prof.models[0]
            ctx["suite"] = prof.variant % 4 if rng.random() < 0.7 else int(rng.integers(0, 4))
        out.append((times, ctx))
    return out


def traffic(rng: Gen, prof: Profile, p: Persona, n: int, t0: float, t1: float, sink: Sink) -> None:
    build = BUILDERS[p.name]
    for times, ctx in groups(rng, prof, p, n, t0, t1):
        for turn, ts in enumerate(times):
            sink.emit(prof.acct, float(ts), build(rng, prof, turn, float(ts), ctx))


def pre_launch_pokes(rng: Gen, acct: Account, prof: Profile, sink: Sink) -> None:
    """Eager developers who try the new model name before it is live (and get 404)."""
    for _ in range(int(rng.integers(1, 4))):
        ts = prof.release - float(rng.uniform(60, 1800))
        req = BUILDERS[prof.persona](rng, prof, 0, ts, {})
        req.model, req.status = models.NEW_MODEL, 404
        sink.emit(acct, ts, req)


def run(
    seed: int, scale: float, t0: float, t1: float, release: float, ids: Ids, sink: Sink
) -> list[Account]:
    rng = stream(seed, "population")
    members = build_population(ids, rng, scale, t0, t1)
    factor = min(1.0, scale / 0.25) * (t1 - t0) / (6 * 3600.0)
    for m in members:
        r = stream(seed, "benign", m.acct.account_id)
        prof = profile(r, m, release, t0, t1)
        traffic(r, prof, m.persona, volume(r, m.persona, factor), t0, t1, sink)
        eager = prof.adopt is not None and m.persona.name in ("hobbyist", "coding_assistant")
        if eager and r.random() < 0.15 and t0 < prof.release - 1800:
            pre_launch_pokes(r, m.acct, prof, sink)
    return [m.acct for m in members]
