"""One epoch's scoring: what every scoring in epoch ``e`` reads, and what it contributes.

Every input a scoring takes from other accounts is read as of epoch ``e - 1``,
complete: the account's linked groups, the models' first sightings and the
peer baseline. Within the epoch those inputs do not change, so neither the
order in which accounts are scored nor how the epoch's events were cut into
batches can change a score. What the epoch's scorings contribute (each
account's latest report under its link values, baseline samples, models seen)
is handed to the link store stamped with ``e``, for epochs after it to read.
Which prompt skeleton an account reports under is chosen here too
(:meth:`ScoringRound.skeleton_link`): for a thin new account it depends on the
young crowds the groups as of ``e - 1`` hold.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from detectors.baseline import PeerBaseline
from detectors.groups import (
    FIELD,
    PROFILE_FIELDS,
    SKELETON_ONCE,
    Group,
    Profile,
    group_features,
)
from detectors.registry import Assessment, Scorer
from service.features.vector import account_vector
from service.settings import Settings
from service.state.account import ALLOW, AccountState
from service.state.links import LATEST, Contribution, LinkStore, Report

# A skeleton becomes a link value once the account repeats it this often, and this much.
SKELETON_MIN_COUNT, SKELETON_MIN_SHARE = 3.0, 0.1
# A new account too thin to repeat anything that often joins a skeleton a young crowd has
# made a group (this many members, this share of them new), or with no crowd yet reports the
# skeletons of its prompt weakly so that one can form: a farm's thinnest accounts fill its
# script too few times to count as repeating it.
SKELETON_JOIN_MEMBERS, SKELETON_JOIN_YOUNG = 5, 0.5


# Link values an account keeps per kind: the two it sent last. Its instruments are what its
# requests used, not what its last one did: a farm member's cover chat, sent with a stock
# system prompt or none, leaves it in its farm's system group.
LINKS_PER_KIND = 2


def carry_links(kept: Iterable[str], sent: Iterable[Iterable[str]]) -> list[str]:
    """The link values an account has (skeletons aside: chosen at its scoring), least recent
    first: ``kept``, its values so far, updated with its events' (``sent``, in event order),
    keeping the ``LINKS_PER_KIND`` sent last of each kind. However its events were cut into
    segments, the result is the same.

    >>> carry_links(["system:a", "payment:p"], [["system:b"], ["system:c", "payment:p"]])
    ['system:b', 'system:c', 'payment:p']
    """
    recent = dict.fromkeys(v for v in kept if not v.startswith("skeleton:"))
    for values in sent:
        for value in values:
            recent.pop(value, None)
            recent[value] = None
    counts: dict[str, int] = {}
    keep = []
    for value in reversed(recent):
        kind = value.split(":", 1)[0]
        counts[kind] = counts.get(kind, 0) + 1
        if counts[kind] <= LINKS_PER_KIND:
            keep.append(value)
    return keep[::-1]


def is_thin(day_requests: float) -> bool:
    """Whether an account's day is thin: at most 10 requests, too few to repeat a skeleton
    as much as ``SKELETON_MIN_SHARE`` of them, and too few for its own events to rescore it
    often (it gets rechecks, service/pipeline.py)."""
    return day_requests * SKELETON_MIN_SHARE <= 1.0


# Requests in its day up to which a young account of known age that fell silent is rechecked:
# a farm keeps each of its accounts small (that is what it has them for), and may use each
# in one burst before its farm shows; a busier account's evidence is its own, judged at its
# own events (a recheck re-reads the peer baseline: no second chance for a busy account).
RECHECK_MAX_REQUESTS = 100.0


def recheckable(day_requests: float, age_days: float) -> bool:
    """Whether a young linked account that fell silent unflagged gets rechecks: if thin, or of
    known age and no busier than a farm's accounts are."""
    return is_thin(day_requests) or (age_days >= 0 and day_requests <= RECHECK_MAX_REQUESTS)


# An account teaches the baseline at most once an hour, its tier only if it did not look
# suspect (an established one its volumes of each kind whatever it looked: PeerBaseline.common).
PROTECT_ABOVE = 0.5


def report_profile(x: dict[str, float], new_days: float, flagged: bool) -> Profile:
    """What an account reports under its link values (detectors.groups.PROFILE_FIELDS):
    young if younger than ``new_days``, ``flagged`` if its verdict flags it, weak if ``x``
    says its skeleton link is (``SKELETON_ONCE``)."""
    requests = x["requests"]
    age = x["account_age_days"]
    pace = math.log1p(requests / max(x["active_hours"], 1.0))
    values = {
        "accounts": 1.0,
        "requests": requests,
        "pace": pace,
        "pace_sq": pace * pace,
        "harvest": x["harvest_count"],
        "trace": x["trace_count"],
        "grade": x["grade_count"],
        "probe": x["probe_count"],
        "long": x["long_share"] * requests,
        "completion_k": x["completion_day"] / 1000.0,
        "single_turn": x["single_turn_share"] * requests,
        "young": 1.0 if 0.0 <= age < new_days else 0.0,
        "aged": 1.0 if age >= new_days else 0.0,
        "flagged": 1.0 if flagged else 0.0,
        "weak": 1.0 if x.get(SKELETON_ONCE) else 0.0,
    }
    assert len(values) == len(PROFILE_FIELDS)
    return tuple(values[name] for name in PROFILE_FIELDS)


_REQUESTS = FIELD["requests"]


