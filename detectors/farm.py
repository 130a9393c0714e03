"""The farm family: instruments shared by unusually many young accounts, and what they take.

Three hundred thin accounts on a handful of cards, behind one proxy pool, add up
to one harvester. For each kind of instrument the account shares (a payment
method, a system prompt, a /24 network, an ASN with a user agent), the group
without the account is judged on its size, how young its members are, how
evenly they send (a farm run round-robin is even; the customers behind one NAT
are not) and what its members take away per request and in all. A member
inherits the group's evidence by *membership*, not by how much its own traffic
looks like harvesting: the thinnest member of a farm is still part of it. Two
or more kinds of instrument pointing at farms corroborate each other.

Honest sharing is spared by kind, age and spread: established customers share
networks, SDKs and stock system prompts all the time, so a group counts only
when its members are young or send at an even pace (the customers behind one
NAT, or of one SDK, send very different volumes), except a shared card, which
strangers rarely share; an account months old inherits through a shared
payment method, or from a group whose members take turns. Strangers do not
come by the dozen all opened this month, though: a crowd of young members behind
an instrument (a cloud and SDK, a /24, one prompt skeleton) counts like a card,
for a young member taking what the crowd takes that shares a second young group
with it (:meth:`FarmEvidence.crowd_lifts`). Neither counts behind an instrument
that dozens of established customers share as well (:func:`public`): a stock
system prompt is no farm's, whoever else sends it.

A card that paid for an account already flagged pays for a harvester: its other young accounts
taking what its accounts take inherit that verdict (:meth:`FarmEvidence.flagged_card`), and
every account, young or bought aged, of a card that paid mostly for flagged ones, so a farm's
thinnest accounts go with its heaviest, whatever their own few requests show.

>>> family = FarmEvidence()
>>> x = {"account_age_days": 2.0, "payment_members": 11.0, "payment_young": 1.0,
...      "payment_requests": 440.0, "payment_harvest": 300.0, "payment_long": 400.0,
...      "payment_evenness": 0.9}
>>> round(family.score_one(x), 2), family.explain_one(x)[0].reason
(9.36, 'farm_payment')
>>> round(family.score_one({**x, "payment_harvest": 0.0, "payment_long": 0.0}), 2)
4.68
"""

from __future__ import annotations

import math

from detectors.base import Evidence, Signal, log_ramp, ramp, strongest_first
from detectors.groups import (
    SKELETON_ONCE,
    YOUNG_DAYS,
    group_intensity,
    own_intensity,
    public,
    taking_turns,
)

# How much a shared instrument says, by kind: strangers rarely share a card. A prompt
# skeleton says nothing here by itself (the structure family weighs it); only a crowd of
# young accounts filling it (below) makes it a farm's.
KIND_WEIGHTS = {"payment": 1.0, "system": 0.6, "network": 0.6, "asn_agent": 0.4, "skeleton": 0.0}
# Group sizes at which a shared instrument is fully unusual: a card shared by eight
# accounts already is, a /24 by twenty.
FULL_SIZE = {"payment": 8.0, "system": 20.0, "network": 20.0, "asn_agent": 30.0,
             "skeleton": 20.0}  # fmt: skip
