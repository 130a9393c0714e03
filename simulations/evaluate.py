"""Detection metrics from events, labels and verdicts (the numbers that prove detection).

Definitions, all at account level:

* precision, recall, F1: an account is predicted positive if it has a verdict line.
* recall per campaign: flagged accounts of the campaign / its accounts.
* false-positive rate: flagged benign accounts / benign accounts, per persona, overall, and
  on heavy accounts = the top 10 % of all accounts by event count (ceil, ties by id).
* events before the first flag: the verdict's ``events_before_flag``; median over the
  campaign's flagged accounts.
* families that drove the flags: per campaign and per benign persona, how many of its
  flagged accounts each evidence family drove (the verdict line's ``families``, when the
  detector writes them): what carries a campaign's verdicts, and what makes honest ones.
* leaked tokens: per campaign, the completion tokens its accounts were served up to and
  including each account's flagging event (all of them if never flagged), over the
  campaign's total completion tokens. The flagging event is found by
  ``first_flagged_event_id``; failing that, by ``events_before_flag``.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from service.contract import iter_lines
from simulations.labels import Label
from simulations.replay import event_seconds

HEAVY_SHARE = 0.10


ENFORCED = ("throttle", "block")  # what the inline check refuses or slows


@dataclass
class Verdict:
    account_id: str
    action: str = "review"
    score: float | None = None
    first_flagged_ts: float | None = None
    first_flagged_event_id: str | None = None
    events_before_flag: int | None = None
    reasons: list[str] = field(default_factory=list)
    cluster_id: str | None = None
    families: list[str] = field(default_factory=list)  # the drivers, strongest first


def read_verdicts(path: Path) -> dict[str, Verdict]:
    """One verdict per account; if an account appears twice, its earliest flag wins."""
    out: dict[str, Verdict] = {}
    known = set(Verdict.__dataclass_fields__)
    for _, line in iter_lines(path):
        record = orjson.loads(line)
        v = Verdict(**{k: val for k, val in record.items() if k in known})
        ts = v.first_flagged_ts if isinstance(v.first_flagged_ts, int | float) else None
        old = out.get(v.account_id)
        if old is None or (ts is not None and (old.first_flagged_ts or math.inf) > ts):
            out[v.account_id] = v
    return out


def read_scores(path: Path) -> dict[str, float]:
    """``account_id -> max_score`` from a JSONL scores file."""
    return {
        str(r["account_id"]): float(r["max_score"])
        for r in (orjson.loads(line) for _, line in iter_lines(path))
    }


@dataclass
class _Usage:
    events: int = 0
    tokens: int = 0
    leaked_by_id: int = 0
    leaked_by_count: int = 0
    reached: bool = False
    first_ts: float | None = None


def scan_events(path: Path, verdicts: dict[str, Verdict]) -> tuple[dict[str, _Usage], int]:
    """Per-account volume and leaked tokens in one pass; also the count of unreadable lines."""
    usage: dict[str, _Usage] = {}
    bad = 0
    for _, line in iter_lines(path):
        try:
            e = orjson.loads(line)
            account, event_id = str(e["account_id"]), e["event_id"]
            tokens, ts = int(e["completion_tokens"]), event_seconds(e["ts"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            bad += 1
            continue
        u = usage.get(account)
        if u is None:
            u = usage[account] = _Usage(first_ts=ts)
        u.events += 1
        u.tokens += tokens
        v = verdicts.get(account)
        if v is None:
            continue
        if not u.reached:
            u.leaked_by_id += tokens
            u.reached = event_id == v.first_flagged_event_id
        if v.events_before_flag is not None and u.events <= v.events_before_flag:
            u.leaked_by_count += tokens
    return usage, bad


def _leaked(u: _Usage, v: Verdict | None) -> int:
    if v is None:
        return u.tokens
    if u.reached:
        return u.leaked_by_id
    if v.events_before_flag is not None:
        return u.leaked_by_count
    return u.tokens


@dataclass
class CampaignResult:
    campaign: str
    type: str
    accounts: int
    flagged: int
    events: int
    completion_tokens: int
    leaked_tokens: int
    events_before_flag: list[int]
    delays_s: list[float]
    peak_scores: list[float] = field(default_factory=list)  # each account's highest score
    drivers: Counter[str] = field(default_factory=Counter)  # flagged accounts per family

    @property
    def recall(self) -> float:
        return self.flagged / self.accounts if self.accounts else 0.0

    @property
    def leaked_share(self) -> float:
        return self.leaked_tokens / self.completion_tokens if self.completion_tokens else 0.0

    @property
    def median_events_before_flag(self) -> float | None:
        return statistics.median(self.events_before_flag) if self.events_before_flag else None

    @property
    def median_score(self) -> float | None:
        """The median account's highest score (None without a scores file)."""
        return statistics.median(self.peak_scores) if self.peak_scores else None


