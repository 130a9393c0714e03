"""model-pivot-1: a release pivot run by a team with a stable of established accounts.

Ten accounts, aged four to twenty months, on four corporate cards of different entities, each
with ordinary-looking multilingual traffic on the previous flagship. A watcher polls the new
model name before launch; once it answers, each account's dispatcher is repointed within the
hour, volume ramps several-fold, and a capability sweep runs in each account's languages:
long explanations and worked solutions with the reasoning written out.
"""

from __future__ import annotations

import math
from random import Random
from typing import Any

from . import lingua, net
from .arrivals import poisson
from .calls import NEW_MODEL, answer, background_status, prompt_tokens
from .core import Account, Log, World, hexid
from .population import age, new_account
from .problems import problem

LANG_PLAN = [
    ("zh",),
    ("ru",),
    ("es",),
    ("ar",),
    ("ko",),
    ("ja",),
    ("pt",),
    ("vi",),
    ("fr", "de"),
    ("zh", "ja"),
]
ANSWER_IN = {
    "zh": "请用中文回答，并写出完整的推理过程。",  # noqa: RUF001
    "ru": "Ответь по-русски и распиши все рассуждения.",
    "es": "Responde en español y muestra todo el razonamiento.",
    "ar": "أجب بالعربية مع عرض خطوات التفكير كاملة.",
    "ko": "한국어로 답하고 모든 추론 과정을 보여 주세요.",
    "ja": "日本語で答え、推論の過程をすべて示してください。",
    "pt": "Responda em português e mostre todo o raciocínio.",
    "vi": "Trả lời bằng tiếng Việt và trình bày toàn bộ lập luận.",
    "fr": "Réponds en français en détaillant tout le raisonnement.",
    "de": "Antworte auf Deutsch und lege den gesamten Gedankengang dar.",
}


def model_pivot(world: World, rng: Random, used: set[str], log: Log) -> list[Account]:
    cards = [hexid(rng, "pm_", 64) for _ in range(4)]
    dispatchers = [f"OpenAI/Python {rng.choice(net.SDK_PY)}", f"OpenAI/JS {rng.choice(net.SDK_JS)}"]
    accounts = []
    for index in range(world.count(10)):
        acct = new_account(rng, used, "attack")
        acct.campaign, acct.campaign_type = "model-pivot-1", "model_pivot"
        acct.created = world.start - age(rng, 120, 600)
        acct.payment = cards[[0, 0, 0, 1, 1, 2, 2, 2, 3, 3][index % 10]]
        acct.keys = [hexid(rng, "key_", 32) for _ in range(rng.randint(1, 3))]
        acct.tz = 8.0
        acct.route = "legacy" if index % 10 in (1, 4, 7) else "edge"
        acct.egress = [
            net.cloud(rng, ("alibaba", "tencent", "aws")) for _ in range(rng.randint(1, 3))
        ]
        acct.agents = [dispatchers[index % 2]]
        _pivot(acct, world.rng(acct.account_id), world, log, LANG_PLAN[index % 10])
        accounts.append(acct)
    return accounts


def _pivot(acct: Account, rng: Random, world: World, log: Log, langs: tuple[str, ...]) -> None:
    cover = poisson(rng, world.start, world.end, rng.uniform(6.0, 20.0) / 3600.0 * world.volume)
    switch = world.release + rng.uniform(600.0, 4800.0)
    peak = rng.uniform(350.0, 800.0) / 3600.0 * world.volume
    ramp = rng.uniform(900.0, 2400.0)
    sweep = [
        t
        for t in poisson(rng, switch, world.end, peak)
        if rng.random() < min(1.0, (t - switch) / ramp)
    ]
    watch = [world.release - rng.uniform(0.0, 2400.0) for _ in range(rng.randint(2, 6))]
    watch = [t for t in watch if t >= world.start]
    params: dict[str, Any] = {"max_tokens": 8192, "temperature": rng.choice([0.7, 0.8, 1.0])}
    cover_params: dict[str, Any] = {"max_tokens": 2048, "temperature": 0.7}
    for ts in sorted(watch):
        log.emit(
            acct,
            rng,
            ts,
            model=NEW_MODEL,
            status=404,
            prompt_tokens=0,
            completion_tokens=0,
            params=params,
            prompt="ping",
            messages=1,
        )
    for ts in cover:
        if ts >= switch and rng.random() < 0.9:
            continue  # once repointed, almost nothing stays on the old model
        lang = rng.choice(langs)
        prompt = lingua.pick(rng, lang, "chat") if rng.random() < 0.6 else lingua.explain(rng, lang)
        completion, reasoning, finish = answer(rng, "kestrel-2", 480.0, 0.6, 2048)
        log.emit(
            acct,
            rng,
            ts,
            model="kestrel-2",
            prompt_tokens=prompt_tokens(None, prompt),
            completion_tokens=completion,
            params=cover_params,
            prompt=prompt,
            messages=1,
            finish=finish,
            status=background_status(rng, "kestrel-2", ts, world),
        )
    for ts in sweep:
        lang = rng.choice(langs)
        roll = rng.random()
        if roll < 0.55:
            prompt = lingua.explain(rng, lang)
        elif roll < 0.8:
            prompt = lingua.solve(rng, lang)
        else:
            prompt = problem(rng)[0] + "\n\n" + ANSWER_IN[lang]
        status = background_status(rng, NEW_MODEL, ts, world)
        completion, reasoning, finish = answer(rng, NEW_MODEL, 1400.0, 0.45, 8192, 2200.0)
        log.emit(
            acct,
            rng,
            ts,
            model=NEW_MODEL,
            prompt_tokens=prompt_tokens(None, prompt),
            completion_tokens=completion,
            params=params,
            prompt=prompt,
            messages=1,
            reasoning=reasoning,
            finish=finish,
            status=status,
        )
        if status >= 500 or status == 429:  # the dispatcher retries overload errors at once
            retry = ts + rng.uniform(1.0, 6.0) * math.e
            if retry < world.end:
                completion, reasoning, finish = answer(rng, NEW_MODEL, 1400.0, 0.45, 8192, 2200.0)
                log.emit(
                    acct,
                    rng,
                    retry,
                    model=NEW_MODEL,
                    prompt_tokens=prompt_tokens(None, prompt),
                    completion_tokens=completion,
                    params=params,
                    prompt=prompt,
                    messages=1,
                    reasoning=reasoning,
                    finish=finish,
                )