# Young members at which a crowd of them behind one instrument says what a shared card does,
# whatever the kind of instrument (unless it is a public one): strangers share networks and
# SDKs, not by the dozen all opened this month. A crowd counts only beside a second young
# group of another kind (fully at these many young members; one other on a card): a farm's
# accounts share its cards, exits, agent and script at once, while an honest young customer
# shares a stock prompt or a cloud with it.
CROWD = (12.0, 60.0)
COHORT = {"payment": 1.0, "system": 8.0, "network": 8.0, "asn_agent": 8.0, "skeleton": 8.0}
ESTABLISHED_DAYS = (30.0, 90.0)
# The part of a group's evidence its shape carries whatever its members take: a farm that
# rewords its requests and shortens its answers is still a farm; what it takes scales the rest.
TAKE_FLOOR = 0.5
# Requests of its own (in its day) from which an account taking less than its group may be, and
# surely is, unlike it: one request is too small a sample to tell, five tell (one that took
# nothing at all is unlike whatever its count).
SURE_UNLIKE = (1.0, 5.0)
# Requests by the other members at which what the group takes starts to count, and counts in
# full (the shape alone carries 0.4): a farm spread thin takes a few dozen answers a card.
GROUP_VOLUME = (10.0, 1000.0)
# Flagged accounts on a card at which its other young accounts inherit their verdict in full:
# one, as a trust-and-safety team closes every new account a harvester's card paid for. An
# honest young account flagged wrongly takes its young card-mates with it; established
# accounts inherit this way only from a card mostly flagged.
FLAGGED_FULL = 1.0
# Shares of a card's other accounts flagged at which an account inherits their verdict
# whatever it took itself and however old it is, partly and fully: a card that paid mostly
# for harvesters paid for a farm, whose thinnest accounts may have sent nothing but its cover
# traffic, and whose accounts may have been bought aged.
MOSTLY_FLAGGED = (0.5, 0.8)


def cohort(x: dict[str, float], kind: str) -> float:
    """How far the other members of the group of ``kind`` look like a bought cohort (0..1):
    young, or taking turns (farms bought aged accounts too, and honest neighbours' volumes
    spread wide). Ages unknown (gateways that fill no creation time): only the pace tells."""
    return max(ramp(x.get(f"{kind}_young", 0.0), 0.25, 0.6), taking_turns(x, kind))


def alike(x: dict[str, float], kind: str, own: float) -> float:
    """How far the account (``own``: its intensity) takes what its group of ``kind`` takes,
    however little that is: a farm capping its answers caps every member's. A thin account's
    few requests cannot show it unlike its group (``SURE_UNLIKE``): one cover chat beside one
    harvest halves its share, and a farm's thinnest members are the ones that send both."""
    if own <= 0:
        return 0.0
    like = min(1.0, own / max(group_intensity(x, kind), TAKE_FLOOR))
    return 1.0 - (1.0 - like) * ramp(x.get("requests", 0.0), *SURE_UNLIKE)


def mostly_flagged(x: dict[str, float]) -> float:
    """How far the other accounts of the account's card are mostly flagged (0..1)."""
    members = max(x.get("payment_members", 0.0), 1.0)
    return ramp(x.get("payment_flagged", 0.0) / members, *MOSTLY_FLAGGED)


