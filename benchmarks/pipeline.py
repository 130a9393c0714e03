"""The pipeline benchmark: harvestguard beside its yardsticks, on the same events, in one run.

    python benchmarks/pipeline.py [--scenario mixed | --input EVENTS.jsonl[.gz]] [--rounds 2]

It generates the scenario's events (or takes ``--input``), then:

1. offline: the offline yardstick and ``harvestguard detect`` (embedded store), whole
   commands, in turn, ``--rounds`` times each;
2. starts its own redis-server and Tansu broker on free loopback ports, produces the
   events into a 4-partition ``llm.requests`` topic keyed by account (the produce rate)
   and reads them back with kafka-python alone (the raw consume rate: no parsing);
3. streaming: the streaming yardstick and ``harvestguard worker`` (Redis, detection on),
   each as a consumer group of its own on that topic, in turn, ``--rounds`` times each,
   from each group's first commit to its last;
4. Redis memory per active account after the last worker run.

Every run is printed as it ends, then one table per comparison (each side's median,
range and spread, and the ratio of each pair: benchmarks/measure.py) and the rest.
docs/performance.md explains the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import redis
from kafka import KafkaProducer

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.kafka_ceiling import THROUGHPUT_PRODUCER, raw_consume_rate  # noqa: E402
from benchmarks.measure import Run, comparison, consumer_group_run, in_turn, timed_command  # noqa: E402
from service.contract import iter_lines  # noqa: E402
from service.settings import Settings  # noqa: E402
from tests.servers import DEFAULT_SESSION_TIMEOUT_MS, RedisServer, TansuBroker, create_topics  # noqa: E402

PARTITIONS = 4
TOPICS = ["llm.requests", "llm.requests.dlq", "llm.alerts", "yardstick.alerts"]
CLI = [sys.executable, "-m", "service.cli", "--log-level", "WARNING"]
UNWATERMARKED = [sys.executable, "-m", "benchmarks.unwatermarked", "--log-level", "WARNING"]
YARDSTICK = [sys.executable, "-m", "benchmarks.yardstick"]
_EVENTS = re.compile(r"events: (\d+)")


def generate(scenario: str, directory: Path) -> Path:
    events = directory / f"{scenario}.jsonl.gz"
    command = [*CLI, "simulate", scenario, "--to", "file", "--output", str(events),
               "--labels", str(directory / "labels.jsonl"), "--quiet"]  # fmt: skip
    timed_command("simulate", command, 0)
    return events


def produce(bootstrap: str, topic: str, path: Path) -> tuple[int, float]:
    records = []
    for _, line in iter_lines(path):
        value = line.rstrip(b"\n")
        # The account id is the key: Kafka partitions by account, so one worker owns it.
        start = value.find(b'"account_id":') + 13
        key = value[start : value.find(b",", start)].strip(b' "')
        records.append((key, value))
    producer = KafkaProducer(bootstrap_servers=bootstrap, **THROUGHPUT_PRODUCER)
    started = time.perf_counter()
    for key, value in records:
        producer.send(topic, key=key, value=value)
    producer.flush(timeout=600)
    elapsed = time.perf_counter() - started
    producer.close()
    return len(records), len(records) / elapsed


def _counted(side: str, argv: list[str], env: dict[str, str] | None = None) -> Run:
    """A whole command that reports ``events: N`` on stderr, as detect and the yardstick do."""
    run, stderr = timed_command(side, argv, 0, env)
    found = _EVENTS.search(stderr)
    if found is None:
        raise RuntimeError(f"{side}: no event count in its stderr: {stderr[-500:]}")
    return Run(side, int(found.group(1)), run.seconds, run.cpu)


def run_detect(events: Path, directory: Path, env: dict[str, str] | None = None) -> Run:
    """``harvestguard detect`` as users run it, start-up and verdict file included."""
    verdicts = directory / "verdicts.jsonl"
    return _counted("detect", [*CLI, "detect", "--input", str(events), "--output", str(verdicts),
                               "--no-progress"], env)  # fmt: skip


def run_file_yardstick(events: Path, directory: Path) -> Run:
    alerts = directory / "yardstick-alerts.jsonl"
    return _counted("yardstick", [*YARDSTICK, "file", "--input", str(events), "--output",
                                  str(alerts)])  # fmt: skip


def _group(name: str) -> str:
    return f"bench-{name}-{uuid.uuid4().hex[:6]}"


def run_workers(
    bootstrap: str,
    redis_url: str,
    topic: str,
    total: int,
    workers: int = 1,
    prefix: str = "hg",
    settings: dict[str, str] | None = None,
    cli: Sequence[str] = CLI,
) -> Run:
    """``workers`` ``harvestguard worker`` processes in one group on ``topic``, from the
    group's first commit to its last. ``settings`` adds ``HARVESTGUARD_*`` variables;
    ``cli`` replaces the command line before ``worker`` (benchmarks/unwatermarked.py)."""
    group = _group(prefix)
    env = dict(os.environ)
    env.update(
        HARVESTGUARD_STORE="redis",
        HARVESTGUARD_REDIS_URL=redis_url,
        HARVESTGUARD_REDIS_PREFIX=prefix,
        HARVESTGUARD_KAFKA_BOOTSTRAP=bootstrap,
        HARVESTGUARD_TOPIC_REQUESTS=topic,
        HARVESTGUARD_CONSUMER_GROUP=group,
        HARVESTGUARD_SESSION_TIMEOUT_MS=str(DEFAULT_SESSION_TIMEOUT_MS),
        HARVESTGUARD_METRICS_PORT="0",
    )
    env.update(settings or {})
    command = [*cli, "worker", "--exit-when-idle", "30"]
    return consumer_group_run(
        f"worker x{workers}", [command] * workers, env, bootstrap, group, topic, total
    )


def run_stream_yardstick(bootstrap: str, topic: str, total: int, consumers: int = 1) -> Run:
    """The streaming yardstick: ``consumers`` processes in a group of their own on ``topic``,
    with the worker's batch size."""
    group = _group("yardstick")
    command = [*YARDSTICK, "stream", "--bootstrap", bootstrap, "--topic", topic,
               "--group", group, "--alerts-topic", "yardstick.alerts", "--exit-when-idle", "30",
               "--max-poll-records", str(Settings(_env_file=None).max_poll_records),
               "--session-timeout-ms", str(DEFAULT_SESSION_TIMEOUT_MS)]  # fmt: skip
    return consumer_group_run(
        f"yardstick x{consumers}", [command] * consumers, dict(os.environ), bootstrap, group,
        topic, total,
    )  # fmt: skip