@dataclass
class PersonaResult:
    persona: str
    accounts: int
    flagged: int
    peak_scores: list[float] = field(default_factory=list)  # each account's highest score
    drivers: Counter[str] = field(default_factory=Counter)  # flagged accounts per family

    @property
    def top_score(self) -> float | None:
        """The highest score any of its accounts reached (None without a scores file): how
        near the persona's most suspect honest account came to a verdict."""
        return max(self.peak_scores, default=None)

    @property
    def fpr(self) -> float:
        return self.flagged / self.accounts if self.accounts else 0.0


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass
class Metrics:
    tp: int
    fp: int
    fn: int
    tn: int
    campaigns: list[CampaignResult]
    personas: list[PersonaResult]
    heavy_accounts: int
    heavy_benign: int
    heavy_benign_flagged: int
    heavy_benign_enforced: int  # throttled or blocked at some point, not only reviewed
    unlabelled_flagged: int
    unlabelled_events: int
    invalid_lines: int
    actions: dict[str, int]
    benign_scores: list[float]
    attack_scores: list[float]
    scores_source: str

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None if p is None or r is None else 0.0
        return 2 * p * r / (p + r)

    @property
    def benign_fpr(self) -> float | None:
        return _ratio(self.fp, self.fp + self.tn)

    @property
    def heavy_fpr(self) -> float | None:
        return _ratio(self.heavy_benign_flagged, self.heavy_benign)

    @property
    def top_benign_score(self) -> float | None:
        """The highest score any benign account reached: how near the run came to one more
        false positive."""
        return max(self.benign_scores, default=None)

    def as_dict(self) -> dict[str, object]:
        return {
            "precision": self.precision, "recall": self.recall, "f1": self.f1,
            "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
            "benign_fpr": self.benign_fpr, "heavy_fpr": self.heavy_fpr,
            "heavy_accounts": self.heavy_accounts, "heavy_benign": self.heavy_benign,
            "heavy_benign_flagged": self.heavy_benign_flagged,
            "heavy_benign_enforced": self.heavy_benign_enforced,
            "campaigns": {c.campaign: {
                "type": c.type, "accounts": c.accounts, "flagged": c.flagged,
                "recall": c.recall, "median_events_before_flag": c.median_events_before_flag,
                "leaked_tokens": c.leaked_share, "median_score": c.median_score,
                "drivers": dict(c.drivers.most_common())}
                for c in self.campaigns},
            "personas": {p.persona: {"accounts": p.accounts, "flagged": p.flagged,
                                     "fpr": p.fpr, "top_score": p.top_score,
                                     "drivers": dict(p.drivers.most_common())}
                         for p in self.personas},
            "unlabelled_flagged": self.unlabelled_flagged, "invalid_lines": self.invalid_lines,
        }  # fmt: skip


