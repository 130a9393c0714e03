"""Heavy honest customers, replayed from real per-client traces at their real rates."""

from __future__ import annotations

from random import Random
from typing import Any

from . import net, realdata, texts_apps, texts_work
from .core import Account, Log, World, hexid, tokens_of
from .population import TOTAL_ACCOUNTS, age, new_account, region_and_route

DOC_SYSTEM = (
    "You are a research assistant. The user has uploaded long documents; they appear in "
    "earlier messages. Quote page numbers when you rely on them and answer in the user's language."
)
DOC_ASKS = [
    "What are the three main findings of the report?",
    "Summarise chapter {n} in ten bullet points.",
    "Where does the contract mention termination, and what notice is required?",
    "Compare the methodology in section {n} with the one in the appendix.",
    "List every table that reports revenue and give the totals.",
    "Translate the abstract into plain English for a non-specialist.",
]


def heavy_customers(world: World, rng: Random, used: set[str], log: Log) -> list[Account]:
    count = world.count(round(TOTAL_ACCOUNTS * 0.05))
    accounts = []
    for window in realdata.pick(rng, count):
        acct = new_account(rng, used, "benign")
        acct.heavy = True
        source = rng.choices(["code", "conv", "mooncake"], [3, 4, 3])[0]
        replay = realdata.TokenReplay(rng, window, source)
        if replay.own is not None:
            mean_out = sum(replay.own[1].draw(rng) for _ in range(50)) / 50.0
            acct.persona = "doc_pipeline" if mean_out < 60 else "chat_app"
        else:
            acct.persona = {"code": "coding_tool", "conv": "chat_app", "mooncake": "doc_assistant"}[
                source
            ]
        acct.created = world.start - age(rng, 60, 1500)
        region_and_route(rng, acct, 0.4)
        acct.payment = hexid(rng, "pm_", 64)
        acct.keys = [hexid(rng, "key_", 32) for _ in range(rng.randint(2, 8))]
        host = net.provider(rng)
        acct.egress = [net.cloud(rng, host) for _ in range(rng.randint(2, 8))]
        if rng.random() < 0.2:
            acct.egress.append(net.in_block(rng, net.office_block(rng)))
        acct.agents = net.agents_for(rng, {"py": 4, "apy": 3, "js": 3, "raw": 2}, rng.randint(1, 3))
        _replay(acct, world.rng(acct.account_id), world, log, window, replay)
        accounts.append(acct)
    return accounts


def _replay(
    acct: Account,
    rng: Random,
    world: World,
    log: Log,
    window: realdata.Window,
    replay: realdata.TokenReplay,
) -> None:
    persona = acct.persona or "chat_app"
    model = rng.choice(
        {
            "coding_tool": ["kestrel-2", "kestrel-2-mini"],
            "chat_app": ["kestrel-2-mini", "kestrel-2", "kestrel-2-mini-2026-07-18"],
            "doc_assistant": ["kestrel-2", "kestrel-2-2026-08-06"],
            "doc_pipeline": ["kestrel-2-mini", "kestrel-2-mini-2026-07-18"],
        }[persona]
    )
    params: dict[str, Any] = {}
    if persona in ("chat_app", "coding_tool"):
        params["stream"] = True
    if persona in ("doc_pipeline", "coding_tool"):
        params["temperature"] = 0.0
    brand = rng.choice(texts_apps.BRANDS)
    system = {
        "coding_tool": texts_apps.CODE_SYSTEM.format(lang=rng.choice(["Python", "TypeScript"])),
        "chat_app": texts_apps.chat_system(rng, brand),
        "doc_assistant": DOC_SYSTEM,
        "doc_pipeline": texts_work.EXTRACT_SYSTEM,
    }[persona]
    users = [f"{rng.getrandbits(40):010x}" for _ in range(rng.randint(50, 5000))]
    for ts in realdata.arrivals(rng, window, world.start, world.end):
        if rng.random() >= world.volume:
            continue
        inp, out = replay.next(rng)
        if persona == "coding_tool":
            prompt = texts_apps.code_request(rng)
        elif persona == "chat_app":
            prompt = texts_apps.chat_message(rng)
        elif persona == "doc_assistant":
            prompt = rng.choice(DOC_ASKS).format(n=rng.randint(1, 12))
        else:
            prompt = texts_work.extraction_prompt(rng)
        logged = tokens_of(prompt) + tokens_of(system) <= inp
        status = 200 if rng.random() > 0.003 else rng.choice([429, 500, 503])
        log.emit(
            acct,
            rng,
            ts,
            model=model,
            status=status,
            prompt_tokens=inp,
            completion_tokens=out,
            params=params,
            prompt=prompt if logged else None,
            system=system if logged else None,
            messages=2 + 2 * min(8, inp // 700) if persona == "chat_app" else 2,
            user=rng.choice(users) if persona in ("chat_app", "coding_tool") else None,
            key=rng.choice(acct.keys),
        )
