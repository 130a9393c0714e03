"""The one place that wires the stages: observations -> windows -> detectors -> policy -> verdicts.

The same :class:`Pipeline` runs behind every source (the Kafka worker, offline
``detect``, the HTTP push endpoint); only the source and the store differ. A
batch is processed in two steps: :meth:`Pipeline.process` updates account
state and decides, then the caller publishes the alerts and calls
:meth:`Pipeline.commit`, which writes the state.

Verdicts depend on the events only, not on how they were batched:

- an account is scored at points of its own stream (each of its first events,
  then every quarter of growth, at least every ``max_unscored_events`` events, and
  at its first event of every ``rescore_after_s`` tick), never at a batch's end;
- between two scoring points its events are applied as one segment (their sums,
  worked out over the batch's columns with numpy);
- everything a scoring reads from other accounts is read as of the epoch before
  the event's own (see service/scoring.py), and the batch is processed epoch by
  epoch, so each epoch's contributions are in before the next epoch reads them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from detectors.baseline import PeerBaseline
from detectors.groups import FIELD, SKELETON_ONCE, Group
from detectors.registry import Scorer, build
from service import metrics
from service.enrichment import Enrichment
from service.features.fingerprint import keyed_hash
from service.features.observation import COLUMN, HASH, ObservedBatch, use_key
from service.features.segments import increments, registers, segment_sums
from service.features.windows import INDEX, MINUTE_S
from service.scoring import ScoringRound
from service.settings import Settings
from service.state.account import ALLOW, AccountState, Decision, FirstFlag
from service.state.base import FeatureStore
from service.state.links import LinkStore, MemoryLinks
from service.verdicts import Overrides, Verdicts

MAX_GAP_S = 3600.0  # a longer gap is a pause, not an inter-arrival time
# A skeleton becomes a link value once the account repeats it this often, and this much.
SKELETON_MIN_COUNT, SKELETON_MIN_SHARE = 3.0, 0.1
# A new account too thin to repeat anything that often joins a skeleton a young crowd has
# made a group (this many members, this share of them new), or with no crowd yet reports the
# skeletons of its prompt weakly so that one can form: a farm's thinnest accounts fill its
# script too few times to count as repeating it.
SKELETON_JOIN_MEMBERS, SKELETON_JOIN_YOUNG = 5, 0.5
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
    # Rechecks planned (per partition: account -> epoch due), and the epoch each partition
    # reached: its rechecks due by then have run.
    rechecks: dict[int, dict[str, int]] = field(default_factory=dict)
    reached: dict[int, int] = field(default_factory=dict)


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
    ) -> tuple[Any, _Extras]:
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
        return sums, _Extras(batch, columns, order, starts)

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
        extras: _Extras | None,
        result: BatchResult,
    ) -> None:
        """Run the rechecks ``partitions`` had due by the epoch, then apply the epoch's
        segments in order and score at their scoring points."""
        mine = [s for s in segments if s.epoch == epoch]
        due = self._due(partitions, epoch, result)
        if not mine and not due:
            return
        link_sets = batch.link_sets
        link_column = columns[COLUMN["link_set"]]
        created = columns[COLUMN["created"]]
        values: set[str] = set()
        for segment in mine:
            if segment.score:
                values.update(link_sets[int(link_column[segment.last])])
                values.update(segment.state.links)
        self._enrich([s.state for s in mine if s.score], [s.account for s in mine if s.score])
        self._load_baseline(epoch - 1)
        for state in due.values():
            values.update(state.links)
        round_ = ScoringRound(epoch, self.links, self.scorer, self.baseline, self.settings, values)
        for account, state in sorted(due.items()):
            # Scored as at its last event, against its groups as they stand now.
            once = state.reports[-1][2][FIELD["weak"]] if state.reports else 0.0
            extra = {SKELETON_ONCE: 1.0} if once else None
            ts = float(epoch * self.settings.epoch_s)
            event = Scoring(account, state, state.last_event_id, ts, state.last_event_count)
            self._judge(event, round_, extra, result, state.recheck_step + 1, learn=False)
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
            if not segment.score:
                continue
            links = link_sets[int(link_column[segment.last])]
            if state.enriched and not any(v.startswith("payment:") for v in links):
                links = [*links, state.enriched]
            seen = partial(extras.skeleton_keys, segment.last)
            skeleton, once = self._skeleton_link(state, round_, seen)
            state.links = [*links, *skeleton]
            extra = {SKELETON_ONCE: 1.0} if once else None
            ts = float(columns[COLUMN["ts"], segment.last])
            event = Scoring(segment.account, state, state.last_event_id, ts, segment.events)
            self._judge(event, round_, extra, result, 0)
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
        ):
            state.recheck_due = -1
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
        for partition in partitions:
            result.reached[partition] = epoch
            planned = result.rechecks.get(partition, {})
            found.setdefault(partition, {}).update(
                (a, due) for a, due in planned.items() if due <= epoch
            )
        wanted = {a: due for accounts in found.values() for a, due in accounts.items()}
        states = result.states
        states.update(self.store.load(a for a in wanted if a not in states))
        held = states.get
        return {a: states[a] for a, due in wanted.items() if held(a, _NONE).recheck_due == due}

    def _enrich(self, states: list[AccountState], accounts: list[str]) -> None:
        """Ask the enrichment source, once per account, what its events may not say."""
        if self.enrichment is None:
            return
        asked = {a: s for a, s in zip(accounts, states, strict=True) if s.enriched is None}
        if not asked:
            return
        facts = self.enrichment.lookup(asked)
        for account, state in asked.items():
            found = facts.get(account)
            state.enriched = ""
            if found is None:
                continue
            if found.created >= 0 and state.created < 0:
                state.created = found.created
            if found.payment:
                state.enriched = f"payment:{keyed_hash(found.payment):016x}"

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

    def _skeleton_link(
        self, state: AccountState, round_: ScoringRound, seen: Callable[[], list[int]]
    ) -> tuple[list[str], bool]:
        """The account's skeleton links, and whether they are weak membership (the sight of one
        prompt): the skeleton it repeats; or, for a new account too thin to repeat one, the
        largest young crowd's (as of the previous epoch) among the skeletons it has filled
        twice, the one it joined before and those of its scoring event (``seen``, asked only
        then); with no crowd yet, the skeleton it filled twice or else, weakly, those of its
        scoring event, for a crowd of such accounts to form. An established customer is
        never a member this way."""
        now = state.windows.last_ts
        key, count = state.windows.top_skeleton()
        requests = state.windows.day_requests(now)
        if key and count >= SKELETON_MIN_COUNT and count >= SKELETON_MIN_SHARE * requests:
            return [_skeleton_value(key)], False
        age_s = now - state.created if state.created >= 0 else -1.0
        young = 0 <= age_s < self.settings.new_account_days * 86400.0
        if not young or requests * SKELETON_MIN_SHARE > 1.0:
            return [], False
        filled = [_skeleton_value(k) for k in state.windows.skeletons]
        joined = [v for v in state.links if v.startswith("skeleton:")]
        sighted = [_skeleton_value(k) for k in seen()]
        groups = round_.known({*filled, *joined, *sighted}).values()
        crowds = [(g.members, g.value) for g in groups if _crowd(g)]
        if crowds:
            value = max(crowds)[1]
            return [value], value not in filled
        if key and count >= 1.0:
            return [_skeleton_value(key)], False
        return sighted, bool(sighted)

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


def _skeleton_value(key: int) -> str:
    return f"skeleton:{key:016x}"


def _crowd(group: Group) -> bool:
    return (
        not group.common
        and group.members >= SKELETON_JOIN_MEMBERS
        and group.get("young") >= SKELETON_JOIN_YOUNG * group.members
    )


class _Extras:
    """Per segment, what does not sum: requests per model, the languages reasoning was asked
    for in (a bit mask), and counts of the prompt skeletons used."""

    def __init__(
        self, batch: ObservedBatch, columns: np.ndarray, order: np.ndarray, starts: np.ndarray
    ) -> None:
        self.batch = batch
        self.order = order
        self.bounds = np.append(starts, len(order))
        language = columns[COLUMN["language"]].astype(np.int64)
        asks = (columns[COLUMN["elicit"]] >= 0.5) & (language >= 0)
        bits = np.where(asks, np.left_shift(1, np.maximum(language, 0)), 0)
        self.languages = np.bitwise_or.reduceat(bits[order], starts).tolist()
        hashes = batch.hash_columns()
        self.heads = hashes[HASH["head"]]
        self.tails = hashes[HASH["tail"]]
        self.frames = hashes[HASH["frame"]]

    def skeleton_keys(self, i: int) -> list[int]:
        """Event ``i``'s skeletons (none: 0, left out)."""
        keys = {int(self.heads[i]), int(self.tails[i]), int(self.frames[i])}
        return sorted(keys - {0})

    def of(self, k: int) -> tuple[dict[str, int], int, list[tuple[int, int]]]:
        events = self.order[self.bounds[k] : self.bounds[k + 1]].tolist()
        models: dict[str, int] = {}
        # Skeletons one by one, in event order: the heavy-hitter counts they feed are then
        # the same however the account's events were cut into segments.
        skeletons: list[tuple[int, int]] = []
        names = self.batch.models
        for i in events:
            models[names[i]] = models.get(names[i], 0) + 1
            head, tail, frame = int(self.heads[i]), int(self.tails[i]), int(self.frames[i])
            if head:
                skeletons.append((head, 1))
            if tail and tail != head:  # a short prompt's head is its tail: one sighting
                skeletons.append((tail, 1))
            if frame:
                skeletons.append((frame, 1))
        return models, int(self.languages[k]), skeletons
