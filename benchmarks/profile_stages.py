"""Where an event's microseconds go: ``detect`` or the worker under a profiler, by stage.

    python benchmarks/profile_stages.py [--scenario mixed | --input EVENTS]
        [--target detect|worker] [--profiler cprofile|py-spy] [--save PROFILE]

It runs the target once as it is, for its CPU per event (the process tree: ``detect``'s
whole command, the worker from its first commit to its last), and once under the
profiler; it then sorts the profile's time into stages (:data:`STAGES`, by the file of
the code that spent it) and prints each stage's share and its microseconds per event (the
share of the unprofiled CPU), with the functions that spent most in it. The worker runs
against its own redis-server and Tansu broker.

* ``cprofile`` (the standard library; the default) counts every call, which inflates
  code made of many small calls, and sees one thread of one process: ``detect`` then
  parses in its own process (``HARVESTGUARD_PARSE_IN_CHILD=false``), and the worker's
  Kafka I/O threads are not seen. Time spent in C (msgspec, orjson, hashing) counts for
  the Python code that called it.
* ``py-spy`` (``pip install py-spy``) samples every thread of the process and its children
  250 times a second with little overhead, and is nearer the truth; it needs the right to
  ptrace its child (a container may need ``--cap-add SYS_PTRACE``). Samples of threads
  waiting on a lock, a queue or a socket are left out.

``--save`` keeps the profile: a pstats file for ``python -m pstats`` or snakeviz, or
py-spy's collapsed stacks for speedscope.app or flamegraph.pl.
"""

from __future__ import annotations

import argparse
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.pipeline import (  # noqa: E402
    CLI,
    PARTITIONS,
    TOPICS,
    generate,
    produce,
    run_detect,
    run_workers,
)
from tests.servers import DEFAULT_SESSION_TIMEOUT_MS, RedisServer, TansuBroker, create_topics  # noqa: E402

# Stage: path fragments of the code that works for it (the first stage that matches wins).
# Time spent outside these files (the standard library, C calls) counts for the nearest
# caller that is in one. Keep this table in step with the modules' names.
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("start-up", ("<frozen importlib", "<module>", "service/cli.py", "service/gc_tuning.py")),
    ("parse", ("service/contract.py", "service/adapters/", "gzip.py", "isal/")),
    ("observe", ("service/features/observation.py", "service/features/content.py",
                 "service/features/cues.py", "service/features/fingerprint.py")),
    ("windows", ("service/features/windows.py", "service/features/sketch.py",
                 "service/features/segments.py", "service/state/account.py")),
    # The evidence families, the feature vector they read and the round that scores.
    ("scoring", ("detectors/", "service/features/vector.py", "service/scoring.py", "river/")),
    ("linkage", ("service/state/links.py", "service/state/redis_links.py")),
    ("policy", ("service/policy.py", "service/verdicts.py", "service/alerts.py",
                "service/state/feedback.py", "service/state/alert_log.py")),
    ("store", ("service/state/", "redis/", "hiredis")),
    ("Kafka", ("kafka/",)),
    ("batch loop and hand-over", ("service/pipeline.py", "service/offline.py", "service/worker.py",
                                  "multiprocessing/")),
]  # fmt: skip
OTHER = "other"
# Innermost frames of threads waiting, which py-spy does not always see as idle.
_WAITS = ("Condition.wait (", "Event.wait (", "wait (threading.py", "Selector.select (selectors.py")


def stage_of(place: str) -> str | None:
    """The stage of a file (or a pstats function label), or None when it is nobody's."""
    for stage, fragments in STAGES:
        if any(fragment in place for fragment in fragments):
            return stage
    return None


# ------------------------------------------------------------------ py-spy


def spy_stages(collapsed: Iterable[str]) -> tuple[Counter[str], dict[str, Counter[str]]]:
    """Samples per stage from py-spy's collapsed stacks (``frame;frame;... count``, outermost
    first, each frame ``function (file:line)``): a sample belongs to the stage of its
    innermost frame that has one. Also the innermost frames that spent them, per stage."""
    stages: Counter[str] = Counter()
    where: dict[str, Counter[str]] = defaultdict(Counter)
    for line in collapsed:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack:
            continue
        frames = stack.split(";")
        if any(wait in frames[-1] for wait in _WAITS):
            continue
        # An import is start-up wherever it happens.
        found = "start-up" if any("<frozen importlib" in f for f in frames) else None
        for frame in reversed(frames):
            if found is not None:
                break
            found = stage_of(frame[frame.rfind("(") + 1 :])
        stage = found or OTHER
        stages[stage] += int(count)
        where[stage][frames[-1].split(" (")[0] if "(" in frames[-1] else "(no Python frame)"] += (
            int(count)
        )
    return stages, where


# ------------------------------------------------------------------ cProfile

Func = tuple[str, int, str]


def _label(func: Func) -> str:
    file, line, name = func
    if file == "~":
        return name
    for root in (f"{REPO_ROOT}/", f"{Path.cwd()}/", "site-packages/", "lib/python"):
        file = file.split(root, 1)[-1]
    return f"{name} ({file}:{line})"