class ScoringRound:
    """The scorings of one epoch, against the cross-account state as of the one before."""

    def __init__(
        self,
        epoch: int,
        links: LinkStore,
        scorer: Scorer,
        baseline: PeerBaseline,
        settings: Settings,
        values: Iterable[str],
    ) -> None:
        self.epoch = epoch
        self.links = links
        self.scorer = scorer
        self.baseline = baseline
        self.settings = settings
        as_of = epoch - 1
        self.groups = links.groups(values, as_of)
        self._absent: set[str] = set()  # values asked for that no group holds yet
        first_seen = links.models(as_of)
        # A model is a new release only if it appeared after the stream began: on the first
        # day of a deployment every model is "first seen" and none of them is new.
        start = min(first_seen.values(), default=0)
        epoch_s = settings.epoch_s
        grace = settings.new_model_grace_s / epoch_s
        self.released = {
            model: seen * float(epoch_s)
            for model, seen in first_seen.items()
            if seen - start >= grace
        }
        self.reports: dict[str, Report] = {}
        self.samples: dict[str, dict[str, int]] = {}
        self.models: set[str] = set()
        self._learn_epochs = settings.learn_interval_s / epoch_s

    def vector(self, state: AccountState) -> tuple[dict[str, float], dict[str, str]]:
        """The account's features with its groups' (as of the previous epoch), and its group
        of each kind of link."""
        now = state.windows.last_ts
        x = account_vector(state.windows, now, state.created, self.released, state.first_ts)
        as_of = self.epoch - 1
        groups = list(self.known(state.links).values())
        own = {}
        for group in groups:
            report = state.own_report(group.value, as_of)
            if report is not None:
                own[group.value] = report
        features, linked = group_features(groups, own)
        x.update(features)
        return x, linked

    def known(self, values: Iterable[str]) -> dict[str, Group]:
        """The groups of these values as of the previous epoch (values no group holds: left
        out), read from the store only for values the round did not know of beforehand."""
        values = list(values)
        missing = [v for v in values if v not in self.groups and v not in self._absent]
        if missing:  # a new skeleton, say
            found = self.links.groups(missing, self.epoch - 1)
            self.groups.update(found)
            self._absent.update(v for v in missing if v not in found)
        return {v: self.groups[v] for v in values if v in self.groups}

    def score(
        self,
        account: str,
        state: AccountState,
        extra: dict[str, float] | None = None,
        learn: bool = True,
    ) -> tuple[Assessment, dict[str, float], dict[str, str]]:
        """Score one account (``extra``: features the caller knows); remember what it
        contributes to this epoch (no baseline sample unless ``learn``: a recheck of an
        account that sent nothing since would count it twice)."""
        x, linked = self.vector(state)
        if extra:
            x.update(extra)
        assessment = self.scorer.assess(x)
        state.score = assessment.score
        learned = state.learned_epoch
        if learn and (learned < 0 or self.epoch - learned >= self._learn_epochs):
            sample = self.baseline.sample(x, suspect=assessment.score >= PROTECT_ABOVE)
            if sample:
                self.samples[account] = sample
                state.learned_epoch = self.epoch
        if learn:
            # Whenever its established bins moved since it last sent them: the store replaces
            # what it counted of the account (a latest sample), so the tier holds it once.
            sample = self.baseline.established_sample(x)
            cells = sorted(sample)
            if cells and cells != state.established:
                self.samples[account + LATEST] = sample
                state.established = cells
        # Flagged now, or still held at a flag from before (the verdict decided after this).
        flagged = assessment.score >= self.settings.review_threshold or (
            state.decision.action != ALLOW
        )
        profile = report_profile(x, self.settings.new_account_days, flagged)
        if state.links:
            self.reports[account] = Report(
                tuple(state.links), profile, self._dropped(account, state)
            )
            state.report(self.epoch, list(state.links), list(profile))
        return assessment, x, linked

    def _dropped(self, account: str, state: AccountState) -> tuple[str, ...]:
        """Values the account reported under earlier in this epoch (this batch or an earlier
        one) and no longer has: the store withdraws those reports, so that an epoch cut
        across batches contributes what it would in one."""
        earlier = self.reports.get(account)
        dropped = set(earlier.dropped) if earlier is not None else set()
        last = state.reports[-1] if state.reports else None
        if last is not None and last[0] == self.epoch:
            dropped.update(last[1])
        return tuple(sorted(dropped.difference(state.links)))

    def skeleton_link(
        self, state: AccountState, seen: Callable[[], list[int]]
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
        if not young or not is_thin(requests):
            return [], False
        filled = [_skeleton_value(k) for k in state.windows.skeletons]
        joined = [v for v in state.links if v.startswith("skeleton:")]
        sighted = [_skeleton_value(k) for k in seen()]
        groups = self.known({*filled, *joined, *sighted}).values()
        crowds = [(g.members, g.value) for g in groups if _crowd(g)]
        if crowds:
            value = max(crowds)[1]
            return [value], value not in filled
        if key and count >= 1.0:
            return [_skeleton_value(key)], False
        return sighted, bool(sighted)

    def contribution(self) -> Contribution:
        return Contribution(self.reports, self.samples, self.models)


def _skeleton_value(key: int) -> str:
    return f"skeleton:{key:016x}"


def _crowd(group: Group) -> bool:
    return (
        not group.common
        and group.members >= SKELETON_JOIN_MEMBERS
        and group.get("young") >= SKELETON_JOIN_YOUNG * group.members
    )