class FarmEvidence(Evidence):
    family = "farm"

    def __init__(self, weight: float = 10.5) -> None:
        self.weight = weight

    def group_strength(self, x: dict[str, float], kind: str, lift: float = 0.0) -> float:
        """How much the group of one kind says (0..1), before the member's own age;
        ``lift`` (0..1) raises the kind's weight towards a card's (:meth:`crowd_lifts`)."""
        members = x.get(f"{kind}_members", 0.0)
        if members < 2:
            return 0.0
        aged, even = x.get(f"{kind}_aged", 0.0), taking_turns(x, kind)
        bought = cohort(x, kind)
        if kind == "payment":  # strangers rarely share a card, young or not
            bought = 0.5 + 0.5 * bought
        size = ramp(math.log(members), math.log(2.0), math.log(FULL_SIZE[kind]))
        weight = KIND_WEIGHTS[kind] + (1.0 - KIND_WEIGHTS[kind]) * lift
        intensity = group_intensity(x, kind)
        volume = log_ramp(x.get(f"{kind}_requests", 0.0), *GROUP_VOLUME)
        return (
            weight
            * size
            * bought
            * (1.0 - max(0.8 * ramp(aged, 0.3, 0.8) * (1.0 - even), public(x, kind)))
            * (TAKE_FLOOR + (1.0 - TAKE_FLOOR) * intensity)
            * (0.4 + 0.6 * volume)
        )

    @staticmethod
    def crowd_lifts(x: dict[str, float]) -> dict[str, float]:
        """Per kind, how far a crowd of young members lifts it (0..1). Only as far as the member
        looks like one of them (young, taking what they take: an honest young customer of the
        cloud a farm rents is in the farm's group), and only beside a young group of another
        kind (the skeleton's included)."""
        age = x.get("account_age_days", -1.0)
        youth = 1.0 - ramp(age, *YOUNG_DAYS) if age >= 0 else 0.0
        own = own_intensity(x)
        if youth <= 0 or own <= 0:
            return {}
        # A member of the skeleton's group fills the crowd's own prompts: it is like them if
        # its answers are worth what theirs are.
        like_script = alike(x, "skeleton", own)
        likeness = {kind: youth * (like_script if kind == "skeleton" else own)
                    for kind in KIND_WEIGHTS}  # fmt: skip
        # A skeleton joined at the sight of one prompt is weak membership (an honest prompt
        # may open like a farm's): it corroborates no other kind, and counts itself only
        # beside a card shared with young accounts.
        once = bool(x.get(SKELETON_ONCE))
        crowds, cohorts = {}, {}
        for kind in KIND_WEIGHTS:
            young_share = x.get(f"{kind}_young", 0.0)
            share = ramp(young_share, 0.6, 0.9)
            young = young_share * x.get(f"{kind}_members", 0.0)
            private = share * (1.0 - public(x, kind))
            crowds[kind] = private * log_ramp(young, *CROWD)
            cohorts[kind] = private * log_ramp(young, 0.0, COHORT[kind])
        if once:
            cohorts["skeleton"] = 0.0

        def beside(kind: str) -> float:
            if once and kind == "skeleton":
                return cohorts["payment"]
            return max(c for k, c in cohorts.items() if k != kind)

        return {kind: crowds[kind] * likeness[kind] * beside(kind) for kind in KIND_WEIGHTS}

    @staticmethod
    def flagged_card(x: dict[str, float]) -> float:
        """How far the account's card paid for accounts already flagged (0..1: fully at
        ``FLAGGED_FULL``), when its other accounts are young or take turns, and as far as the
        account takes what they take, or they are mostly flagged (``MOSTLY_FLAGGED``): a
        farm's thinnest accounts share a card with its heaviest, whatever their own traffic
        shows."""
        flagged = x.get("payment_flagged", 0.0)
        if flagged <= 0:
            return 0.0
        paid_for = ramp(flagged, 0.0, FLAGGED_FULL)
        like = max(alike(x, "payment", own_intensity(x)), mostly_flagged(x))
        return paid_for * cohort(x, "payment") * like

    def explain_one(self, x: dict[str, float]) -> list[Signal]:
        age = x.get("account_age_days", -1.0)
        established = ramp(age, *ESTABLISHED_DAYS) if age >= 0 else 0.0
        lifts = self.crowd_lifts(x)
        strengths = []
        paid = self.flagged_card(x) * (1.0 - established * (1.0 - mostly_flagged(x)))
        if paid > 0:
            strengths.append((paid, "flagged_card"))
        for kind in KIND_WEIGHTS:
            strength = self.group_strength(x, kind, lifts.get(kind, 0.0))
            if kind != "payment":
                strength *= 1.0 - established * (1.0 - taking_turns(x, kind))
            if strength > 0:
                strengths.append((strength, kind))
        if not strengths:
            return []
        strengths.sort(reverse=True)
        best, kind = strengths[0]
        value = x.get("payment_flagged" if kind == "flagged_card" else f"{kind}_members", 0.0)
        signals = [Signal(f"farm_{kind}", self.weight * best, value)]
        # Each kind of instrument is a separate chance that the account is a farm's: they
        # combine as a noisy OR, so four kinds pointing at young cohorts say more than one.
        unexplained = math.prod(1.0 - s for s, _ in strengths)
        others = 1.0 - unexplained - best
        if others > 0:
            signals.append(Signal("farm_corroborated", self.weight * others,
                                  float(len(strengths))))  # fmt: skip
        return strongest_first(signals)
