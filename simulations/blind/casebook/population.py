"""Who the honest customers are: personas and their numbers, enterprises, shared NATs."""

from __future__ import annotations

import math
from dataclasses import dataclass
from random import Random

from . import net
from .core import Account, World, hexid, token

TOTAL_ACCOUNTS = 3700
HEAVY_SHARE = 0.05
ATTACK_ACCOUNTS = 342


@dataclass(frozen=True)
class Persona:
    name: str
    count: int  # at full scale; hobbyist takes whatever is left
    age_days: tuple[float, float]  # account age, log-uniform
    egress: str  # home, cloud, office, mixed
    agents: tuple[tuple[str, float], ...]
    zdr: float = 0.0
    unpaid: float = 0.0  # share on promotional credit, no card on file
    keys: tuple[int, int] = (1, 2)


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "hobbyist",
        0,
        (0.05, 900),
        "home",
        (("py", 5), ("js", 2), ("raw", 3), ("browser", 1)),
        unpaid=0.35,
    ),
    Persona("power_user", 480, (3, 1100), "home", (("browser", 5), ("raw", 2), ("py", 2))),
    Persona(
        "chat_app",
        230,
        (20, 1000),
        "cloud",
        (("js", 5), ("py", 4), ("raw", 2)),
        zdr=0.15,
        keys=(1, 4),
    ),
    Persona("tutoring_app", 60, (30, 900), "cloud", (("js", 4), ("py", 3)), keys=(1, 3)),
    Persona(
        "coding_tool",
        200,
        (15, 900),
        "mixed",
        (("js", 3), ("py", 3), ("raw", 2)),
        zdr=0.2,
        keys=(1, 6),
    ),
    Persona(
        "agent_builder", 170, (5, 700), "mixed", (("py", 5), ("apy", 3), ("js", 3)), keys=(1, 4)
    ),
    Persona(
        "rag_support",
        230,
        (20, 1000),
        "cloud",
        (("py", 4), ("js", 4), ("raw", 2)),
        zdr=0.2,
        keys=(1, 3),
    ),
    Persona(
        "doc_pipeline",
        150,
        (30, 1200),
        "cloud",
        (("py", 5), ("apy", 2), ("raw", 3)),
        zdr=0.3,
        keys=(1, 3),
    ),
    Persona("dataset_builder", 45, (10, 700), "cloud", (("apy", 4), ("py", 4))),
    Persona(
        "eval_researcher", 55, (10, 900), "mixed", (("apy", 4), ("py", 4), ("raw", 2)), keys=(1, 5)
    ),
    Persona("classifier", 45, (30, 1100), "cloud", (("py", 4), ("raw", 3), ("js", 2)), zdr=0.25),
    Persona("llm_judge", 70, (20, 800), "cloud", (("apy", 4), ("py", 4))),
    Persona("teacher_grader", 90, (7, 900), "home", (("browser", 6), ("py", 1))),
    Persona(
        "translation_service",
        75,
        (40, 1400),
        "cloud",
        (("py", 3), ("js", 3), ("raw", 3)),
        zdr=0.1,
        keys=(1, 3),
    ),
    Persona(
        "early_adopter", 175, (2, 1100), "mixed", (("py", 4), ("js", 3), ("raw", 2), ("browser", 1))
    ),
)
HACKATHON_COHORTS = 3
HACKATHON_SIZE = 35
ENTERPRISE_PERSONAS = (
    "coding_tool",
    "agent_builder",
    "rag_support",
    "doc_pipeline",
    "chat_app",
    "llm_judge",
    "eval_researcher",
    "classifier",
    "translation_service",
)
NAT_PERSONAS = (
    "hobbyist",
    "power_user",
    "eval_researcher",
    "early_adopter",
    "coding_tool",
    "teacher_grader",
    "classifier",
    "agent_builder",
)


def new_account(rng: Random, used: set[str], label: str) -> Account:
    while True:
        account_id = token(rng, "org-", 12)
        if account_id not in used:
            used.add(account_id)
            return Account(account_id=account_id, label=label)


def age(rng: Random, low: float, high: float) -> float:
    """Seconds of account age, log-uniform in days."""
    return 86400.0 * math.exp(rng.uniform(math.log(low), math.log(high)))


