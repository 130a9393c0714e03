"""The pipeline benchmark: one command, one table.

    python benchmarks/pipeline.py [--scenario mixed] [--input EVENTS.jsonl.gz]

It generates the scenario's events (or takes ``--input``), starts its own
redis-server and Tansu broker on free loopback ports, and measures in one run:

1. the produce rate into a 4-partition ``llm.requests`` topic;
2. the raw kafka-python consume rate of that topic (the ceiling: no parsing);
3. the streaming worker end to end (``harvestguard worker``: real broker, real
   Redis, detector on), from its first committed batch to its last, and its
   events per CPU-second;
4. offline ``detect`` with the embedded store;
5. Redis memory per active account after the worker's run.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import redis
from kafka import KafkaProducer

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.kafka_ceiling import THROUGHPUT_PRODUCER, raw_consume_rate  # noqa: E402
from service.contract import iter_lines  # noqa: E402
from tests.servers import RedisServer, TansuBroker, committed_offsets, create_topics  # noqa: E402

PARTITIONS = 4


def generate(scenario: str, directory: Path) -> Path:
    events = directory / f"{scenario}.jsonl.gz"
    subprocess.run(
        [sys.executable, "-m", "service.cli", "simulate", scenario, "--to", "file",
         "--output", str(events), "--labels", str(directory / "labels.jsonl"), "--quiet"],
        check=True,
    )  # fmt: skip
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


def run_detect(events: Path, verdicts: Path) -> tuple[float, float]:
    """``harvestguard detect`` as users run it: its own events/s, and the whole command's wall."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "detect", "--input", str(events),
         "--output", str(verdicts), "--no-progress"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    rate = re.search(r"events: \d+ \(([\d,]+)/s", done.stderr)
    if rate is None:
        raise RuntimeError(f"no rate in detect's summary: {done.stderr}")
    return float(rate.group(1).replace(",", "")), wall


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_workers(
    bootstrap: str,
    redis_url: str,
    topic: str,
    total: int,
    workers: int = 1,
    prefix: str = "hg",
    settings: dict[str, str] | None = None,
) -> tuple[float, float, float]:
    """``workers`` worker processes in one group on ``topic``, from the group's first commit
    to its last: (events/s, events per worker CPU-second, worker cores busy). ``settings``
    adds ``HARVESTGUARD_*`` variables to the workers' environment."""
    group = f"bench-{prefix}-{uuid.uuid4().hex[:6]}"
    env = dict(os.environ)
    env.update(
        HARVESTGUARD_STORE="redis",
        HARVESTGUARD_REDIS_URL=redis_url,
        HARVESTGUARD_REDIS_PREFIX=prefix,
        HARVESTGUARD_KAFKA_BOOTSTRAP=bootstrap,
        HARVESTGUARD_TOPIC_REQUESTS=topic,
        HARVESTGUARD_CONSUMER_GROUP=group,
        HARVESTGUARD_SESSION_TIMEOUT_MS="6000",
        HARVESTGUARD_METRICS_PORT="0",
    )
    env.update(settings or {})
    command = [sys.executable, "-m", "service.cli", "--log-level", "WARNING", "worker"]
    processes = [
        subprocess.Popen([*command, "--exit-when-idle", "10"], env=env) for _ in range(workers)
    ]

    def cpu() -> float:
        return sum(cpu_seconds(p.pid) for p in processes if p.poll() is None)

    first: tuple[float, int, float] | None = None
    last: tuple[float, int, float] = (time.perf_counter(), 0, 0.0)
    while any(p.poll() is None for p in processes):
        done = sum(committed_offsets(bootstrap, group, topic).values())
        now = time.perf_counter()
        if done and first is None:
            first = (now, done, cpu())
        if done > last[1]:
            last = (now, done, cpu())
        if done >= total:
            break
        time.sleep(0.05)
    for process in processes:
        process.wait(timeout=120)
    if first is None or last[1] < total:
        raise RuntimeError(f"{workers} worker(s) committed {last[1]} of {total} events")
    events, span, used = last[1] - first[1], last[0] - first[0], last[2] - first[2]
    return events / span, events / max(used, 1e-9), used / span


def redis_bytes_per_account(redis_url: str, baseline_used: int) -> tuple[float, float, int]:
    client = redis.Redis.from_url(redis_url)
    accounts = sum(1 for _ in client.scan_iter("hg:*:s", count=1000))
    used = int(client.info("memory")["used_memory"]) - baseline_used
    sampled = [
        sum(client.memory_usage(k) or 0 for k in (key, key[:-1] + b"d"))
        for _, key in zip(range(500), client.scan_iter("hg:*:s", count=1000), strict=False)
    ]
    client.close()
    return used / max(accounts, 1), sum(sampled) / max(len(sampled), 1), accounts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="mixed", help="simulator scenario (default mixed)")
    parser.add_argument("--input", type=Path, help="events file to use instead of a scenario")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="hg-bench-") as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        events_path = args.input or generate(args.scenario, directory)
        generated_s = time.perf_counter() - started

        detect_rate, detect_wall = run_detect(events_path, directory / "verdicts.jsonl")

        with RedisServer() as redis_server, TansuBroker() as broker:
            topic = "llm.requests"
            create_topics(broker.bootstrap, [topic, "llm.requests.dlq", "llm.alerts"], PARTITIONS)
            total, produce_rate = produce(broker.bootstrap, topic, events_path)
            ceiling = raw_consume_rate(broker.bootstrap, topic, total)
            client = redis.Redis.from_url(redis_server.url)
            baseline_used = int(client.info("memory")["used_memory"])
            client.close()
            worker_rate, per_cpu, _ = run_workers(broker.bootstrap, redis_server.url, topic, total)
            per_account, sampled, accounts = redis_bytes_per_account(
                redis_server.url, baseline_used
            )

    rows = [
        ("events", f"{total:,} ({args.input or args.scenario}, generated in {generated_s:.1f} s)"),
        ("produce into Tansu (4 partitions)", f"{produce_rate:,.0f} events/s"),
        ("raw kafka-python consume (ceiling)", f"{ceiling:,.0f} events/s"),
        ("worker end to end (Redis, detector on)", f"{worker_rate:,.0f} events/s"),
        ("worker per CPU-second", f"{per_cpu:,.0f} events/CPU-s"),
        ("detect, embedded store", f"{detect_rate:,.0f} events/s ({detect_wall:.1f} s in all)"),
        ("Redis memory per active account", f"{per_account:,.0f} B (used_memory / {accounts:,})"),
        ("  MEMORY USAGE of state + decision", f"{sampled:,.0f} B (mean of 500 accounts)"),
    ]
    width = max(len(name) for name, _ in rows)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"| {'measure'.ljust(width)} | figure |")
    print(f"|{'-' * (width + 2)}|--------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
