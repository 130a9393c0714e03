"""The honest population: stand-alone customers, enterprises with sub-accounts, NATed groups."""

from __future__ import annotations

from .arrivals import lognorm_int
from .benign_b import PERSONAS
from .common import BROWSERISH_UAS, CLOUD_ASNS, RESIDENTIAL_ASNS, SDK_UAS, card
from .world import World

# persona: (accounts at scale 1, median requests per 6 h, sigma, min, max, server-side?)
MIX: dict[str, tuple[int, float, float, int, int, bool]] = {
    "developer": (1450, 18, 1.0, 1, 500, False),
    "new_account": (380, 10, 0.9, 1, 150, False),
    "chat_app": (80, 180, 0.8, 20, 2000, True),
    "coding_agent": (220, 70, 0.8, 8, 1200, False),
    "eval_harness": (28, 450, 0.7, 60, 3000, True),
    "tutoring": (55, 120, 0.7, 15, 1000, True),
    "synthetic_data": (20, 450, 0.6, 80, 2500, True),
    "grader": (35, 180, 0.8, 20, 2000, True),
    "support_bot": (80, 130, 0.8, 15, 1500, True),
    "translation": (55, 90, 0.8, 10, 1000, True),
    "batch_classify": (35, 300, 0.8, 40, 3000, True),
    "researcher": (12, 350, 0.6, 60, 2000, False),
}
AGENT_UAS = [
    "Codepilot-CLI/0.9.3 (node 20.11)",
    "aider/0.68.0",
    "continue-vscode/0.9.228",
    "OpenAI/Python 1.57.0",
    "OpenAI/NodeJS/4.73.0",
]
TZS = [-8, -7, -5, -4, -3, 0, 1, 1, 2, 3, 5.5, 7, 8, 9]


def ua_for(w: World, persona: str) -> list[str]:
    r = w.rng
    if persona == "coding_agent":
        return [r.choice(AGENT_UAS)]
    if persona in ("developer", "new_account", "researcher"):
        pool = SDK_UAS + BROWSERISH_UAS
        return r.sample(pool, r.choice([1, 1, 1, 2, 3]))
    return [r.choice(SDK_UAS)]


def _volume(w: World, persona: str) -> int:
    _, med, sig, lo, hi, _ = MIX[persona]
    return w.vol(lognorm_int(w.rng, med, sig, lo, hi))


def _ips(w: World, persona: str) -> list[tuple[str, int]]:
    if MIX[persona][5]:
        return w.cloud_ips(w.rng.randint(1, 4))
    ips = w.home_ip()
    if w.rng.random() < 0.3:
        ips += w.home_ip() if w.rng.random() < 0.5 else w.cloud_ips(1)
    return ips


def _run(
    w: World,
    persona: str,
    a_kwargs: dict,
    ips: list[tuple[str, int]] | None = None,
    age: float | None = None,
    card_fp: str | bool | None = True,
) -> None:
    r = w.rng
    if age is None:
        age = w.age(0, 6) if persona == "new_account" else w.age(8, 1500)
    if card_fp is True and persona in ("developer", "new_account") and r.random() < 0.08:
        card_fp = False  # free-trial credits, no card yet
    a = w.account(
        "benign",
        age,
        ips or _ips(w, persona),
        ua_for(w, persona),
        card_fp=card_fp,
        persona=persona,
        nkeys=r.choice([1, 1, 1, 2, 3]),
        **a_kwargs,
    )
    PERSONAS[persona](w, a, _volume(w, persona), r.choice(TZS))


def add_standalone(w: World) -> None:
    for persona, (count, *_) in MIX.items():
        for _ in range(w.n(count)):
            _run(w, persona, {})


ENT_MIX = [
    "coding_agent",
    "coding_agent",
    "support_bot",
    "batch_classify",
    "chat_app",
    "eval_harness",
    "developer",
    "developer",
    "translation",
    "grader",
    "synthetic_data",
]


def add_enterprises(w: World) -> None:
    """Companies with many sub-accounts (teams, projects) on one corporate card, and small
    agencies / labs running two or three accounts on one card."""
    r = w.rng
    n_big = w.n(12)
    for e in range(n_big + w.n(20)):
        fp = card(r)
        asn = r.choice(CLOUD_ASNS)
        office_asn = r.choice(RESIDENTIAL_ASNS)
        office = w.net.subnet(office_asn)
        provisioned = w.age(1, 700)
        zdr = r.random() < 0.3
        for _ in range(r.randint(4, 40) if e < n_big else r.randint(2, 3)):
            persona = r.choice(ENT_MIX)
            if MIX[persona][5]:
                ips = w.cloud_ips(r.randint(1, 3), asn)
            else:
                ips = [(w.net.ip(office_asn, office), office_asn)]
            age = provisioned + r.uniform(0, 0.05) if r.random() < 0.6 else w.age(0.5, 900)
            before = len(w.accounts)
            _run(w, persona, {"enterprise": f"ent-{e + 1}"}, ips=ips, age=age, card_fp=fp)
            w.accounts[before].log_text = not zdr


NAT_PERSONAS = [
    "developer",
    "developer",
    "new_account",
    "tutoring",
    "coding_agent",
    "chat_app",
    "researcher",
    "grader",
]


def add_nats(w: World) -> None:
    """Universities, coworking spaces and offices: unrelated customers behind one /24."""
    r = w.rng
    for k in range(w.n(14)):
        asn = r.choice([*RESIDENTIAL_ASNS, 1103, 2200, 766, 680])
        subnet = w.net.subnet(asn)
        hackathon = k == 0
        for _ in range(r.randint(25, 45) if hackathon else r.randint(4, 25)):
            persona = "new_account" if hackathon else r.choice(NAT_PERSONAS)
            ips = [(f"{subnet}.{r.randint(1, 254)}", asn) for _ in range(r.randint(1, 3))]
            age = w.age(0.1, 0.4) if hackathon else None  # all created at the event's kick-off
            _run(w, persona, {"nat": f"nat-{k + 1}"}, ips=ips, age=age)