def region_and_route(rng: Random, acct: Account, zdr: float) -> str:
    region = net.pick_region(rng)
    acct.tz = rng.choice(net.REGION_TZ[region])
    legacy = rng.random() < (0.3 if region in ("in", "vn", "id", "br", "au", "jp") else 0.06)
    private = rng.random() < zdr
    acct.route = {
        (False, False): "edge",
        (True, False): "legacy",
        (False, True): "zdr",
        (True, True): "zdr_legacy",
    }[(legacy, private)]
    return region


def egress_for(rng: Random, kind: str, region: str) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = []
    if kind in ("home", "mixed"):
        out += [net.residential(rng, region) for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.08:  # a VPN or privacy relay that hands out a new exit often
            out += [net.vpn(rng) for _ in range(rng.randint(2, 12))]
    if kind in ("cloud", "mixed"):
        host = net.provider(rng)
        out += [net.cloud(rng, host) for _ in range(rng.randint(1, 4))]
    if kind == "office" or not out:
        out.append(net.in_block(rng, net.office_block(rng)))
    return out


def honest(world: World, rng: Random, used: set[str]) -> list[Account]:
    heavy = world.count(round(TOTAL_ACCOUNTS * HEAVY_SHARE))
    fixed = sum(world.count(p.count) for p in PERSONAS if p.count)
    fixed += world.count(HACKATHON_COHORTS * HACKATHON_SIZE)
    rest = world.count(TOTAL_ACCOUNTS) - world.count(ATTACK_ACCOUNTS) - heavy - fixed
    accounts: list[Account] = []
    for persona in PERSONAS:
        for _ in range(world.count(persona.count) if persona.count else max(1, rest)):
            accounts.append(persona_account(world, rng, used, persona))
    _enterprises(world, rng, accounts)
    _nats(world, rng, accounts)
    return accounts


def persona_account(world: World, rng: Random, used: set[str], persona: Persona) -> Account:
    acct = new_account(rng, used, "benign")
    acct.persona = persona.name
    acct.created = world.start - age(rng, *persona.age_days)
    region = region_and_route(rng, acct, persona.zdr)
    acct.payment = None if rng.random() < persona.unpaid else hexid(rng, "pm_", 64)
    acct.keys = [hexid(rng, "key_", 32) for _ in range(rng.randint(*persona.keys))]
    acct.egress = egress_for(rng, persona.egress, region)
    mix = dict(persona.agents)
    acct.agents = net.agents_for(rng, mix, rng.choice([1, 1, 1, 2]))
    return acct


def _enterprises(world: World, rng: Random, accounts: list[Account]) -> None:
    """Companies that run several sub-accounts on one invoice, provisioned together."""
    pool = [a for a in accounts if a.persona in ENTERPRISE_PERSONAS]
    rng.shuffle(pool)
    for number in range(world.count(12, minimum=2)):
        size = rng.randint(3, 14)
        members, pool = pool[:size], pool[size:]
        if len(members) < 2:
            return
        payment = hexid(rng, "pm_", 64)
        provisioned = world.start - age(rng, 40, 1200)
        block = net.office_block(rng) if rng.random() < 0.7 else None
        nat = f"nat-ent-{number + 1}" if block else None
        for member in members:
            member.enterprise = f"ent-{number + 1}"
            member.payment = payment
            later = rng.uniform(0.0, 86400.0 * rng.choice([0.05, 2, 90]))
            member.created = min(provisioned + later, world.start - rng.uniform(3600.0, 86400.0))
            if block is not None and rng.random() < 0.75:
                member.nat = nat
                member.egress = [net.in_block(rng, block, 4) for _ in range(rng.randint(1, 3))]


def _nats(world: World, rng: Random, accounts: list[Account]) -> None:
    """Co-working spaces, universities and shared offices: unrelated customers, one /24."""
    pool = [a for a in accounts if a.persona in NAT_PERSONAS and a.enterprise is None]
    rng.shuffle(pool)
    for number in range(world.count(22, minimum=2)):
        size = rng.randint(3, 10)
        members, pool = pool[:size], pool[size:]
        if len(members) < 2:
            return
        block = net.office_block(rng)
        tz = rng.choice([-5.0, -8.0, 0.0, 1.0, 5.5, 9.0])
        for member in members:
            member.nat = f"nat-{number + 1}"
            member.tz = tz
            member.egress = [net.in_block(rng, block, 12) for _ in range(rng.randint(1, 2))]
            if rng.random() < 0.3:  # laptops also used from home
                member.egress.append(net.residential(rng))
