"""The policy's ceiling for established accounts: review at most, unless the verdict rests
on a group no honest customer forms (mostly young accounts, or a card that paid mostly for
flagged ones)."""

from __future__ import annotations

import pytest

from detectors.base import Signal
from detectors.baseline import PeerBaseline
from detectors.registry import Assessment
from service.settings import Settings
from service.verdicts import Verdicts


def _assessment(*signals: Signal) -> Assessment:
    families: dict[str, float] = {}
    for s in signals:
        families[s.family] = families.get(s.family, 0.0) + s.weight
    return Assessment(0.99, list(signals), families)


HARVEST = Signal("reasoning_harvest", 4.0, 0.8, family="content")
SYSTEM = Signal("farm_system", 3.0, 6.0, family="farm")
TURNS = Signal("taking_turns_system", 1.5, 6.0, family="coordination")
PAYMENT = Signal("farm_payment", 3.0, 6.0, family="farm")
PACING = Signal("machine_pacing", 1.5, 0.1, family="coordination")


@pytest.mark.parametrize(
    ("age_days", "signals", "young", "flagged", "ceiling"),
    [
        (400.0, (HARVEST,), 0.0, 0.0, "review"),  # its own evidence only
        (400.0, (HARVEST, PACING), 0.0, 0.0, "review"),  # pacing is one account's own
        (400.0, (HARVEST, SYSTEM, TURNS), 0.1, 0.0, "review"),  # a stock prompt among peers
        (400.0, (HARVEST, SYSTEM, TURNS), 0.8, 0.0, None),  # a prompt shared by new accounts
        (400.0, (HARVEST, PAYMENT), 0.0, 0.2, "review"),  # an enterprise's card
        (400.0, (HARVEST, PAYMENT), 0.8, 0.0, None),  # a card shared with new accounts
        (400.0, (HARVEST, PAYMENT), 0.0, 0.7, None),  # a card that paid for harvesters
        (5.0, (HARVEST,), 0.0, 0.0, None),  # not established
        (-1.0, (HARVEST,), 0.0, 0.0, None),  # age not known
    ],
)
def test_an_established_account_is_held_at_review_unless_a_farm_says_otherwise(
    age_days: float,
    signals: tuple[Signal, ...],
    young: float,
    flagged: float,
    ceiling: str | None,
) -> None:
    verdicts = Verdicts(Settings(), PeerBaseline())
    x = {"account_age_days": age_days, "system_young": young, "payment_young": young,
         "payment_members": 10.0, "payment_flagged": 10.0 * flagged}  # fmt: skip
    assert verdicts.ceiling(_assessment(*signals), x) == ceiling


def test_the_ceiling_can_be_switched_off() -> None:
    verdicts = Verdicts(Settings(established_account_days=0), PeerBaseline())
    assert verdicts.ceiling(_assessment(HARVEST), {"account_age_days": 400.0}) is None