def profile_stages(stats: pstats.Stats) -> tuple[Counter[str], dict[str, Counter[str]]]:
    """Seconds per stage from cProfile's statistics: each function's own time goes to its
    file's stage or, failing one, to its callers' stages in proportion to the time it spent
    for each (a C call such as a JSON decode counts for the Python code that made it)."""
    table = stats.stats  # type: ignore[attr-defined]
    memo: dict[Func, dict[str, float]] = {}

    def shares(func: Func, seen: frozenset[Func]) -> dict[str, float]:
        if func in memo:
            return memo[func]
        file, _, name = func
        own = stage_of(f"{file} {name}") if file != "~" else None
        if own is not None:
            return {own: 1.0}
        callers = table[func][4]
        spent = sum(timing[2] for timing in callers.values())
        mix: dict[str, float] = defaultdict(float)
        for caller, timing in callers.items():
            if caller in seen or caller not in table:
                continue
            weight = timing[2] / spent if spent else 1 / len(callers)
            for stage, part in shares(caller, seen | {func}).items():
                mix[stage] += weight * part
        result = dict(mix) or {OTHER: 1.0}
        memo[func] = result
        return result

    stages: Counter[str] = Counter()
    where: dict[str, Counter[str]] = defaultdict(Counter)
    for func, (_, _, own_time, _, _) in table.items():
        for stage, part in shares(func, frozenset()).items():
            stages[stage] += own_time * part
            where[stage][_label(func)] += own_time * part
    return stages, where


# ------------------------------------------------------------------ running


def profiled(argv: list[str], profiler: str, out: Path) -> list[str]:
    """``argv`` (a ``python -m service.cli ...`` command) under the profiler, writing ``out``."""
    if profiler == "py-spy":
        if shutil.which("py-spy") is None:
            raise SystemExit("py-spy is not installed: pip install py-spy")
        return ["py-spy", "record", "--format", "raw", "--rate", "250", "--subprocesses",
                "--output", str(out), "--", *argv]  # fmt: skip
    python, _, module, *rest = argv  # [python, -m, service.cli, ...]
    return [python, "-m", "cProfile", "-o", str(out), "-m", module, *rest]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="mixed", help="simulator scenario (default mixed)")
    parser.add_argument("--input", type=Path, help="events file to use instead of a scenario")
    parser.add_argument("--target", choices=("detect", "worker"), default="detect")
    parser.add_argument("--profiler", choices=("cprofile", "py-spy"), default="cprofile")
    parser.add_argument("--save", type=Path, help="keep the profile here")
    parser.add_argument("--top", type=int, default=3, help="functions shown per stage")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.profiler == "cprofile":  # one process, so that cProfile sees the parsing
        env["HARVESTGUARD_PARSE_IN_CHILD"] = "false"
    with tempfile.TemporaryDirectory(prefix="hg-profile-") as tmp:
        directory = Path(tmp)
        events = args.input or generate(args.scenario, directory)
        out = args.save or directory / "profile.out"
        if args.target == "detect":
            reference = run_detect(events, directory, env)
            command = [*CLI, "detect", "--input", str(events), "--output",
                       str(directory / "verdicts.jsonl"), "--no-progress"]  # fmt: skip
            subprocess.run(profiled(command, args.profiler, out), env=env, check=True,
                           capture_output=True)  # fmt: skip
        else:
            with RedisServer() as redis_server, TansuBroker() as broker:
                create_topics(broker.bootstrap, TOPICS, PARTITIONS)
                total, _ = produce(broker.bootstrap, TOPICS[0], events)
                reference = run_workers(broker.bootstrap, redis_server.url, TOPICS[0], total)
                env.update(
                    HARVESTGUARD_STORE="redis", HARVESTGUARD_REDIS_URL=redis_server.url,
                    HARVESTGUARD_REDIS_PREFIX="profiled",
                    HARVESTGUARD_KAFKA_BOOTSTRAP=broker.bootstrap,
                    HARVESTGUARD_CONSUMER_GROUP="profiled", HARVESTGUARD_METRICS_PORT="0",
                    HARVESTGUARD_SESSION_TIMEOUT_MS=str(DEFAULT_SESSION_TIMEOUT_MS),
                )  # fmt: skip
                command = [*CLI, "worker", "--exit-when-idle", "5"]
                subprocess.run(profiled(command, args.profiler, out), env=env, check=True)
        if args.profiler == "py-spy":
            stages, where = spy_stages(out.read_text().splitlines())
        else:
            stages, where = profile_stages(pstats.Stats(str(out)))

    per_event = reference.cpu / reference.events * 1e6
    if args.target == "worker":  # measured from its first commit to its last: no start-up
        stages.pop("start-up", None)
        span = "from its first commit to its last"
    else:
        span = "the whole command, start-up included"
    total_weight = sum(stages.values())
    print(f"{args.target} over {reference.events:,} events ({args.input or args.scenario}):"
          f" {per_event:.1f} us of CPU an event unprofiled (the process tree, {span});"
          f" shares from {args.profiler}\n")  # fmt: skip
    print("| stage | share | us per event | where (share of the stage) |\n|---|---:|---:|---|")
    order = [name for name, _ in STAGES] + [OTHER]
    for stage in sorted(stages, key=lambda s: (-stages[s], order.index(s))):
        share = stages[stage] / total_weight
        top = ", ".join(
            f"{name} {spent / stages[stage]:.0%}"
            for name, spent in where[stage].most_common(args.top)
        )
        print(f"| {stage} | {share:.1%} | {share * per_event:.1f} | {top} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
