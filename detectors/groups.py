"""What a linked group is: the accounts behind one shared value, and their summed traffic.

A shared value is a payment method, a system prompt, a /24 network, an ASN
with a user agent, or a prompt skeleton, kept as ``kind:hash``. Every member
reports its own day profile under each of its values; a group is the sum of
its members' reports. The stores (``service.state.links``) keep the sums; the
farm and coordination detectors read them.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from detectors.base import log_ramp, ramp

# A member's report, and a group's sums, in this order. ``accounts`` is 1 per member, so
# the sums count members; ``pace`` and ``pace_sq`` (log1p of requests an hour since the member's
# first event of the day) give the spread of members' paces: a farm run round-robin is
# even, the customers behind one NAT are not; ``young`` counts members opened in the
# last month, ``aged`` those known to be older; ``flagged`` those whose verdict flags them;
# ``weak`` those whose skeleton link is weak (the sight of one prompt, see SKELETON_ONCE).
PROFILE_FIELDS: tuple[str, ...] = (
    "accounts", "requests", "pace", "pace_sq", "harvest", "trace", "grade", "probe", "long",
    "completion_k", "single_turn", "young", "aged", "flagged", "weak",
)  # fmt: skip
Profile = tuple[float, ...]  # in PROFILE_FIELDS order
FIELD = {name: i for i, name in enumerate(PROFILE_FIELDS)}
EMPTY_PROFILE: Profile = (0.0,) * len(PROFILE_FIELDS)
KINDS: tuple[str, ...] = ("payment", "system", "network", "asn_agent", "skeleton")


class Group(NamedTuple):
    """The accounts behind one shared value, summed, as of a complete epoch."""

    value: str  # "kind:hash"
    members: int
    common: bool  # shared by more accounts than the store tracks: no evidence
    sums: Profile

    @property
    def kind(self) -> str:
        return self.value.split(":", 1)[0]

    def get(self, field: str) -> float:
        return self.sums[FIELD[field]]

    def without(self, own: Profile | None) -> Group:
        """The group without one member's report (an account must not vouch for itself)."""
        if own is None:
            return self
        sums = tuple(g - o for g, o in zip(self.sums, own, strict=True))
        return Group(self.value, self.members - 1, self.common, sums)


# Own ages at which a member stops looking like one of a young crowd.
YOUNG_DAYS = (14.0, 30.0)
# The feature that says the account's skeleton link rests on the sight of one prompt (a thin
# new account in a young crowd's skeleton, or reporting its prompt's for such a crowd to
# form): weak membership, which only the farm family counts, and only beside a shared card.
SKELETON_ONCE = "skeleton_once"


def firm_members(x: dict[str, float], kind: str) -> float:
    """The other members of the account's group of ``kind``, less those whose skeleton link is
    weak: only the farm family counts a skeleton's weak members (a crowd of thin new
    accounts); to the others they would make an honest template look shared."""
    members = x.get(f"{kind}_members", 0.0)
    return members - x.get(f"{kind}_weak", 0.0) if kind == "skeleton" else members


def _evenness(group: Group) -> float:
    """1 when every member sends at the same pace (a farm run round-robin), falling to 0 as
    members' paces spread (the customers behind one NAT) to a factor of e either way. Paces
    are compared on a log scale, so that one heavy account joining a farm's group (or a
    stock system prompt's) cannot hide the evenness of the rest."""
    n = group.members
    if n < 2 or group.get("pace") <= 0:
        return 0.0
    mean = group.get("pace") / n
    spread = math.sqrt(max(group.get("pace_sq") / n - mean * mean, 0.0))
    return max(0.0, 1.0 - spread)


def group_intensity(x: dict[str, float], kind: str) -> float:
    """How much the other members' answers are worth, per request (0..1): answers to requests
    that ask for reasoning, grades or probes, long answers or, in whatever words and at
    whatever length, answers to one-turn questions, by their length on a log scale (a farm
    that rewords its requests and shortens its answers still takes answers)."""
    requests = x.get(f"{kind}_requests", 0.0)
    if requests <= 0:
        return 0.0
    value = (
        x.get(f"{kind}_harvest", 0.0)
        + x.get(f"{kind}_grade", 0.0)
        + x.get(f"{kind}_probe", 0.0)
        + 0.5 * x.get(f"{kind}_long", 0.0)
    )
    return _intensity(value / requests, x.get(f"{kind}_single", 0.0), x.get(f"{kind}_tokens", 0.0))


