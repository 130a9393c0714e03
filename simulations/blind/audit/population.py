"""Who the honest accounts are: standalone customers, enterprises with sub-accounts on
one card, agencies paying for their clients, people behind shared NATs, a workshop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from . import net
from .personas import AGENCY_MIX, BY_NAME, ENTERPRISE_MIX, PERSONAS, WORKSHOP, Persona
from .rand import wpick
from .text_work import COMPANIES
from .world import Account, Ids, age_created, cloud_pool, home_pool, keys_for

Gen = np.random.Generator
# fmt: off
LANG_BY_REGION = {"china": "zh", "japan": "ja", "korea": "ko", "brazil": "pt", "russia": "ru",
                  "sea": "id", "mena": "ar"}
# fmt: on
EU_LANGS = ("de", "fr", "es", "en", "en")


@dataclass
class Nat:
    """A shared egress: a few translated addresses in one /24."""

    name: str
    ips: list[tuple[str, int | None]]
    region: str


@dataclass
class Member:
    acct: Account
    persona: Persona
    company: str = ""
    early_access: bool = False


def _pick(rng: Gen, weights: Mapping[str, float]) -> str:
    return wpick(rng, weights)


def make_nat(rng: Gen, name: str, kind: str, region: str) -> Nat:
    asn = net.asns(kind, region)[int(rng.integers(len(net.asns(kind, region))))]
    block = net.block24(rng, asn)
    return Nat(
        name, [(net.ipv4(rng, asn, block), asn) for _ in range(int(rng.integers(2, 7)))], region
    )


def new_account(
    ids: Ids,
    rng: Gen,
    persona: Persona,
    *,
    region: str | None = None,
    nat: Nat | None = None,
    card: str | None = None,
    created: float | None = None,
    free: bool | None = None,
) -> Account:
    region = region or _pick(rng, persona.regions or {"us_east": 1})
    acct = Account(ids.account(), "benign", persona=persona.name, region=region)
    acct.created = created if created is not None else age_created(rng, persona.age_days)
    is_free = (rng.random() < persona.free) if free is None else free
    acct.payment = card if card else (None if is_free else ids.card())
    acct.keys = keys_for(ids, rng, 0.6 if persona.pattern in ("app", "jobs") else 0.2)
    acct.uas = net.ua_pool(rng, persona.uas, int(rng.integers(1, 3)))
    if nat is not None:
        acct.nat = nat.name
        acct.ips = list(nat.ips)
        if rng.random() < 0.3:  # also works from home
            acct.ips += home_pool(rng, region, 1)
    elif persona.net == "cloud" or (persona.net == "mixed" and rng.random() < 0.4):
        acct.ips = cloud_pool(rng, region, int(rng.integers(1, 5)))
    elif persona.net == "office" and rng.random() < 0.5:
        edu = net.asns("edu", region)
        asn = edu[int(rng.integers(len(edu)))]
        acct.ips = [(net.ipv4(rng, asn), asn)]
    else:
        acct.ips = home_pool(rng, region, int(rng.integers(1, 3)))
    lang = LANG_BY_REGION.get(region, "en")
    if region == "eu":
        lang = EU_LANGS[int(rng.integers(len(EU_LANGS)))]
    elif region == "india" and rng.random() < 0.3:
        lang = "hi"
    acct.lang = lang
    acct.end_users = int(rng.lognormal(np.log(persona.users), 1.0)) + 1 if persona.users else 0
    acct.user_style = int(rng.integers(0, 4))
    return acct


def standalone(ids: Ids, rng: Gen, scale: float, nats: list[Nat]) -> list[Member]:
    out: list[Member] = []
    share_nat = {
        "researcher": 0.7,
        "eval_harness": 0.2,
        "hobbyist": 0.06,
        "coding_assistant": 0.1,
        "tire_kicker": 0.04,
    }
    for persona in PERSONAS:
        for _ in range(round(persona.count * scale)):
            nat = None
            if nats and rng.random() < share_nat.get(persona.name, 0.0):
                nat = nats[int(rng.integers(len(nats)))]
            acct = new_account(ids, rng, persona, nat=nat, region=nat.region if nat else None)
            out.append(Member(acct, persona, COMPANIES[int(rng.integers(len(COMPANIES)))]))
            if (
                persona.name in ("hobbyist", "indie_app", "coding_assistant")
                and rng.random() < 0.03
            ):
                # one person, a second account (side project) on the same card and laptop
                twin = new_account(ids, rng, persona, region=acct.region, card=acct.payment)
                twin.ips, twin.uas = list(acct.ips), list(acct.uas)
                out.append(Member(twin, persona, out[-1].company))
    return out


def enterprises(ids: Ids, rng: Gen, scale: float, t0: float) -> list[Member]:
    """Enterprises (sub-accounts per team) and agencies (one per client), one card each."""
    out: list[Member] = []
    n_ent = max(1, round(12 * scale))
    n_agency = max(1, round(4 * scale)) if scale >= 0.1 else 0
    for e in range(n_ent + n_agency):
        agency = e >= n_ent
        name = f"ent-{e + 1}"
        company = COMPANIES[(e * 5) % len(COMPANIES)]
        card = ids.card()
        region = _pick(rng, {"us_east": 4, "us_west": 2, "eu": 3, "uk": 1, "japan": 1})
        size = int(np.clip(rng.lognormal(np.log(6 if agency else 10), 0.7), 3, 45))
        onboard = age_created(rng, 500, 0.6)
        nat = None
        if not agency and rng.random() < 0.6:
            kind = "corp" if rng.random() < 0.5 else "res"
            nat = make_nat(rng, f"nat-{name}", kind, region)
        cloud = cloud_pool(rng, region, int(rng.integers(2, 6)))
        zdr = not agency and rng.random() < 0.35
        early = not agency and e < 2 and scale >= 0.25  # early-access partners
        for _ in range(size):
            persona = BY_NAME[_pick(rng, AGENCY_MIX if agency else ENTERPRISE_MIX)]
            # sub-accounts are created in waves: onboarding day, then new teams later
            created = onboard if rng.random() < 0.5 else onboard + rng.random() * (t0 - onboard)
            created += rng.uniform(0, 3600)
            acct = new_account(
                ids,
                rng,
                persona,
                region=region,
                card=card,
                created=created,
                nat=nat if persona.net in ("office", "home") else None,
            )
            if acct.nat is None:
                acct.ips = list(cloud)
            acct.enterprise = name
            acct.zdr = zdr
            client = COMPANIES[int(rng.integers(len(COMPANIES)))] if agency else company
            out.append(Member(acct, persona, client, early))
    return out


def workshop(ids: Ids, rng: Gen, scale: float, t0: float, t1: float, nat: Nat) -> list[Member]:
    """A university class: new free accounts created at the start of the session."""
    out = []
    start = t0 + min(2 * 3600.0, 0.35 * (t1 - t0))
    for _ in range(round(WORKSHOP.count * scale)):
        created = start + rng.uniform(-900, 1200)
        acct = new_account(
            ids, rng, WORKSHOP, region=nat.region, nat=nat, created=created, free=True
        )
        acct.ips = list(nat.ips)  # everyone in the room, no home address
        out.append(Member(acct, WORKSHOP, "workshop"))
    return out


def build_population(ids: Ids, rng: Gen, scale: float, t0: float, t1: float) -> list[Member]:
    unis = [
        make_nat(rng, f"nat-uni-{i + 1}", "edu", r)
        for i, r in enumerate(("us_east", "uk", "eu", "china", "japan", "us_west"))
    ]
    cowork = [
        make_nat(rng, f"nat-cowork-{i + 1}", "res", r)
        for i, r in enumerate(("us_west", "eu", "india"))
    ]
    members = standalone(ids, rng, scale, unis + cowork)
    members += enterprises(ids, rng, scale, t0)
    members += workshop(ids, rng, scale, t0, t1, unis[0])
    return members
