"""Acceptance checks for a generated scenario: what can be verified without a detector.

Each scenario folder holds ``spec.json`` and ``expected.json``; the latter has count
bounds for the full size (``full``) and for the test-suite size (``test`` at
``test_scale``), and the detection targets (``detection``) checked by
:func:`simulations.evaluate.check_bounds` once a detector exists.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from service.contract import InvalidEvent, iter_lines, parse_event
from simulations.labels import Label
from simulations.spec import Scenario, scenario_path


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


def expected(name_or_path: str | Path) -> dict[str, Any]:
    path = scenario_path(name_or_path).with_name("expected.json")
    data: dict[str, Any] = orjson.loads(path.read_bytes())
    return data


def _within(name: str, value: int, bounds: list[int] | None) -> Check:
    if bounds is None:
        return Check(name, True, f"{value} (no bound)")
    lo, hi = bounds
    return Check(name, lo <= value <= hi, f"{value} in [{lo}, {hi}]")


def check_generated(
    scenario: Scenario, events: Path, labels: dict[str, Label], counts: dict[str, list[int]]
) -> list[Check]:
    """Contract validity, order, uniqueness, label consistency, presence and count bounds."""
    invalid: list[str] = []
    ids: set[str] = set()
    duplicates = unsorted = 0
    last = -1.0
    per_account: Counter[str] = Counter()
    tokens: Counter[str] = Counter()
    times: dict[str, list[float]] = defaultdict(list)
    subnets: dict[str, set[str]] = defaultdict(set)
    heavy = {a for a, lab in labels.items() if lab.heavy}
    for number, line in iter_lines(events):
        try:
            e = parse_event(line)
        except InvalidEvent as error:
            invalid.append(f"line {number}: {error.reason}")
            continue
        unsorted += e.ts < last
        last = e.ts
        duplicates += e.event_id in ids
        ids.add(e.event_id)
        per_account[e.account_id] += 1
        tokens[e.account_id] += e.completion_tokens
        if e.account_id in heavy:
            times[e.account_id].append(e.ts)
        if e.client_ip and ":" not in e.client_ip:
            subnets[e.client_ip.rsplit(".", 1)[0]].add(e.account_id)
    checks = [
        Check("contract-valid", not invalid, f"{len(invalid)} invalid; {invalid[:3]}"),
        Check("sorted-by-ts", unsorted == 0, f"{unsorted} out of order"),
        Check("unique-event-ids", duplicates == 0, f"{duplicates} duplicates"),
    ]
    unlabelled = set(per_account) - set(labels)
    mismatched = [
        a
        for a, lab in labels.items()
        if (lab.events, lab.completion_tokens) != (per_account[a], tokens[a])
    ]
    checks += [
        Check("all-accounts-labelled", not unlabelled, f"{len(unlabelled)} unlabelled"),
        Check("label-counts-match", not mismatched, f"{len(mismatched)} accounts differ"),
    ]
    attack = sum(1 for lab in labels.values() if lab.is_attack)
    checks += [
        _within("events", sum(per_account.values()), counts.get("events")),
        _within("attack_accounts", attack, counts.get("attack_accounts")),
        _within("benign_accounts", len(labels) - attack, counts.get("benign_accounts")),
    ]
    personas = {lab.persona for lab in labels.values() if not lab.is_attack}
    wanted = {p for p, w in scenario.benign.personas.items() if w > 0}
    checks.append(Check("every-persona", wanted <= personas, f"missing {wanted - personas}"))
    campaigns = {lab.campaign for lab in labels.values() if lab.is_attack}
    want_c = {c.id for c in scenario.campaigns}
    checks.append(Check("every-campaign", want_c <= campaigns, f"missing {want_c - campaigns}"))
    checks.append(_heavy_check(scenario, times))
    checks += _linkage_checks(scenario, labels, subnets)
    return checks


def _heavy_check(scenario: Scenario, times: dict[str, list[float]]) -> Check:
    """Heavy accounts must really burst at hundreds of requests a second."""
    need = scenario.benign.heavy.min_rate * 0.5
    peaks = []
    for ts in times.values():
        _, counts = np.unique(np.floor(np.array(ts)), return_counts=True)
        peaks.append(int(counts.max()) if counts.size else 0)
    ok = bool(peaks) and max(peaks) >= need
    return Check("heavy-at-real-rate", ok, f"peak req/s per heavy account {peaks} (need {need})")


def _linkage_checks(
    scenario: Scenario, labels: dict[str, Label], subnets: dict[str, set[str]]
) -> list[Check]:
    """Honest reasons for linkage must be present: shared NATs, shared payment methods."""
    checks = []
    if scenario.benign.nats:
        nat_groups: dict[str, set[str]] = defaultdict(set)
        for a, lab in labels.items():
            if lab.nat:
                nat_groups[lab.nat].add(a)
        shared = [g for g in nat_groups.values() if len(g) > 1 and
                  any(len(accounts & g) > 1 for accounts in subnets.values())]  # fmt: skip
        checks.append(Check("shared-corporate-nat", bool(shared), f"{len(shared)} NATs shared"))
    if scenario.benign.enterprises:
        ent: Counter[str] = Counter(lab.enterprise for lab in labels.values() if lab.enterprise)
        multi = sum(1 for n in ent.values() if n > 1)
        checks.append(Check("enterprise-subaccounts", multi > 0, f"{multi} enterprises"))
    return checks
