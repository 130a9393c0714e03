"""The fault harness in CI: fewer kills than the benchmark, every kind of fault on one
durable Redis server.

The full run (ten kills and more, and a second clean pass) is
``python benchmarks/faults.py``; ``--failovers N`` runs it on a replicated Redis
Cluster, whose failover CI plays out in tests/test_failover.py.

State and verdicts must be exact: each event counted once, per account the
same windows as a clean pass, and the same decisions and verdict lines, which
offline ``detect`` over the same events writes too. A
worker scores an account at points fixed by its own events, reading
cross-account state as of the last epoch every partition has finished
(docs/design/core-path.md), so kills, outages and rebalances move nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.harness import FaultPlan, run_faults

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)


def test_faults_lose_nothing_and_count_nothing_twice(tmp_path: Path) -> None:
    plan = FaultPlan(kills=3, redis_outages=1, broker_outages=1, rebalances=1)
    report = run_faults(plan, tmp_path, clean_passes=1)
    print("\n".join(report.lines()))

    assert not report.crashes, report.crashes
    assert not report.produce_errors, report.produce_errors[:5]
    assert report.survived == report.injected
    assert report.events > 10_000
    assert report.lost == 0 and report.double_counted == 0
    assert report.state_mismatches == []
    assert report.malformed > 0 and report.dlq_missing == 0

    fault, clean = report.runs["fault"], report.runs["clean0"]
    assert clean.flagged and report.caught("clean0")[1] == 0
    assert fault.against(clean) == (0, 0)
    assert fault.lines == clean.lines, differing(fault.lines, clean.lines)
    # and offline detect over the same events
    assert report.detect_lines == clean.lines, differing(report.detect_lines, clean.lines)


def differing(got: bytes, expected: bytes) -> str:
    """The verdict lines that differ, whole (a byte diff cut at one digit names no field)."""
    pairs = zip(got.splitlines(), expected.splitlines(), strict=False)
    shown = [f"got      {a.decode()}\nexpected {b.decode()}" for a, b in pairs if a != b]
    return "\n".join(shown[:3]) or "the same lines, a different count"
