"""Explanations: what drove a score, in terms a person can act on.

Each signal with the log-odds it added and the value it read, next to the
account's peers (its volume tier's median and 99th percentile, once the tier
is known); a link also names the shared value, the group's size and what the
group does. This is what alerts and verdict lines carry as ``explanation``.
"""

from __future__ import annotations

from typing import Any

from detectors.baseline import PeerBaseline
from detectors.harvest import SIGNAL_FEATURES, Assessment
from detectors.linkage import Link


def explain(
    assessment: Assessment, x: dict[str, float], baseline: PeerBaseline, link: Link | None
) -> list[dict[str, Any]]:
    """Each signal that drove the score, with the account's value next to its peers'."""
    found = []
    for signal in assessment.signals:
        item: dict[str, Any] = {
            "signal": signal.reason,
            "weight": round(signal.weight, 3),
            "value": round(signal.value, 4),
        }
        feature = SIGNAL_FEATURES.get(signal.reason)
        peer = baseline.peer(x, feature) if feature else None
        if peer is not None:
            item.update(peer_tier=peer.tier, peer_median=round(peer.median, 4),
                        peer_p99=round(peer.p99, 4))  # fmt: skip
        if signal.reason == "linked_group" and link is not None:
            item.update(cluster_id=link.cluster_id, members=link.members,
                        group_reasons=link.group_reasons,
                        group_share=round(link.group_share, 4))  # fmt: skip
        found.append(item)
    return found
