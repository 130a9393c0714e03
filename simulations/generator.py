"""The scenario generator: plans every account, merges their requests by ``ts`` and writes them.

Same scenario and seed, same bytes: every account draws from its own seeds (derived from
the scenario seed and its role), accounts are merged with a total order on
``(ts, shuffled account rank, request index)``, and gzip output carries no timestamp.

>>> from simulations.spec import load_scenario
>>> p = plan(load_scenario("smoke").scaled(0.05))
>>> sorted(next(generate_events(p)))[:4]
['account_created', 'account_id', 'api_key_id', 'asn']
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from simulations.accounts import AccountPlan, World
from simulations.campaigns import build_campaign
from simulations.labels import Label, write_labels
from simulations.personas import build_benign
from simulations.replay import FileSink, Record, Sink, replay
from simulations.spec import Scenario


@dataclass
class Plan:
    world: World
    accounts: list[AccountPlan]
    benign_factor: float

    @property
    def expected_events(self) -> int:
        return sum(int(a.times.shape[0]) for a in self.accounts)

    @property
    def labels(self) -> list[Label]:
        return [a.label for a in self.accounts]


def plan(scenario: Scenario) -> Plan:
    """Every account of the scenario with its request times (no request built yet)."""
    world = World(scenario)
    accounts, factor = build_benign(world)
    for campaign in scenario.campaigns:
        accounts += build_campaign(world, campaign)
    # Tie-break rank is shuffled so that equal timestamps reveal nothing about roles.
    ranks = list(range(len(accounts)))
    world.rng("ranks").shuffle(ranks)
    for account, rank in zip(accounts, ranks, strict=True):
        account.order = rank
    return Plan(world, accounts, factor)


def generate_events(p: Plan) -> Iterator[dict[str, object]]:
    """All requests of the plan as contract dicts, in ``ts`` order, without the fields the
    scenario omits."""
    omit = p.world.scenario.omit_fields
    for _, _, _, event in heapq.merge(*(a.events() for a in p.accounts)):
        for name in omit:
            event.pop(name, None)
        yield event


def generate_records(p: Plan) -> Iterator[Record]:
    """``(ts, account id, JSON)`` per request, counting events and tokens into the labels."""
    labels = {a.label.account_id: a.label for a in p.accounts}
    for lab in labels.values():
        lab.events = lab.completion_tokens = 0
    dumps = orjson.dumps
    for event in generate_events(p):
        account = str(event["account_id"])
        lab = labels[account]
        lab.events += 1
        lab.completion_tokens += int(event["completion_tokens"])  # type: ignore[call-overload]
        yield float(event["ts"]), account.encode(), dumps(event)  # type: ignore[arg-type]


@dataclass
class Generated:
    scenario: Scenario
    events: int
    accounts: int
    attack_accounts: int
    seconds: float
    output: Path | None
    labels_path: Path | None
    labels: list[Label]


def default_labels_path(output: Path) -> Path:
    name = output.name
    for suffix in (".gz", ".jsonl", ".ndjson", ".json"):
        name = name.removesuffix(suffix)
    return output.with_name(f"{name}.labels.jsonl")


def generate(
    scenario: Scenario,
    output: Path | None = None,
    labels_path: Path | None = None,
    sinks: list[Sink] | None = None,
    speed: float | None = None,
    progress: bool = False,
) -> Generated:
    """Generate the scenario into ``output`` (and any extra sinks); write the labels file."""
    started = time.perf_counter()
    p = plan(scenario)
    all_sinks: list[Sink] = list(sinks or [])
    if output is not None:
        all_sinks.insert(0, FileSink(output))
        labels_path = labels_path or default_labels_path(output)
    stats = replay(generate_records(p), all_sinks, speed=speed, total=p.expected_events,
                   progress=progress, desc=scenario.name)  # fmt: skip
    labels = [lab for lab in p.labels if lab.events > 0]
    if labels_path is not None:
        write_labels(labels_path, labels)
    return Generated(
        scenario=scenario,
        events=stats.events,
        accounts=len(labels),
        attack_accounts=sum(1 for lab in labels if lab.is_attack),
        seconds=time.perf_counter() - started,
        output=output,
        labels_path=labels_path,
        labels=labels,
    )