def redis_bytes_per_account(
    redis_url: str, baseline_used: int, prefix: str = "hg"
) -> tuple[float, float, int]:
    """``used_memory`` per account state, the mean ``MEMORY USAGE`` of state plus decision
    over 500 accounts, and the number of accounts."""
    client = redis.Redis.from_url(redis_url)
    accounts = sum(1 for _ in client.scan_iter(f"{prefix}:*:s", count=1000))
    used = int(client.info("memory")["used_memory"]) - baseline_used
    sampled = [
        sum(client.memory_usage(k) or 0 for k in (key, key[:-1] + b"d"))
        for _, key in zip(range(500), client.scan_iter(f"{prefix}:*:s", count=1000), strict=False)
    ]
    client.close()
    return used / max(accounts, 1), sum(sampled) / max(len(sampled), 1), accounts


def machine() -> str:
    return (
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="mixed", help="simulator scenario (default mixed)")
    parser.add_argument("--input", type=Path, help="events file to use instead of a scenario")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each side (default 2)")
    args = parser.parse_args(argv)
    print(machine(), flush=True)

    with tempfile.TemporaryDirectory(prefix="hg-bench-") as tmp:
        directory = Path(tmp)
        events_path = args.input or generate(args.scenario, directory)

        print("offline: yardstick and detect, in turn", flush=True)
        offline = in_turn(
            args.rounds,
            [lambda: run_file_yardstick(events_path, directory),
             lambda: run_detect(events_path, directory)],
        )  # fmt: skip

        with RedisServer() as redis_server, TansuBroker() as broker:
            topic = TOPICS[0]
            create_topics(broker.bootstrap, TOPICS, PARTITIONS)
            total, produce_rate = produce(broker.bootstrap, topic, events_path)
            ceiling = raw_consume_rate(broker.bootstrap, topic, total)
            client = redis.Redis.from_url(redis_server.url)
            baseline_used = [0]

            def worker() -> Run:
                client.flushall()  # each run starts from nothing, as the first one did
                baseline_used[0] = int(client.info("memory")["used_memory"])
                return run_workers(broker.bootstrap, redis_server.url, topic, total)

            print("streaming: yardstick and worker, in turn", flush=True)
            streaming = in_turn(
                args.rounds, [lambda: run_stream_yardstick(broker.bootstrap, topic, total), worker]
            )
            per_account, sampled, accounts = redis_bytes_per_account(
                redis_server.url, baseline_used[0]
            )
            client.close()

    print(f"\n{machine()}")
    print(f"{total:,} events ({args.input or args.scenario}), {PARTITIONS} partitions\n")
    print("\n".join(comparison("worker, Redis, detection on", *streaming)), end="\n\n")
    print("\n".join(comparison("detect, embedded store", *offline)), end="\n\n")
    print("| measure | figure |\n|---|---|")
    print(f"| produce into Tansu | {produce_rate:,.0f} events/s |")
    print(f"| raw kafka-python consume (no parsing) | {ceiling:,.0f} events/s |")
    print(f"| used_memory per active account | {per_account:,.0f} B ({accounts:,} accounts) |")
    print(f"| MEMORY USAGE of state + decision | {sampled:,.0f} B (mean of 500 accounts;"
          " target 4,096) |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
