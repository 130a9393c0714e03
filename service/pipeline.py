"""The one place that wires the stages: events -> windows -> detector -> policy -> verdicts.

The same :class:`Pipeline` runs behind every source (the Kafka worker, offline
``detect``, the HTTP push endpoint); only the source and the store differ. A
batch is processed in two steps: :meth:`Pipeline.process` updates account
state and decides, touching nothing outside this process, then the caller
publishes the alerts and calls :meth:`Pipeline.commit`, which writes the state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from detectors.account_model import ProtectedQuantileFilter, account_model
from detectors.baseline import Deviation, PeerBaseline
from service import metrics
from service.alerts import verdict_alert
from service.features.observation import Observation
from service.features.vector import account_vector
from service.policy import Policy
from service.settings import Settings
from service.state.account import ALLOW, AccountState, Decision, FirstFlag, action_rank
from service.state.base import FeatureStore


class Envelope(NamedTuple):
    """An observed request and where it came from: Kafka partition and offset, or -1."""

    obs: Observation
    partition: int = -1
    offset: int = -1


@dataclass(slots=True)
class BatchResult:
    states: dict[str, AccountState] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    flagged: dict[str, FirstFlag] = field(default_factory=dict)
    applied: int = 0
    duplicates: int = 0
    redelivered: int = 0


def _explanation(deviations: list[Deviation]) -> list[dict[str, Any]]:
    return [
        {
            "signal": d.feature,
            "value": round(d.value, 4),
            "baseline": round(d.mean, 4),
            "z": round(d.z, 2),
        }
        for d in deviations
    ]


class Overrides(Protocol):
    """Analysts' feedback on accounts (service/state/feedback.py); it outranks the model."""

    def refresh(self) -> None:
        """Pick up feedback given since the last batch (at most one store read)."""
        ...

    def adjust(self, account_id: str, current: Decision, proposed: Decision, ts: float) -> Decision:
        """The decision to keep (``current`` for no change); asked at every scoring, in memory."""
        ...


class Pipeline:
    def __init__(
        self,
        store: FeatureStore,
        settings: Settings,
        detector: ProtectedQuantileFilter | None = None,
        baseline: PeerBaseline | None = None,
        source: str = "kafka",
        overrides: Overrides | None = None,
    ) -> None:
        self.store = store
        self.overrides = overrides
        self.settings = settings
        self.detector = detector or account_model(
            n_trees=settings.detector_trees,
            height=settings.detector_height,
            window_size=settings.detector_window,
            q=settings.detector_quantile,
            seed=settings.seed,
            warmup=settings.detector_warmup,
        )
        self.baseline = baseline or PeerBaseline()
        self.policy = Policy(
            review=settings.review_threshold,
            throttle=settings.throttle_threshold,
            block=settings.block_threshold,
            hysteresis=settings.hysteresis,
            shadow=settings.shadow_mode,
            allowlist=settings.allowlist,
        )
        self._processed = metrics.EVENTS_PROCESSED.labels(source)

    def process(self, batch: Sequence[Envelope]) -> BatchResult:
        """Count a batch into account windows, then score each touched account once."""
        result = BatchResult()
        if self.overrides is not None:
            self.overrides.refresh()
        states = result.states
        loaded = self.store.load({envelope.obs.account_id for envelope in batch})
        last_event: dict[str, Observation] = {}
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
            result.applied += 1
        for account, event in last_event.items():
            self._score(account, states[account], event, result)
        self._processed.inc(result.applied)
        if result.duplicates:
            metrics.EVENTS_DUPLICATE.labels("event_id").inc(result.duplicates)
        if result.redelivered:
            metrics.EVENTS_DUPLICATE.labels("redelivery").inc(result.redelivered)
        return result

    def _score(
        self, account: str, state: AccountState, event: Observation, result: BatchResult
    ) -> None:
        now = state.windows.last_ts
        if not state.due_for_scoring(now, self.settings.min_events, self.settings.rescore_after_s):
            return
        state.scored_events, state.scored_ts = state.events, now
        x = account_vector(state.windows, now)
        detector = self.detector
        raw = detector.score_one(x)
        metrics.ACCOUNTS_SCORED.inc()
        score = raw if detector.ready else 0.0
        due = state.last_learned_ts < 0 or now - state.last_learned_ts >= (
            self.settings.learn_interval_s
        )
        if due:
            # Score first, then learn only from what does not look anomalous (the filter
            # protects the trees itself; the baseline follows the same judgement).
            if not detector.is_anomalous(raw):
                self.baseline.learn_one(x)
            detector.learn_one(x)
            state.last_learned_ts = now
        deviations = self.baseline.explain_one(x) if score >= self.policy.review else []
        reasons = [d.code for d in deviations]
        if score >= self.policy.review and not reasons:
            reasons = ["account_anomaly"]
        previous = state.decision
        decision = self.policy.decide(account, previous, score, reasons, event.ts)
        if self.overrides is not None:
            # Also when nothing changed: feedback may have replaced the stored decision.
            decision = self.overrides.adjust(account, previous, decision, event.ts)
        if decision is previous:
            return
        state.decision = decision
        result.decisions[account] = decision
        metrics.VERDICT_CHANGES.labels(decision.action).inc()
        for reason in decision.reasons:
            metrics.VERDICT_REASONS.labels(reason).inc()
        result.alerts.append(self._alert(account, state, previous, decision, event, deviations))
        if decision.action == ALLOW:
            return
        flag = state.first_flag
        if flag is None:
            flag = state.first_flag = FirstFlag(
                event.ts, event.event_id, state.events, score, reasons, decision.cluster_id
            )
        if action_rank(decision.action) > action_rank(flag.strongest):
            flag.strongest = decision.action
        result.flagged[account] = flag

    def _alert(
        self,
        account: str,
        state: AccountState,
        previous: Decision,
        decision: Decision,
        event: Observation,
        deviations: list[Deviation],
    ) -> dict[str, Any]:
        return verdict_alert(
            account,
            previous,
            decision,
            alert_id=f"{account}:{event.event_id}:{decision.action}",
            enforced=self.policy.enforced(decision) == decision.action,
            ts=event.ts,
            explanation=_explanation(deviations),
            event_id=event.event_id,
            account_events=state.events,
        )

    def commit(self, result: BatchResult) -> None:
        """Write the batch's state and changed decisions to the store, all or nothing."""
        self.store.save(result.states, result.decisions)
