"""The one place that wires the stages: events -> windows -> detector -> policy -> verdicts.

The same :class:`Pipeline` runs behind every source (the Kafka worker, offline
``detect``, the HTTP push endpoint); only the source and the store differ. A
batch is processed in two steps: :meth:`Pipeline.process` updates account
state and decides, touching nothing outside this process, then the caller
publishes the alerts and calls :meth:`Pipeline.commit`, which writes the state.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from detectors.baseline import FrozenBaseline, PeerBaseline
from detectors.harvest import Assessment, HarvestScorer, Signal
from detectors.linkage import Link, link_signal
from service import metrics
from service.features.observation import Observation, link_values
from service.features.vector import account_vector
from service.settings import Settings
from service.state.account import AccountState, Decision, FirstFlag
from service.state.base import FeatureStore, StoreUnavailable
from service.state.links import Group, LinkStore, MemoryLinks, Report
from service.verdicts import Overrides, Verdicts


class Envelope(NamedTuple):
    """An observed request and where it came from: Kafka partition and offset, or -1."""

    obs: Observation
    partition: int = -1
    offset: int = -1


def envelopes(observations: Iterable[Observation]) -> list[Envelope]:
    """Envelopes of observations that have no Kafka coordinates (a file, a push).

    Built with ``tuple.__new__``, as the named tuple's own constructor does after a
    Python-level call that costs more than the rest: offline ``detect`` wraps every event."""
    return [_new_tuple(Envelope, (obs, -1, -1)) for obs in observations]


_new_tuple = tuple.__new__


@dataclass(slots=True)
class BatchResult:
    states: dict[str, AccountState] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    flagged: dict[str, FirstFlag] = field(default_factory=dict)
    applied: int = 0
    scored: int = 0  # scorings: counted into the metric once a batch
    duplicates: int = 0
    redelivered: int = 0


class Pipeline:
    def __init__(
        self,
        store: FeatureStore,
        settings: Settings,
        detector: HarvestScorer | None = None,
        links: LinkStore | None = None,
        source: str = "kafka",
        overrides: Overrides | None = None,
    ) -> None:
        self.store = store
        self.links: LinkStore = (
            links
            if links is not None
            else MemoryLinks(
                settings.link_max_members, settings.state_ttl_s, settings.link_max_values
            )
        )
        self.overrides = overrides
        self.settings = settings
        self.detector = detector or HarvestScorer(
            PeerBaseline(settings.baseline_min_accounts, prior=self._published_baseline())
        )
        self.baseline = self.detector.baseline
        self.verdicts = Verdicts(settings, self.baseline, overrides)
        self.policy = self.verdicts.policy  # what the API asks about enforcement and shadow
        self._processed = metrics.EVENTS_PROCESSED.labels(source)
        self._learned_at = self._published_at = -math.inf

    def process(self, batch: Sequence[Envelope]) -> BatchResult:
        """Count a batch into account windows, then score each touched account once.

        An account that sends a burst is scored inside the batch too, every
        ``burst_events`` of its events (when due): a batch of a thousand events must
        not let one account take hundreds of answers before it is looked at."""
        result = BatchResult()
        if self.overrides is not None:
            self.overrides.refresh()
        states = result.states
        loaded = self.store.load({envelope.obs.account_id for envelope in batch})
        last_event: dict[str, Observation] = {}
        models: dict[str, float] = {}
        in_chunk: dict[str, int] = {}
        burst = self.settings.burst_events
        applied = 0
        for obs, partition, offset in batch:
            account = obs.account_id
            state = states.get(account)
            if state is None:
                state = states[account] = loaded.get(account) or AccountState()
            if partition >= 0:
                if state.already_applied(partition, offset):
                    result.redelivered += 1
                    continue
                state.applied_partition, state.applied_offset = partition, offset
            if not state.remember_id(obs.id_hash):
                result.duplicates += 1
                continue
            state.windows.add(obs)
            if state.events == 0:
                state.first_ts = obs.ts
            state.events += 1
            last_event[account] = obs
            if obs.ts < models.get(obs.model, math.inf):
                models[obs.model] = obs.ts
            applied += 1
            count = in_chunk[account] = in_chunk.get(account, 0) + 1
            if count >= burst:
                in_chunk[account] = 0
                if state.due_for_scoring(obs.ts, self.settings.min_events, math.inf):
                    self._score_due(states, last_event, models, result)
                    last_event, models, in_chunk = {}, {}, {}
        self._score_due(states, last_event, models, result)
        result.applied = applied
        self._publish_baseline()
        self._processed.inc(applied)
        if result.scored:
            metrics.ACCOUNTS_SCORED.inc(result.scored)
        if result.duplicates:
            metrics.EVENTS_DUPLICATE.labels("event_id").inc(result.duplicates)
        if result.redelivered:
            metrics.EVENTS_DUPLICATE.labels("redelivery").inc(result.redelivered)
        return result

    def _published_baseline(self) -> FrozenBaseline | None:
        """The baseline last published (by this worker before a restart, or a peer)."""
        try:
            snapshot = self.links.baseline()
        except StoreUnavailable:  # a start during an outage: learn from scratch
            return None
        if snapshot is None:
            return None
        return FrozenBaseline(snapshot, self.settings.baseline_min_accounts)

    def _publish_baseline(self) -> None:
        """Share the peer baseline now and then (event time), for the API to show."""
        if self._learned_at - self._published_at >= self.settings.baseline_publish_s:
            self.links.publish_baseline(self.baseline.snapshot())
            self._published_at = self._learned_at

    def _score_due(
        self,
        states: dict[str, AccountState],
        last_event: dict[str, Observation],
        models: dict[str, float],
        result: BatchResult,
    ) -> None:
        """Score every account that is due, after one exchange with the link store."""
        first_seen = self.links.first_seen(models)
        # A model is a new release only if it appeared after the stream began: on the first
        # day of a deployment, every model is "first seen" and none of them is new.
        start = min(first_seen.values(), default=0.0)
        released = {
            m: t for m, t in first_seen.items() if t - start >= self.settings.new_model_grace_s
        }
        due: dict[str, dict[str, float] | None] = {}
        reports: dict[str, Report] = {}
        settings = self.settings
        for account, event in last_event.items():
            state = states[account]
            now = state.windows.last_ts
            if not state.due_for_scoring(now, settings.min_events, settings.rescore_after_s):
                continue
            state.scored_events, state.scored_ts = state.events, now
            state.add_links(link_values(event))
            profile = state.windows.profile(now)
            # Most accounts ask for nothing a harvester wants: their score is the floor, and
            # the full vector is read only when the baseline learns from them.
            quiet = not any(profile[1:])
            x = (
                None
                if quiet
                else account_vector(state.windows, now, event.account_created, released, full=False)
            )
            due[account] = x
            age = (now - event.account_created) / 86400.0 if event.account_created >= 0 else -1.0
            new = 1.0 if 0.0 <= age < settings.new_account_days else 0.0
            reports[account] = Report(tuple(state.links), (*profile, new))
        latest = max((states[a].windows.last_ts for a in reports), default=0.0)
        groups = self.links.exchange(reports, latest) if reports else {}
        assessed: dict[str, tuple[float, list[Signal]]] = {}
        for account, x in due.items():
            state = states[account]
            event = last_event[account]
            if x is None:
                self._score_quiet(account, state, event, released, result)
                continue
            mine = [groups[v] for v in state.links if v in groups]
            self._score(
                account, state, event, x, mine, reports[account], released, assessed, result
            )

    def _score_quiet(
        self,
        account: str,
        state: AccountState,
        event: Observation,
        released: dict[str, float],
        result: BatchResult,
    ) -> None:
        """An account without harvesting traffic: the floor score, no linkage to inherit."""
        now = state.windows.last_ts
        if self._learning_due(state, now):
            x = account_vector(state.windows, now, event.account_created, released)
            self._learn(state, x, self.detector.quiet.score, now)
        self._decide(account, state, event, self.detector.quiet, None, None, result)

    def _score(
        self,
        account: str,
        state: AccountState,
        event: Observation,
        x: dict[str, float],
        groups: list[Group],
        report: Report,
        released: dict[str, float],
        assessed: dict[str, tuple[float, list[Signal]]],
        result: BatchResult,
    ) -> None:
        now = state.windows.last_ts
        link = link_signal(groups, x, report.profile, self.settings.new_account_days, assessed)
        assessment = self.detector.assess(x, [link.signal] if link is not None else None)
        if self._learning_due(state, now):
            full = account_vector(state.windows, now, event.account_created, released)
            self._learn(state, full, assessment.score, now)
        self._decide(account, state, event, assessment, x, link, result)

    def _learning_due(self, state: AccountState, now: float) -> bool:
        last = state.last_learned_ts
        return last < 0 or now - last >= self.settings.learn_interval_s

    def _learn(self, state: AccountState, x: dict[str, float], score: float, now: float) -> None:
        # Score first, then learn only from what does not look like harvesting.
        self.detector.learn_one(x, score)
        state.last_learned_ts = now
        if self._published_at == -math.inf:
            self._published_at = now
        self._learned_at = max(self._learned_at, now)

    def _decide(
        self,
        account: str,
        state: AccountState,
        event: Observation,
        assessment: Assessment,
        x: dict[str, float] | None,
        link: Link | None,
        result: BatchResult,
    ) -> None:
        result.scored += 1
        change = self.verdicts.decide(account, state, event, assessment, x, link)
        if change is None:
            return
        result.decisions[account] = state.decision
        result.alerts.append(change.alert)
        if change.flag is not None:
            result.flagged[account] = change.flag

    def commit(self, result: BatchResult) -> None:
        """Write the batch's state and changed decisions to the store, all or nothing."""
        self.store.save(result.states, result.decisions)
