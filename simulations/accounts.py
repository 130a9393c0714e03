"""What the generator schedules: one plan per account, its label, and the scenario world."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import xxhash

from simulations.labels import Label
from simulations.network import Identity, Network
from simulations.profiles import EventFactory
from simulations.realdata import WINDOW_S
from simulations.spec import Scenario

Scheduled = tuple[float, int, int, dict[str, object]]


@dataclass
class AccountPlan:
    """An account's request times and how each request is built.

    ``factories[choice[i]]`` builds request ``i``: campaigns mix harvesting requests with
    normal-looking ones from the same account. ``sessions`` forces conversation ids (human
    timing), ``models`` forces a model per request (the pivot campaign).
    """

    identity: Identity
    label: Label
    factories: list[EventFactory]
    times: np.ndarray
    choice: np.ndarray | None = None
    sessions: np.ndarray | None = None
    models: list[str | None] | None = None
    order: int = field(default=0)

    def __post_init__(self) -> None:
        # The merge needs each account's requests in time order; jittered schedules
        # (synchronised ticks) may not be, so sort once here, keeping the aligned arrays.
        if self.times.shape[0] > 1 and bool((np.diff(self.times) < 0).any()):
            order = np.argsort(self.times, kind="stable")
            self.times = self.times[order]
            if self.choice is not None:
                self.choice = self.choice[order]
            if self.sessions is not None:
                self.sessions = self.sessions[order]
            if self.models is not None:
                self.models = [self.models[i] for i in order.tolist()]

    def events(self) -> Iterator[Scheduled]:
        factories = self.factories
        choice = self.choice.tolist() if self.choice is not None else None
        sessions = self.sessions.tolist() if self.sessions is not None else None
        models = self.models
        order = self.order
        for i, ts in enumerate(np.round(self.times, 3).tolist()):
            factory = factories[choice[i]] if choice is not None else factories[0]
            session = sessions[i] if sessions is not None else None
            model = models[i] if models is not None else None
            yield ts, order, i, factory.make(ts, session=session, model=model)


class World:
    """Scenario-wide context: time frame, network allocator and per-role seeds."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.wording = scenario.wording
        self.seed = scenario.seed
        self.network = Network(scenario.seed)
        self.t0 = scenario.t0
        self.duration = scenario.duration_s
        self.t1 = self.t0 + self.duration
        self.windows = math.ceil(self.duration / WINDOW_S)
        self.release_ts = self.t0 + scenario.release.at * self.duration

    def seed_for(self, *parts: object) -> int:
        """A 63-bit seed for one role (account, campaign, ...), independent of call order."""
        return xxhash.xxh64_intdigest(":".join(map(str, (self.seed, *parts))).encode()) >> 1

    def rng(self, *parts: object) -> random.Random:
        return random.Random(self.seed_for(*parts))

    def np_rng(self, *parts: object) -> np.random.Generator:
        return np.random.default_rng(self.seed_for(*parts))
