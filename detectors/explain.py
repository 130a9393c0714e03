"""Explanations: what drove a score, in terms a person can act on.

Each signal with its family, the log-odds it added and the value it read, next
to the account's peers (its volume tier's median and 99th percentile, once the
tier is known); a signal read from a linked group also names the group (the
shared value, ``kind:hash``) and its size. This is what alerts and verdict
lines carry as ``explanation``.
"""

from __future__ import annotations

from typing import Any

from detectors.baseline import PeerBaseline
from detectors.registry import Assessment

# Signals read from a group, and the kind of link each names.
_GROUP_KINDS = {
    "shared_skeleton": "skeleton",
    "farm_payment": "payment",
    "farm_flagged_card": "payment",
    "farm_system": "system",
    "farm_network": "network",
    "farm_asn_agent": "asn_agent",
    "farm_skeleton": "skeleton",
    **{f"taking_turns_{kind}": kind for kind in ("payment", "system", "network", "asn_agent",
                                                 "skeleton")},
}  # fmt: skip


def group_of(reason: str) -> str | None:
    """The kind of link a signal was read from, if it was read from a group."""
    return _GROUP_KINDS.get(reason)


def explain(
    assessment: Assessment,
    x: dict[str, float],
    baseline: PeerBaseline | None,
    linked: dict[str, str],
) -> list[dict[str, Any]]:
    """Each signal that drove the score, with the account's value next to its peers'."""
    found = []
    for signal in assessment.signals:
        item: dict[str, Any] = {
            "signal": signal.reason,
            "family": signal.family,
            "weight": round(signal.weight, 3),
            "value": round(signal.value, 4),
        }
        peer = baseline.peer(x, signal.feature) if baseline and signal.feature else None
        if peer is not None:
            item.update(peer_tier=peer.tier, peer_median=round(peer.median, 4),
                        peer_p99=round(peer.p99, 4))  # fmt: skip
        kind = group_of(signal.reason)
        if kind is not None and kind in linked:
            item.update(cluster_id=linked[kind], members=int(x.get(f"{kind}_members", 0)) + 1)
        found.append(item)
    return found


def cluster_of(assessment: Assessment, linked: dict[str, str]) -> str | None:
    """The group behind a verdict: the linked group of the strongest signal read from a
    group (a farm, a shared skeleton, accounts taking turns) that weighed at least 0.5."""
    for signal in assessment.signals:
        kind = group_of(signal.reason)
        if kind is not None and signal.weight >= 0.5 and kind in linked:
            return linked[kind]
    return None
