"""The one place that wires the stages: observations -> windows -> detectors -> policy -> verdicts.

The same :class:`Pipeline` runs behind every source (the Kafka worker, offline
``detect``, the HTTP push endpoint); only the source and the store differ. A
batch is processed in two steps: :meth:`Pipeline.process` updates account
state and decides, then the caller publishes the alerts and calls
:meth:`Pipeline.commit`, which writes the state.

Verdicts depend on the events only, not on how they were batched:

- an account is scored at points of its own stream (each of its first events,
  then every quarter of growth, at least every ``max_unscored_events`` events, and
  at its first event of every ``rescore_after_s`` tick), never at a batch's end,
  and a thin young linked account that fell silent unflagged at its rechecks
  (``recheck_after_s``), which its partition runs on reaching their epoch, before
  that epoch's events (service/state/rechecks.py);
- between two scoring points its events are applied as one segment (their sums,
  worked out over the batch's columns with numpy);
- everything a scoring reads from other accounts is read as of the epoch before
  the event's own (see service/scoring.py), and the batch is processed epoch by
  epoch, so each epoch's contributions are in before the next epoch reads them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from detectors.baseline import PeerBaseline
from detectors.groups import FIELD, SKELETON_ONCE
from detectors.registry import Scorer, build
from service import metrics
from service.enrichment import Enrichment, enrich
from service.features.observation import COLUMN, ObservedBatch, use_key
from service.features.segments import SegmentExtras, increments, registers, segment_sums
from service.features.windows import INDEX, MINUTE_S
from service.scoring import ScoringRound, carry_links, recheckable
from service.settings import Settings
from service.state.account import ALLOW, AccountState, Decision, FirstFlag
from service.state.base import FeatureStore
from service.state.links import LinkStore, MemoryLinks
from service.verdicts import Overrides, Verdicts

MAX_GAP_S = 3600.0  # a longer gap is a pause, not an inter-arrival time
_GAPS = (INDEX["gap_count"], INDEX["gap_sum"], INDEX["gap_sq_sum"])
_FIXED = 1024.0
_NONE = AccountState()  # an account no longer stored: no recheck of it is due

log = logging.getLogger(__name__)


@dataclass(slots=True)
class BatchResult:
    states: dict[str, AccountState] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    flagged: dict[str, FirstFlag] = field(default_factory=dict)
    applied: int = 0
    scored: int = 0
    rechecked: int = 0
    duplicates: int = 0
    redelivered: int = 0
    epochs: list[int] = field(default_factory=list)  # the epochs the batch's events fell in
    # Rechecks planned (per partition: account -> epoch due), and per partition whose stored
    # rechecks ran, the epoch it reached: the store forgets those due by then.
    rechecks: dict[int, dict[str, int]] = field(default_factory=dict)
    reached: dict[int, int] = field(default_factory=dict)
    # Each account scored in the batch: its highest score (offline runs keep them, so that an
    # evaluation can read how far every account, flagged or not, came to a verdict).
    peaks: dict[str, float] = field(default_factory=dict)


class Scoring(NamedTuple):
    """Where an account is scored: at its event, or at a recheck (its last event's id and
    count, at the recheck's time)."""

    account: str
    state: AccountState
    event_id: str
    ts: float
    events: int


@dataclass(slots=True)
class Segment:
    """An account's consecutive events within one minute, up to a scoring point."""

    account: str
    state: AccountState
    epoch: int
    minute: int
    index: int  # its place in the batch's list of segments
    first: int  # the index of its first and last event in the batch
    last: int
    events: int = 0  # the account's events counted up to its last event
    score: bool = False


class Pipeline:
    def __init__(
        self,
        store: FeatureStore,
        settings: Settings,
        links: LinkStore | None = None,
        source: str = "kafka",
        overrides: Overrides | None = None,
        scorer: Scorer | None = None,
        enrichment: Enrichment | None = None,
    ) -> None:
        """``scorer`` replaces the evidence families of the settings (tests script one)."""
        self.store = store
        self.settings = settings
        # Every fingerprint this process makes is keyed with the deployment's key.
        key = settings.fingerprint_key.get_secret_value()
        use_key(key)
        if not key and source != "file":
            log.warning(
                "HARVESTGUARD_FINGERPRINT_KEY is empty: fingerprints in Redis and alerts use a "
                "public key, so whoever reads them can test guessed system prompts, networks "
                "or cards against them (docs/security.md)"
            )
        self.links: LinkStore = links if links is not None else MemoryLinks(
            settings.link_max_members, settings.state_ttl_epochs, settings.link_max_values
        )  # fmt: skip
        self.baseline = PeerBaseline(settings.baseline_min_accounts)
        self.scorer = scorer or Scorer(build(self.baseline, settings.disabled_families))
        self.overrides = overrides
        self.enrichment = enrichment
        self.verdicts = Verdicts(settings, self.baseline, overrides)
        self.policy = self.verdicts.policy  # what the API asks about enforcement and shadow
        self._baseline_as_of: int | None = None
        self.newest_epoch = -1  # the newest epoch this pipeline processed
        self._processed = metrics.EVENTS_PROCESSED.labels(source)

    def process(self, batch: ObservedBatch, epochs: np.ndarray | None = None) -> BatchResult:
        """Count a batch into account windows and score accounts at their scoring points.

        ``epochs`` is each event's epoch (service/watermark.py: a late event's is its
        partition's newest); by default the epoch of its own ``ts``."""
        result = BatchResult()
        if not len(batch):
            return result
        if self.overrides is not None:
            self.overrides.refresh()
        columns = batch.columns()
        if epochs is None:
            epochs = (columns[COLUMN["ts"]] // self.settings.epoch_s).astype(np.int64)
        segments, segment_of, gaps = self._segment(batch, columns, epochs.tolist(), result)
        # Each epoch the batch reached, with the partitions that reached it (duplicates and
        # redelivered events count: a partition reaches its epochs whatever was skipped).
        reached: dict[int, set[int]] = {}
        partitions = columns[COLUMN["partition"]].astype(np.int64)
        for partition in np.unique(partitions).tolist():
            for epoch in np.unique(epochs[partitions == partition]).tolist():
                reached.setdefault(epoch, set()).add(partition)
        sums, extras = self._sums(batch, columns, segment_of, gaps) if segments else (None, None)
        for epoch in sorted(reached):
            self._run_epoch(epoch, reached[epoch], batch, columns, segments, sums, extras, result)
        result.epochs = sorted({s.epoch for s in segments})
        self.newest_epoch = max(self.newest_epoch, *reached)
        self._processed.inc(result.applied)
        if result.scored:
            metrics.ACCOUNTS_SCORED.inc(result.scored)
        if result.rechecked:
            metrics.ACCOUNTS_RECHECKED.inc(result.rechecked)
        if result.duplicates:
            metrics.EVENTS_DUPLICATE.labels("event_id").inc(result.duplicates)
        if result.redelivered:
            metrics.EVENTS_DUPLICATE.labels("redelivery").inc(result.redelivered)
        return result

    def _sums(
        self, batch: ObservedBatch, columns: np.ndarray, segment_of: np.ndarray, gaps: np.ndarray
    ) -> tuple[Any, SegmentExtras]:
        """Each segment's sums over the batch's columns, and what does not sum."""
        kept = np.flatnonzero(segment_of >= 0)
        order = kept[np.argsort(segment_of[kept], kind="stable")]
        starts = np.flatnonzero(np.diff(segment_of[order], prepend=-1))
        added = increments(batch)
        has_gap = gaps >= 0
        added[_GAPS[0]] = has_gap
        added[_GAPS[1]] = np.where(has_gap, gaps, 0.0)
        added[_GAPS[2]] = np.where(has_gap, gaps * gaps, 0.0)
        # Fixed point (multiples of 2**-10): sums are then exact in any order, so a window
        # is the same to the last bit however the stream was cut into batches and segments.
        np.round(added * _FIXED, out=added)
        added /= _FIXED
        index, rank = registers(batch)
        sums = segment_sums(added, order, starts, index, rank)
        return sums, SegmentExtras(batch, columns, order, starts)

    def _segment(
        self, batch: ObservedBatch, columns: np.ndarray, epochs: list[int], result: BatchResult
    ) -> tuple[list[Segment], np.ndarray, np.ndarray]:
        """Walk the batch once: skip what was applied before, cut segments at scoring points."""
        n = len(batch)
        accounts = batch.accounts
        ts = columns[COLUMN["ts"]].tolist()
        ids = columns[COLUMN["id_hash"]].astype(np.int64).tolist()
        partitions = columns[COLUMN["partition"]].astype(np.int64).tolist()
        offsets = columns[COLUMN["offset"]].astype(np.int64).tolist()
        states = result.states
        loaded = self.store.load(set(accounts))
        segments: list[Segment] = []
        open_segment: dict[str, Segment] = {}
        last_ts: dict[str, float] = {}
        segment_of = np.full(n, -1, dtype=np.int64)
        gaps = np.full(n, -1.0)
        min_events = self.settings.min_events
        most = self.settings.max_unscored_events
        tick_s = self.settings.rescore_after_s
        for i in range(n):
            account = accounts[i]
            state = states.get(account)
            if state is None:
                state = states[account] = loaded.get(account) or AccountState()
            partition = partitions[i]
            if partition >= 0:
                if state.already_applied(partition, offsets[i]):
                    result.redelivered += 1
                    continue
                state.applied_partition, state.applied_offset = partition, offsets[i]
            if not state.remember_id(ids[i]):
                result.duplicates += 1
                continue
            t = ts[i]
            previous = last_ts.get(account, state.windows.last_ts)
            if 0.0 <= previous <= t:
                if t - previous <= MAX_GAP_S:
                    gaps[i] = t - previous
                last_ts[account] = t
            elif previous < 0:
                last_ts[account] = t
            state.events += 1
            if state.events == 1:
                state.first_ts = t
            minute, epoch = int(t // MINUTE_S), epochs[i]
            segment = open_segment.get(account)
            if segment is None or segment.minute != minute or segment.epoch != epoch:
                segment = Segment(account, state, epoch, minute, len(segments), i, i)
                open_segment[account] = segment
                segments.append(segment)
            segment.last, segment.events = i, state.events
            segment_of[i] = segment.index
            since = state.events - state.scored_events
            tick = int(t // tick_s)
            if state.events >= min_events and (
                since >= max(1, min(state.scored_events // 4, most)) or tick > state.scored_tick
            ):
                state.scored_events, state.scored_tick = state.events, tick
                segment.score = True
                del open_segment[account]
        result.applied = int((segment_of >= 0).sum())
        return segments, segment_of, gaps

    def _run_epoch(
        self,
        epoch: int,
        partitions: set[int],
        batch: ObservedBatch,
        columns: np.ndarray,
        segments: list[Segment],
        sums: Any,
        extras: SegmentExtras | None,
        result: BatchResult,
    ) -> None:
        """Run the rechecks ``partitions`` had due by the epoch, then apply the epoch's
        segments in order and score at their scoring points."""
        mine = [s for s in segments if s.epoch == epoch]
        due = self._due(partitions, epoch, result)
        if not mine and not due:
            return
        created = columns[COLUMN["created"]]
        values: set[str] = set()
        sent = {s.index: extras.link_sets(s.index) for s in mine} if extras is not None else {}
        for segment in mine:
            if segment.score:
                values.update(segment.state.links)
                for links in sent[segment.index]:
                    values.update(links)
        if self.enrichment is not None:
            enrich(self.enrichment, {s.account: s.state for s in mine if s.score})
        self._load_baseline(epoch - 1)
        for state in due.values():
            values.update(state.links)
        round_ = ScoringRound(epoch, self.links, self.scorer, self.baseline, self.settings, values)
        for account, state in sorted(due.items()):
            # Scored as at its last event, against its groups as they stand now.
            once = state.reports[-1][2][FIELD["weak"]] if state.reports else 0.0
            extra = {SKELETON_ONCE: 1.0} if once else None
            ts = float(epoch * self.settings.epoch_s)
            point = Scoring(account, state, state.last_event_id, ts, state.last_event_count)
            self._judge(point, round_, extra, result, state.recheck_step + 1, learn=False)
            result.rechecked += 1
        for segment in mine:
            assert extras is not None  # segments come with their batch's extras
            k, state = segment.index, segment.state
            models, languages, skeletons = extras.of(k)
            state.windows.add(
                float(columns[COLUMN["ts"], segment.first]),
                float(columns[COLUMN["ts"], segment.last]),
                sums.counters[k],
                sums.registers[k],
                models,
                languages,
                skeletons,
            )
            round_.models.update(models)
            if created[segment.last] >= 0:
                state.created = float(created[segment.last])
            state.last_event_id = batch.event_ids[segment.last]
            state.last_event_count = segment.events
            links = carry_links(state.links, sent[k])
            if not segment.score:
                state.links = [*links, *(v for v in state.links if v.startswith("skeleton:"))]
                continue
            if state.enriched and not any(v.startswith("payment:") for v in links):
                links = [*links, state.enriched]
            seen = partial(extras.skeleton_keys, segment.last)
            skeleton, once = round_.skeleton_link(state, seen)
            state.links = [*links, *skeleton]
            extra = {SKELETON_ONCE: 1.0} if once else None
            ts = float(columns[COLUMN["ts"], segment.last])
            point = Scoring(segment.account, state, state.last_event_id, ts, segment.events)
            self._judge(point, round_, extra, result, 0)
        self.links.contribute(epoch, round_.contribution())

    def _judge(
        self,
        at: Scoring,
        round_: ScoringRound,
        extra: dict[str, float] | None,
        result: BatchResult,
        step: int,
        learn: bool = True,
    ) -> None:
        """Score an account, decide, and plan its recheck number ``step`` (from 0)."""
        account, state = at.account, at.state
        assessment, x, linked = round_.score(account, state, extra, learn=learn)
        result.scored += 1
        result.peaks[account] = max(result.peaks.get(account, 0.0), assessment.score)
        change = self.verdicts.decide(
            account, state, at.event_id, at.ts, at.events, assessment, x, linked
        )
        if change is not None:
            result.decisions[account] = state.decision
            result.alerts.append(change.alert)
            if change.flag is not None:
                result.flagged[account] = change.flag
        delays = self.settings.recheck_after_s
        if (
            step >= len(delays)
            or state.decision.action != ALLOW
            or not state.links
            or x["account_age_days"] >= self.settings.new_account_days
            or not recheckable(x["requests"], x["account_age_days"])
        ):
            state.recheck_due = -1
            result.rechecks.get(state.applied_partition, {}).pop(account, None)
            return
        due = round_.epoch + math.ceil(delays[step] / self.settings.epoch_s)
        state.recheck_due, state.recheck_step = due, step
        result.rechecks.setdefault(state.applied_partition, {})[account] = due

    def _due(
        self, partitions: set[int], epoch: int, result: BatchResult
    ) -> dict[str, AccountState]:
        """The accounts of ``partitions`` whose recheck is due by ``epoch``, loaded (the store's
        index and those this batch planned; an entry the state no longer expects is stale)."""
        if not self.settings.recheck_after_s:
            return {}
        found = self.store.due(partitions, epoch)
        # What the store held is cleared at commit; what this batch planned and ran here was
        # replaced by its next recheck or dropped, and is never written.
        result.reached.update(dict.fromkeys(found, epoch))
        for partition in partitions:
            planned = result.rechecks.get(partition, {})
            found.setdefault(partition, {}).update(
                (a, due) for a, due in planned.items() if due <= epoch
            )
        wanted = {a: due for accounts in found.values() for a, due in accounts.items()}
        states = result.states
        states.update(self.store.load(a for a in wanted if a not in states))
        held = states.get
        return {a: states[a] for a, due in wanted.items() if held(a, _NONE).recheck_due == due}

    def _load_baseline(self, as_of: int) -> None:
        held = self._baseline_as_of
        if held == as_of:
            return
        read = self.links.histograms(as_of, held if held is not None and held < as_of else None)
        if read.whole:
            self.baseline.load(read.cells)
        else:
            self.baseline.add(read.cells)
        self._baseline_as_of = read.as_of

    def commit(self, result: BatchResult) -> None:
        """Write the batch's state and changed decisions to the store, all or nothing; its
        rechecks before them and the ones it ran after (service/state/rechecks.py)."""
        self.store.schedule(result.rechecks)
        self.store.save(result.states, result.decisions)
        self.store.done(result.reached)


def by_epoch(
    batch: ObservedBatch, epochs: np.ndarray
) -> Iterator[tuple[ObservedBatch, np.ndarray]]:
    """The batch cut into one batch per epoch, in epoch order (a batch of one epoch, or of
    none, as it is). An account's events stay in order: its partition's epochs never go
    back. For a caller that writes each epoch's state before the next epoch reads it."""
    values = np.unique(epochs)
    if len(values) <= 1:
        yield batch, epochs
        return
    for epoch in values.tolist():
        rows = np.flatnonzero(epochs == epoch)
        yield batch.take(rows), epochs[rows]
