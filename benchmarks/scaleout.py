"""Scale-out: one, two and three workers in one consumer group on the same stream.

    python benchmarks/scaleout.py [--scenario mixed] [--workers 1 2 3] [--partitions 6]

Produces the scenario once into a topic with 6 partitions (2 and 3 workers then
own equal shares), and for each group size runs that many ``harvestguard worker``
processes on one redis-server, each group size on its own key prefix. For each it
prints the wall-clock rate from the group's first commit to its last, the events
per worker CPU-second (the workers' user+system time over the same span), and how
its verdicts compare with the first one-worker run. A second one-worker run
(``1b``) shows how far verdicts move when nothing changes but timing.

The broker and Redis share this machine's cores with the workers, so wall-clock
throughput cannot grow in proportion here; events per worker CPU-second says
whether adding workers costs anything per event.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import redis  # noqa: E402

from benchmarks.pipeline import generate, produce, run_workers  # noqa: E402
from tests.servers import RedisServer, TansuBroker, create_topics  # noqa: E402
from tests.workers import account_decisions  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="mixed")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--partitions", type=int, default=6)
    args = parser.parse_args(argv)
    runs = [(str(n), n) for n in args.workers]
    runs.insert(1, ("1b", 1))  # the same as the first run: the noise floor of verdicts
    rows = []
    with tempfile.TemporaryDirectory(prefix="hg-scale-") as tmp:
        events = generate(args.scenario, Path(tmp))
        with RedisServer() as redis_server, TansuBroker() as broker:
            topic = "llm.requests"
            create_topics(
                broker.bootstrap, [topic, "llm.requests.dlq", "llm.alerts"], args.partitions
            )
            total, _ = produce(broker.bootstrap, topic, events)
            client = redis.Redis.from_url(redis_server.url)
            reference: set[str] | None = None
            for name, workers in runs:
                prefix = f"w{name}"
                rate, per_cpu, cores = run_workers(
                    broker.bootstrap, redis_server.url, topic, total, workers, prefix
                )
                decisions = account_decisions(client, prefix)
                flagged = {a for a, d in decisions.items() if d.action != "allow"}
                reference = flagged if reference is None else reference
                rows.append((name, rate, per_cpu, cores, len(flagged), len(flagged ^ reference)))
            client.close()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores,"
        f" Python {platform.python_version()};"
        f" {total:,} events ({args.scenario}), {args.partitions} partitions"
    )
    base = rows[0][2]
    print("| workers | events/s (wall) | events per worker CPU-s | vs 1 worker | worker cores"
          " busy | flagged | flagged differently from run 1 |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for name, rate, per_cpu, cores, flagged, differ in rows:
        print(
            f"| {name} | {rate:,.0f} | {per_cpu:,.0f} | {per_cpu / base - 1:+.1%} | {cores:.2f}"
            f" | {flagged} | {differ} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
