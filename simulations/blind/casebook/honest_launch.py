"""Honest traffic that moves to the new model on launch day, much of it multilingual:
localisation services and developers trying the release."""

from __future__ import annotations

import math
from random import Random
from typing import Any

from . import lingua, texts_work
from .arrivals import poisson
from .calls import answer, background_status, model_plan, prompt_tokens
from .core import Account, Log, World, lognormal
from .problems import problem


def translation_service(acct: Account, rng: Random, world: World, log: Log) -> None:
    """Localisation: many target languages, output about as long as input, quick to adopt."""
    targets = rng.sample(lingua.LANGUAGES, rng.randint(2, 7))
    plan = model_plan(
        rng,
        world,
        rng.choice(["kestrel-2", "kestrel-2-2026-08-06"]),
        0.55,
        80.0,
        (0.3, 1.0),
        peek=0.2,
    )
    params: dict[str, Any] = {"temperature": rng.choice([0.0, 0.2, 0.3])}
    rate = lognormal(rng, 10.0, 1.0, 1.0, 600.0) / 3600.0 * world.volume
    for ts in poisson(rng, world.start, world.end, rate, "office", acct.tz):
        prompt = texts_work.translate_prompt(rng, lingua.ENGLISH_NAME[rng.choice(targets)])
        source = prompt_tokens(texts_work.TRANSLATE_SYSTEM, prompt)
        model = plan.pick(rng, ts)
        completion = int(source * rng.uniform(0.7, 1.6)) + (
            rng.randint(30, 300) if model == "kestrel-3" else 0
        )
        log.emit(
            acct,
            rng,
            ts,
            model=model,
            status=background_status(rng, model, ts, world),
            prompt_tokens=source,
            completion_tokens=completion,
            params=params,
            prompt=prompt,
            system=texts_work.TRANSLATE_SYSTEM,
            messages=2,
            reasoning=completion // 5 if model == "kestrel-3" else None,
        )
    for peek in plan.peeks:
        log.emit(
            acct,
            rng,
            peek,
            model="kestrel-3",
            status=404,
            prompt_tokens=0,
            completion_tokens=0,
            params=params,
            prompt="Translate to French:\n\nHello",
        )


def early_adopter(acct: Account, rng: Random, world: World, log: Log) -> None:
    """A developer who reads the launch post and puts the new model through its paces."""
    lang = rng.choice(lingua.LANGUAGES) if rng.random() < 0.4 else "en"
    params: dict[str, Any] = {}
    if rng.random() < 0.5:
        params["max_tokens"] = rng.choice([2048, 4096, 16000])
    if rng.random() < 0.4:
        params["stream"] = True
    before = poisson(
        rng, world.start, world.release, rng.uniform(0.5, 4.0) / 3600.0, "office", acct.tz
    )
    adopt = world.release + rng.lognormvariate(math.log(1800.0), 0.9)
    tries = int(lognormal(rng, 22.0, 0.8, 3, 250) * world.volume) + 1
    after = sorted(adopt + rng.expovariate(1.0 / 2400.0) for _ in range(tries))
    peeks = [world.release - rng.uniform(30.0, 1800.0) for _ in range(rng.choice([0, 0, 1, 3]))]
    peeks = [t for t in peeks if t >= world.start]
    for ts in sorted(before + after + peeks):
        if ts >= world.end:
            break
        if ts < world.release:
            model = "kestrel-3" if ts in peeks else rng.choice(["kestrel-2", "kestrel-think-1"])
        else:
            model = "kestrel-3" if rng.random() < 0.85 else "kestrel-2"
        roll = rng.random()
        if lang != "en" and roll < 0.5:
            prompt = lingua.explain(rng, lang) if roll < 0.3 else lingua.solve(rng, lang)
        else:
            prompt = problem(rng, rng.choice(["code", "math", "logic", "open"]))[0]
        completion, reasoning, finish = answer(
            rng, model, 600.0, 0.7, params.get("max_tokens"), 1500.0
        )
        status = 404 if ts in peeks else background_status(rng, model, ts, world)
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
