"""What a fault run is judged on: each event counted exactly once, and the same verdicts.

The ground truth is what the producer saw acknowledged, each valid event once.
Per account, the fault run's state must equal a clean pass's (windows, counts,
ids seen); events that neither the fault run nor the clean pass counted were
not readable from the broker at all and are reported apart (Tansu's S3 storage
has been seen to lose a few acknowledged records across restarts); every
malformed record must be in the DLQ; and the verdicts (each account's decision,
and the first-flag verdict lines ``detect`` would write) must be the clean
pass's, byte for byte: scoring reads cross-account state as of epochs every
worker has finished, so neither batching nor restarts move it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import orjson
import redis
from redis.cluster import RedisCluster

from service.state.account import Decision
from simulations.labels import Label
from tests.servers import read_topic
from tests.workers import Topics, account_decisions, account_states, verdict_lines


@dataclass
class Verdicts:
    """One run's verdicts: every stored decision, and the first-flag verdict lines."""

    decisions: dict[str, Decision]
    lines: bytes

    @property
    def flagged(self) -> set[str]:
        return {a for a, decision in self.decisions.items() if decision.action != "allow"}

    def against(self, other: Verdicts) -> tuple[int, int]:
        """(accounts flagged by only one of the two, accounts whose decisions differ)."""
        differ = sum(
            1
            for a in self.decisions.keys() | other.decisions.keys()
            if self.decisions.get(a) != other.decisions.get(a)
        )
        return len(self.flagged ^ other.flagged), differ


@dataclass
class FaultReport:
    events: int = 0
    malformed: int = 0
    accounts: int = 0
    unreadable: int = 0  # acknowledged to the producer, read by no worker at all
    lost: int = 0
    double_counted: int = 0
    state_mismatches: list[str] = field(default_factory=list)
    dlq_missing: int = 0
    refused_valid: Counter[str] = field(default_factory=Counter)  # valid events dead-lettered
    runs: dict[str, Verdicts] = field(default_factory=dict)
    detect_lines: bytes = b""  # what offline detect writes over the same events
    labels: dict[str, Label] = field(default_factory=dict)
    injected: dict[str, int] = field(default_factory=dict)
    survived: dict[str, int] = field(default_factory=dict)
    crashes: list[str] = field(default_factory=list)
    produce_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def caught(self, run: str) -> tuple[int, int]:
        """(attack accounts flagged, benign accounts flagged) in ``run``."""
        flagged = self.runs[run].flagged
        attack = sum(1 for a in flagged if a in self.labels and self.labels[a].is_attack)
        return attack, len(flagged) - attack

    def lines(self) -> list[str]:
        attackers = sum(1 for label in self.labels.values() if label.is_attack)
        rows = [
            ("events (valid, once each)", f"{self.events:,} over {self.accounts:,} accounts"),
            ("malformed records", f"{self.malformed:,}, {self.dlq_missing} missing from the DLQ"),
            ("acknowledged events no worker could read", str(self.unreadable)),
            (
                "valid events refused",
                f"{sum(self.refused_valid.values())} {dict(self.refused_valid)}",
            ),
        ]
        for fault, injected in self.injected.items():
            survived = self.survived.get(fault, 0)
            rows.append((f"{fault} faults survived", f"{survived} of {injected}"))
        rows += [
            ("worker crashes", str(len(self.crashes))),
            ("events lost", str(self.lost)),
            ("events double-counted", str(self.double_counted)),
            ("accounts whose state differs", str(len(self.state_mismatches))),
        ]
        clean = next(iter(name for name in self.runs if name != "fault"))
        for name, verdicts in self.runs.items():
            attack, benign = self.caught(name)
            line = f"{attack} of {attackers} attack accounts, {benign} benign"
            if name != clean:
                only, differ = verdicts.against(self.runs[clean])
                same = "the same" if verdicts.lines == self.runs[clean].lines else "other"
                line += (
                    f"; vs {clean}: {only} flagged by one only, {differ} decisions differ, "
                    f"{same} verdict lines"
                )
            rows.append((f"flagged, {name} run", line))
        same = "the same" if self.detect_lines == self.runs[clean].lines else "other"
        rows.append(("detect over the same events", f"{same} verdict lines as {clean}"))
        rows.append(("seconds", f"{self.seconds:.0f}"))
        width = max(len(name) for name, _ in rows)
        return [f"{name:<{width}}  {value}" for name, value in rows]


def expected_counts(
    records: list[bytes], malformed: set[int], placed: dict[int, tuple[int, int]]
) -> Counter[str]:
    """Per account, the valid events that landed on the topic, each event id once."""
    counts: Counter[str] = Counter()
    seen: set[str] = set()
    for index in placed:
        if index in malformed:
            continue
        event = orjson.loads(records[index])
        if event["event_id"] not in seen:
            seen.add(event["event_id"])
            counts[event["account_id"]] += 1
    return counts


def compare_runs(
    client: redis.Redis | RedisCluster,
    bootstrap: str,
    topics: Topics,
    records: list[bytes],
    malformed: set[int],
    placed: dict[int, tuple[int, int]],
    labels: dict[str, Label],
    clean_prefixes: list[str],
) -> FaultReport:
    expected = expected_counts(records, malformed, placed)
    fault = account_states(client, "fault")
    clean = account_states(client, clean_prefixes[0])
    report = FaultReport(events=sum(expected.values()), accounts=len(expected), labels=labels)
    for account, count in expected.items():
        counted = fault[account][1] if account in fault else 0
        readable = max(clean[account][1] if account in clean else 0, counted)
        report.unreadable += count - min(readable, count)
        report.lost += max(min(readable, count) - counted, 0)
        report.double_counted += max(counted - count, 0)
    report.state_mismatches = sorted(
        a for a in fault.keys() | clean.keys() if fault.get(a) != clean.get(a)
    )
    messages = [orjson.loads(v or b"") for *_, v in read_topic(bootstrap, topics.dlq)]
    dead = {(message["partition"], message["offset"]) for message in messages}
    landed = [placed[i] for i in malformed if i in placed]
    bad = set(landed)
    report.refused_valid = Counter(
        m["reason"].split(":", 1)[0] for m in messages if (m["partition"], m["offset"]) not in bad
    )
    report.malformed = len(landed)
    report.dlq_missing = sum(1 for where in landed if where not in dead)
    for name, prefix in [("fault", "fault"), *((p, p) for p in clean_prefixes)]:
        report.runs[name] = Verdicts(
            account_decisions(client, prefix), verdict_lines(client, prefix)
        )
    return report
