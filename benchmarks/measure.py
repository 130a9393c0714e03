"""Measuring a command beside its yardstick: process-tree CPU, runs in turn, ratios and spread.

A figure in events per second belongs to one machine at one moment; its ratio to a
yardstick run on the same events, in the same invocation, moves much less. So every
benchmark that measures the worker or ``detect`` runs the yardstick
(benchmarks/yardstick.py) and the measured command in turn (yardstick, harvestguard,
yardstick, harvestguard, ...), and prints each run, each side's median and spread, and
the ratio of every pair: drift on a shared machine then shows as spread, not as a result.

CPU is the user and system time of the whole process tree (a command may fork children:
``detect`` parses in one), read with psutil while it runs or from the kernel's account of
reaped children once it has exited.
"""

from __future__ import annotations

import resource
import signal
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class Run:
    """One measured run: ``events`` in ``seconds`` of wall time and ``cpu`` CPU-seconds."""

    side: str
    events: int
    seconds: float
    cpu: float

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    @property
    def per_cpu(self) -> float:
        return self.events / max(self.cpu, 1e-9)


def tree_cpu_seconds(processes: Sequence[psutil.Process]) -> float:
    """User + system CPU of these processes and every descendant, live or already reaped.

    A descendant that has exited and been waited for is in its parent's ``children_*``
    times, so each CPU-second is counted once whichever side of its exit the read falls."""
    total = 0.0
    for root in processes:
        try:
            family = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for process in family:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system + times.children_user + times.children_system
    return total


def timed_command(
    side: str, argv: Sequence[str], events: int, env: Mapping[str, str] | None = None
) -> tuple[Run, str]:
    """Run a command to its end: the run (whole command: start-up included) and its stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-2000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Run(side, events, seconds, cpu), done.stderr


def consumer_group_run(
    side: str,
    commands: Sequence[Sequence[str]],
    env: Mapping[str, str],
    bootstrap: str,
    group: str,
    topic: str,
    total: int,
    timeout: float = 900.0,
) -> Run:
    """Start ``commands`` (consumers of ``group`` on ``topic``); measure from the group's first
    committed offsets to the commit that covers ``total`` events, then stop them (SIGTERM).

    Joining the group and the first batch are left out, the same for every side; the
    events counted are those committed after the first commit was seen."""
    from kafka import KafkaAdminClient

    processes = [subprocess.Popen(list(command), env=dict(env)) for command in commands]
    tree = [psutil.Process(p.pid) for p in processes]
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="harvestguard-bench")
    first: tuple[float, int, float] | None = None
    last = (time.perf_counter(), 0, 0.0)
    deadline = time.monotonic() + timeout
    try:
        while last[1] < total:
            if time.monotonic() > deadline or all(p.poll() is not None for p in processes):
                raise RuntimeError(f"{side}: {last[1]} of {total} events committed")
            offsets = admin.list_group_offsets({group: None}).get(group, {})
            done = sum(m.offset for tp, m in offsets.items() if tp.topic == topic and m.offset > 0)
            if done > last[1]:
                last = (time.perf_counter(), done, tree_cpu_seconds(tree))
                first = first or last
            time.sleep(0.05)
    finally:
        admin.close()
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=120)
    if first is None or first[1] == last[1]:
        raise RuntimeError(f"{side}: all {total} events came in one commit: too few to time")
    return Run(side, last[1] - first[1], last[0] - first[0], last[2] - first[2])


def in_turn(rounds: int, sides: Sequence[Callable[[], Run]]) -> list[list[Run]]:
    """``rounds`` runs of each side, alternating (a b a b ...): the runs of each side."""
    runs: list[list[Run]] = [[] for _ in sides]
    for _ in range(rounds):
        for side, measure in zip(runs, sides, strict=True):
            run = measure()
            print(
                f"  {run.side}: {run.events:,} events in {run.seconds:.2f} s, "
                f"{run.rate:,.0f} events/s, {run.per_cpu:,.0f} per CPU-s",
                flush=True,
            )
            side.append(run)
    return runs


def _spread(values: Sequence[float], digits: int = 0) -> str:
    middle = statistics.median(values)
    low, high = min(values), max(values)
    if len(values) < 2:
        return f"{middle:,.{digits}f}"
    plus_minus = (high - low) / 2 / middle if middle else 0.0
    return f"{middle:,.{digits}f} ({low:,.{digits}f} to {high:,.{digits}f}, ±{plus_minus:.0%})"


def comparison(title: str, yardstick: Sequence[Run], measured: Sequence[Run]) -> list[str]:
    """A Markdown table: median (range, ±half the range) of each side and of the pair ratios."""
    pairs = list(zip(measured, yardstick, strict=True))
    rows = [
        (f"events/s ({title})",
         _spread([r.rate for r in yardstick]), _spread([r.rate for r in measured]),
         _spread([m.rate / y.rate for m, y in pairs], 2)),
        ("events per CPU-second",
         _spread([r.per_cpu for r in yardstick]), _spread([r.per_cpu for r in measured]),
         _spread([m.per_cpu / y.per_cpu for m, y in pairs], 2)),
        ("CPU cores busy",
         _spread([r.cpu / r.seconds for r in yardstick], 2),
         _spread([r.cpu / r.seconds for r in measured], 2), ""),
    ]  # fmt: skip
    head = f"| {len(pairs)} run(s) each, in turn | yardstick | harvestguard | ratio |"
    return [head, "|---|---:|---:|---:|", *(f"| {' | '.join(row)} |" for row in rows)]