def evaluate(
    events: Path,
    labels: dict[str, Label],
    verdicts: dict[str, Verdict],
    scores: dict[str, float] | None = None,
) -> Metrics:
    usage, bad = scan_events(events, verdicts)
    # Only accounts that sent something count: the labels may list idle ones.
    seen = {a: lab for a, lab in labels.items() if a in usage}
    ranked = sorted(seen, key=lambda a: (-usage[a].events, a))
    heavy = set(ranked[: math.ceil(HEAVY_SHARE * len(ranked))])
    tp = fp = fn = tn = 0
    campaigns: dict[str, CampaignResult] = {}
    personas: dict[str, PersonaResult] = {}
    heavy_benign = heavy_flagged = heavy_enforced = 0
    for account, lab in seen.items():
        u, v = usage[account], verdicts.get(account)
        flagged = v is not None
        if lab.is_attack:
            tp, fn = tp + flagged, fn + (not flagged)
            c = campaigns.get(lab.group)
            if c is None:
                c = campaigns[lab.group] = CampaignResult(
                    lab.group, lab.campaign_type or "", 0, 0, 0, 0, 0, [], []
                )
            c.accounts += 1
            c.events += u.events
            c.completion_tokens += u.tokens
            c.leaked_tokens += _leaked(u, v)
            if scores is not None:
                c.peak_scores.append(scores.get(account, 0.0))
            if v is not None:
                c.flagged += 1
                c.drivers.update(v.families)
                if v.events_before_flag is not None:
                    c.events_before_flag.append(int(v.events_before_flag))
                if v.first_flagged_ts is not None and u.first_ts is not None:
                    c.delays_s.append(max(0.0, float(v.first_flagged_ts) - u.first_ts))
        else:
            fp, tn = fp + flagged, tn + (not flagged)
            p = personas.setdefault(lab.group, PersonaResult(lab.group, 0, 0))
            p.accounts += 1
            p.flagged += flagged
            if v is not None:
                p.drivers.update(v.families)
            if scores is not None:
                p.peak_scores.append(scores.get(account, 0.0))
            if account in heavy:
                heavy_benign += 1
                heavy_flagged += flagged
                heavy_enforced += v is not None and v.action in ENFORCED
    if scores:
        source = "per-account max score (scores file)"
        benign_scores = [scores[a] for a, lab in seen.items() if not lab.is_attack and a in scores]
        attack_scores = [scores[a] for a, lab in seen.items() if lab.is_attack and a in scores]
    else:
        source = "score at first flag (flagged accounts only)"
        with_score = {a: v.score for a, v in verdicts.items() if a in seen and v.score is not None}
        benign_scores = [float(s) for a, s in with_score.items() if not seen[a].is_attack]
        attack_scores = [float(s) for a, s in with_score.items() if seen[a].is_attack]
    return Metrics(
        tp=tp, fp=fp, fn=fn, tn=tn,
        campaigns=sorted(campaigns.values(), key=lambda c: c.campaign),
        personas=sorted(personas.values(), key=lambda p: p.persona),
        heavy_accounts=len(heavy), heavy_benign=heavy_benign, heavy_benign_flagged=heavy_flagged,
        heavy_benign_enforced=heavy_enforced,
        unlabelled_flagged=sum(1 for a in verdicts if a not in seen),
        unlabelled_events=sum(u.events for a, u in usage.items() if a not in labels),
        invalid_lines=bad,
        actions=dict(Counter(v.action for a, v in verdicts.items() if a in seen)),
        benign_scores=benign_scores, attack_scores=attack_scores, scores_source=source,
    )  # fmt: skip


def check_bounds(m: Metrics, bounds: dict[str, Any], wording: str = "default") -> list[str]:
    """Failures of ``m`` against expected.json's ``detection`` bounds (empty = all met).

    ``known_gaps`` maps a campaign type that misses the per-campaign targets to the
    floors measured for it instead (``recall_min``, ``leaked_tokens_max``): a gap is
    declared, argued in docs/evaluation.md, and still fails if it widens.
    ``wording_gaps`` declares more of them for the run's wording family alone, so that
    a gap one family shows does not loosen the bounds of the others."""
    failures = []

    def low(name: str, value: float | None, bound: float) -> None:
        if value is None or value < bound:
            failures.append(f"{name} = {value} < {bound}")

    def high(name: str, value: float | None, bound: float) -> None:
        if value is None or value > bound:
            failures.append(f"{name} = {value} > {bound}")

    if "precision_min" in bounds:
        low("precision", m.precision, bounds["precision_min"])
    gaps = dict(bounds.get("known_gaps", {}))
    for campaign_type, gap in bounds.get("wording_gaps", {}).get(wording, {}).items():
        gaps[campaign_type] = {**gaps.get(campaign_type, {}), **gap}
    for c in m.campaigns:
        gap = gaps.get(c.type, {})
        recall_min = gap.get("recall_min", bounds.get("recall_min_per_campaign"))
        leaked_max = gap.get("leaked_tokens_max", bounds.get("leaked_tokens_max"))
        if recall_min is not None:
            low(f"recall[{c.campaign}]", c.recall, recall_min)
        if leaked_max is not None:
            high(f"leaked_tokens[{c.campaign}]", c.leaked_share, leaked_max)
    if "benign_fpr_max" in bounds:
        high("benign_fpr", m.benign_fpr, bounds["benign_fpr_max"])
    if "heavy_benign_flagged_max" in bounds:
        high("heavy_benign_flagged", m.heavy_benign_flagged, bounds["heavy_benign_flagged_max"])
    if "heavy_benign_enforced_max" in bounds:
        high("heavy_benign_enforced", m.heavy_benign_enforced, bounds["heavy_benign_enforced_max"])
    return failures