def own_intensity(x: dict[str, float]) -> float:
    """:func:`group_intensity` of the account's own requests."""
    value = (
        x.get("harvest_share", 0.0)
        + x.get("grade_share", 0.0)
        + x.get("probe_share", 0.0)
        + 0.5 * x.get("long_share", 0.0)
    )
    return _intensity(value, x.get("single_turn_share", 0.0), x.get("completion_mean", 0.0))


def _intensity(value_share: float, single_share: float, tokens: float) -> float:
    asked = ramp(value_share, 0.1, 0.5)
    answered = ramp(single_share, 0.5, 0.9) * log_ramp(tokens, 100.0, 1000.0)
    return max(asked, answered)


def taking_turns(x: dict[str, float], kind: str) -> float:
    """How evenly the group's members send (0..1): farms run round-robin are even."""
    return ramp_even(x.get(f"{kind}_evenness", 0.0))


def ramp_even(evenness: float) -> float:
    return min(1.0, max(0.0, (evenness - 0.4) / 0.35))


# Established members at which a shared instrument starts to be, and is, a public one.
PUBLIC_AGED = (3.0, 30.0)
# Shares of its members established at which it starts to be, and can fully be, a public one:
# a few old accounts in a crowd of hundreds opened this month (its operator's bought ones, or
# strangers whose prompts open the same way) do not make the crowd's script public; a stock
# system prompt or a benchmark's template is a sixth to most established.
PUBLIC_SHARE = (0.03, 0.15)


def public(x: dict[str, float], kind: str) -> float:
    """How far the group of ``kind`` is a public instrument (0..1): one that dozens of
    established customers share (a stock system prompt, a popular cloud and SDK, a public
    benchmark's template) is no farm's, whoever else shares it, unless its members take
    turns as bought accounts do, or they are a sprinkling in a young crowd. Strangers rarely
    share a card: a card is never public."""
    if kind == "payment":
        return 0.0
    share = x.get(f"{kind}_aged", 0.0)
    aged = share * x.get(f"{kind}_members", 0.0)
    return log_ramp(aged, *PUBLIC_AGED) * ramp(share, *PUBLIC_SHARE) * (1.0 - taking_turns(x, kind))


def _rank(group: Group) -> tuple[float, int, str]:
    """Which of an account's groups of one kind it is read against: the one with the most
    young members, then the most members. A farm member that sends its cover chat under a
    stock system prompt is read against its farm's prompt, not the crowd of the stock one."""
    return group.get("young"), group.members, group.value


def group_features(
    groups: list[Group], own: dict[str, Profile]
) -> tuple[dict[str, float], dict[str, str]]:
    """What the account's linked groups do without the account itself, per kind of link
    (of several, the one :func:`_rank` puts first): the features ``{kind}_{field}`` and, per
    kind, the value they were read from.

    ``own`` holds the account's report under each value whose group holds one."""
    features: dict[str, float] = {}
    chosen: dict[str, str] = {}
    best: dict[str, Group] = {}
    for group in groups:
        kind = group.kind
        if group.common or kind not in KINDS:
            continue
        if kind not in best or _rank(group) > _rank(best[kind]):
            best[kind] = group
    for kind, group in best.items():
        others = group.without(own.get(group.value))
        n = others.members
        if n <= 0:
            continue
        chosen[kind] = group.value
        requests = others.get("requests")
        features.update(
            {
                f"{kind}_members": float(n),
                f"{kind}_young": others.get("young") / n,
                f"{kind}_aged": others.get("aged") / n,
                f"{kind}_flagged": others.get("flagged"),
                f"{kind}_weak": others.get("weak"),
                f"{kind}_requests": requests,
                f"{kind}_harvest": others.get("harvest"),
                f"{kind}_trace": others.get("trace"),
                f"{kind}_grade": others.get("grade"),
                f"{kind}_probe": others.get("probe"),
                f"{kind}_long": others.get("long"),
                f"{kind}_single": others.get("single_turn") / requests if requests > 0 else 0.0,
                f"{kind}_tokens": 1000.0 * others.get("completion_k") / requests
                if requests > 0
                else 0.0,
                f"{kind}_evenness": _evenness(others),
            }
        )
    return features, chosen
