"""hydra-1: a farm of thin, fresh accounts.

Accounts come from an automated sign-up pipeline (SMS-verification service, alias mailboxes)
and are funded with small top-ups from a pool of bought cards, each card reused across many
accounts until the issuer declines it; a minority get single-use virtual cards. One harvesting
script drives them all through a rotating residential proxy gateway: each account is switched on
in waves, sends one request at a time with jittered sleeps until its small balance is spent
(the API answers 429 insufficient quota), and is dropped. The prompt is one skeleton with
spun wording around tasks from the seed corpus. When the new model launches the operator edits
the config, so accounts switched on after that use it.
"""

from __future__ import annotations

from random import Random
from typing import Any

from . import net
from .calls import NEW_MODEL, answer, prompt_tokens
from .core import Account, Log, World, hexid, latency_of
from .population import new_account
from .problems import problem

SYSTEMS = [
    "You are an expert tutor. Provide thorough, step-by-step solutions.",
    "You are an expert tutor. Provide thorough step by step solutions.",
    "You are a helpful expert. Provide thorough, step-by-step solutions.",
]
OPENERS = ["Task #{n}", "Task {n}", "### Task {n}", "Question #{n}"]
RULES = [
    [
        "1. Reason through the problem step by step.",
        "1. Think through the problem step by step.",
        "1. Work through it step by step.",
    ],
    ["2. Check your work.", "2. Verify each step.", "2. Double-check your calculations."],
    ["3. End with 'Final answer: <answer>'.", "3. Finish with 'Final answer: <answer>'."],
]
PROXY_REGIONS = ["us", "us", "us", "br", "in", "vn", "id", "eu", "eu", "mx", "tr", "eg"]


def hydra(world: World, rng: Random, used: set[str], log: Log) -> list[Account]:
    count = world.count(300, minimum=8)
    cards = [
        card
        for card in (hexid(rng, "pm_", 64) for _ in range(max(2, count // 14)))
        for _ in range(rng.randint(6, 24))
    ]  # each card carries accounts until declined
    rng.shuffle(cards)
    agents = [f"OpenAI/Python {v}" for v in rng.sample(net.SDK_PY, 4)]
    span = world.end - world.start
    accounts = []
    wave_at, left_in_wave = world.start + rng.uniform(0.0, 600.0), 0
    for index in range(count):
        if left_in_wave == 0:  # the scheduler switches accounts on in waves
            wave_at += rng.uniform(0.5, 1.5) * span / max(1.0, count / 18.0)
            wave_at = min(wave_at, world.end - 900.0)
            left_in_wave = rng.randint(10, 26)
        left_in_wave -= 1
        on = min(world.end - 60.0, wave_at + rng.uniform(0.0, 300.0))
        acct = new_account(rng, used, "attack")
        acct.campaign, acct.campaign_type = "hydra-1", "hydra"
        roll = rng.random()
        if roll < 0.3:
            acct.created = on - rng.uniform(300.0, 2400.0)  # signed up just before use
        elif roll < 0.85:
            acct.created = world.start - rng.uniform(0.5, 3.0) * 86400.0
        else:
            acct.created = world.start - rng.uniform(4.0, 14.0) * 86400.0
        if rng.random() < 0.15:
            acct.payment = hexid(rng, "pm_", 64)
        else:
            acct.payment = cards.pop() if cards else hexid(rng, "pm_", 64)
        acct.keys = [hexid(rng, "key_", 32)]
        acct.tz = 7.0
        acct.agents = [rng.choice(agents)]
        region = rng.choice(PROXY_REGIONS)
        acct.egress = [net.residential(rng, region)]
        if region in ("in", "vn", "id", "br") and rng.random() < 0.3:
            acct.route = "legacy"  # this batch of keys was set up against a regional edge
        _drain(acct, world.rng(acct.account_id), world, log, on, index)
        accounts.append(acct)
    return accounts


def _drain(acct: Account, rng: Random, world: World, log: Log, on: float, index: int) -> None:
    """One account's life: one worker, sleeps between calls, until the balance runs out."""
    model = (
        NEW_MODEL
        if on > world.release + 1800.0 and rng.random() < 0.6
        else ("kestrel-2" if rng.random() < 0.75 else "kestrel-2-mini")
    )
    sticky = rng.random() < 0.4
    params: dict[str, Any] = {"max_tokens": 3000, "temperature": 0.7}
    budget = int(rng.uniform(20, 90) * max(0.3, world.volume))
    system = rng.choice(SYSTEMS)
    ip = acct.egress[0]
    sticky_until = on + 600.0
    queue = 1000 + index * rng.randint(40, 90)  # ids from the farm's shared job queue
    check = rng.choice(["hi", "test", "Say OK", "ping"])  # the script validates each new key
    log.emit(
        acct,
        rng,
        on,
        model="kestrel-2-mini",
        prompt_tokens=prompt_tokens(None, check),
        completion_tokens=rng.randint(1, 3),
        params={"max_tokens": 5},
        prompt=check,
        messages=1,
        egress=ip,
    )
    t = on + rng.uniform(2.0, 20.0)
    for number in range(budget + rng.randint(1, 2)):
        if t >= world.end:
            return
        if sticky and t > sticky_until:
            ip, sticky_until = net.residential(rng, rng.choice(PROXY_REGIONS)), t + 600.0
        elif not sticky:
            ip = net.residential(rng, rng.choice(PROXY_REGIONS))
        task = problem(rng, rng.choice(["math", "math", "science", "code", "logic"]))[0]
        lines = [rng.choice(OPENERS).format(n=queue + number), task, "", "Requirements:"]
        lines += [rng.choice(group) for group in RULES]
        prompt = "\n".join(lines)
        status = 429 if number >= budget else 200
        completion, reasoning, finish = answer(rng, model, 950.0, 0.45, 3000, 1200.0)
        latency = latency_of(rng, model, status, completion)
        log.emit(
            acct,
            rng,
            t,
            model=model,
            status=status,
            prompt_tokens=prompt_tokens(system, prompt),
            completion_tokens=completion,
            params=params,
            prompt=prompt,
            system=system,
            messages=2,
            reasoning=reasoning,
            finish=finish,
            egress=ip,
            latency=latency,
        )
        t += latency / 1000.0 + rng.uniform(15.0, 75.0)
