"""Cross-account linkage: three hundred small accounts that share a card add up to one harvester.

A group is every account behind one link value (a payment fingerprint, a /24,
a system prompt, an ASN with a user agent). Its summed traffic is assessed
like one account's, so a campaign spread thin shows its true volume. A member
inherits the group's evidence only in proportion to how much its own traffic
looks like the group's: the honest customer behind the same corporate NAT as
a harvester, whose own traffic is ordinary, inherits nothing.

How much a shared value counts depends on its kind (a payment method is
rarely shared by strangers, a /24 often is) and on its rarity: values shared
by more than the link store's ``max_members`` accounts count for nothing.
"""

from __future__ import annotations

from typing import NamedTuple

from detectors.harvest import KINDS, Signal, kind_signals, ramp
from service.state.links import PROFILE_FIELDS, Group, Profile

KIND_WEIGHTS = {"payment": 1.0, "system": 0.6, "network": 0.6, "asn_agent": 0.4}
# Established customers share networks and SDKs all the time; freshly created accounts
# sharing them is a farm. A shared system prompt or payment method counts without newness.
NEEDS_NEW_MEMBERS = frozenset({"network", "asn_agent"})
ESTABLISHED_DAYS = (30.0, 90.0)  # account age from which links other than payment fade out
MIN_OTHERS = 2  # a group is the member and at least two others
SELF_SHARE = 0.05  # below this share of a group's requests, a member is judged on the whole
# The group's own log-odds before it lends anything: a group must be suspect as a whole.
GROUP_BIAS = 2.0
# The most a group's newness and its size add to its log-odds.
_NEW_WEIGHT, _SIZE_WEIGHT = 1.5, 1.0


class Link(NamedTuple):
    signal: Signal  # "linked_group", the log-odds the member inherits
    cluster_id: str  # the link value, "kind:hash"
    members: int
    group_reasons: list[str]
    group_share: float  # the group's share of its strongest kind of harvesting traffic


_REQUESTS, _NEW = PROFILE_FIELDS.index("requests"), PROFILE_FIELDS.index("new_account")
# Where the profile holds the count of each kind of harvesting, in the order of KINDS.
_KIND_COUNTS = slice(1, 1 + len(KINDS))
assert PROFILE_FIELDS[_KIND_COUNTS] == tuple(kind.feature for kind in KINDS)


def new_share(group: Group) -> float:
    return group.sums[_NEW] / group.members if group.members else 0.0


def assess_group(group: Group) -> tuple[float, list[Signal]]:
    """The group's own log-odds above its bias, and its content signals."""
    signals = kind_signals(group.sums[_REQUESTS], group.sums[_KIND_COUNTS])
    if not signals:
        return 0.0, []
    signals.sort(key=lambda s: s.weight, reverse=True)
    size = _SIZE_WEIGHT * ramp(float(group.members), 2.0, 12.0)
    log_odds = (
        sum(s.weight for s in signals) + _NEW_WEIGHT * ramp(new_share(group), 0.3, 0.8) + size
    )
    return max(0.0, log_odds - GROUP_BIAS), signals


def ceiling(group: Group) -> float:
    """A bound on :func:`assess_group`'s log-odds for this group, and for the group without
    any one member (whose counts are no larger): each kind of traffic it has at full
    strength, newness and size at full, and a margin for rounding. A link whose bound
    cannot beat the best one found so far is not assessed at all, which leaves the result
    as it was and skips most assessments of the accounts of a farm."""
    counts = group.sums[_KIND_COUNTS]
    kinds = sum(k.weight for k, count in zip(KINDS, counts, strict=True) if count > 0)
    return kinds + _NEW_WEIGHT + _SIZE_WEIGHT - GROUP_BIAS + 1e-9


# The ceiling of a group with a single kind of traffic, the lightest.
_LOWEST_CEILING = min(k.weight for k in KINDS) + _NEW_WEIGHT + _SIZE_WEIGHT - GROUP_BIAS


def consistency(own: dict[str, float]) -> float:
    """How much the member's own traffic looks like harvesting of any kind (0..1).

    Lightly shrunk, so a new account's first harvesting request already counts: when
    a farm is known, its next account is caught at once."""
    requests = own.get("requests", 0.0) + 2.0
    return max(ramp(own.get(k.feature, 0.0) / requests, 0.3 * k.share_floor, k.share_floor)
               for k in KINDS)  # fmt: skip


def others(group: Group, own_profile: Profile) -> Group:
    """The group without the member itself: an account must not vouch for itself."""
    sums = tuple(g - o for g, o in zip(group.sums, own_profile, strict=True))
    return Group(group.value, group.members - 1, group.common, sums)


def link_signal(
    groups: list[Group],
    own: dict[str, float],
    own_profile: Profile,
    new_account_days: float,
    assessed: dict[str, tuple[float, list[Signal]]] | None = None,
) -> Link | None:
    """The strongest evidence this account inherits from the other accounts it is linked to.

    ``assessed`` caches whole groups' assessments for one scoring round: a member that
    is a small part of its group (under ``SELF_SHARE`` of its requests) is judged
    against the whole group, as it stands in that round, rather than each member against
    all the others: a farm of two thousand accounts is assessed once, not two thousand
    times, and the same way for every member."""
    best: Link | None = None
    alike = consistency(own)
    if alike <= 0:
        return None
    age = own.get("account_age_days", -1.0)
    # Farm accounts are opened for the campaign. A customer of several months sharing a
    # network, an SDK or a stock system prompt with a farm is not part of it; only a
    # shared payment method ties it in.
    established = ramp(age, ESTABLISHED_DAYS[0], ESTABLISHED_DAYS[1]) if age >= 0 else 0.0
    for shared in groups:
        if shared.common or shared.members <= MIN_OTHERS:
            continue
        kind = shared.value.split(":", 1)[0]
        weight = KIND_WEIGHTS.get(kind, 0.0)
        if kind != "payment":
            weight *= 1.0 - established
        if weight <= 0:  # (before the group without the member is worked out)
            continue
        small = own_profile[0] <= SELF_SHARE * shared.sums[0] and assessed is not None
        found = assessed.get(shared.value) if small and assessed is not None else None
        if (
            found is None
            and best is not None
            # (the ceiling is worked out only when even a one-kind group could be beaten)
            and weight * _LOWEST_CEILING * alike <= best.signal.weight
            and weight * ceiling(shared) * alike <= best.signal.weight
        ):
            continue  # it cannot lend more than the best link found so far: not assessed
        group = shared if small else others(shared, own_profile)
        if kind in NEEDS_NEW_MEMBERS:
            weight *= ramp(new_share(group), 0.25, 0.6)
        if weight <= 0:
            continue
        if found is None:
            found = assess_group(group)
            if small and assessed is not None:
                assessed[group.value] = found
        log_odds, signals = found
        if log_odds <= 0:
            continue
        inherited = weight * log_odds * alike
        if inherited > 0 and (best is None or inherited > best.signal.weight):
            best = Link(
                Signal("linked_group", inherited, float(group.members)),
                group.value,
                group.members,
                [s.reason for s in signals],
                signals[0].value,
            )
    return best
