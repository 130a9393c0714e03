"""What durable Redis costs the worker: one server, a replica waited for, a Redis Cluster.

    python benchmarks/durability.py [--scenario mixed | --input EVENTS]

Produces the events once into a 4-partition topic and runs one
``harvestguard worker`` over it against each Redis set-up in turn, each with its
own servers: one redis-server; one with a replica the worker does not wait for
(``HARVESTGUARD_REDIS_WAIT_REPLICAS=0``); the same waited for (``=1``: a batch's
offsets are committed only once the replica holds its state); a three-primary
Redis Cluster; and that cluster with a replica per primary, waited for. Before each,
the streaming yardstick (benchmarks/yardstick.py) runs on the same topic. It prints
the rate from the first commit to the last, the events per CPU-second of the
worker's process tree, and both as ratios to the yardstick run just before.

Every server shares this machine's two cores with the broker and the worker,
and a replica doubles Redis's work, so the wall-clock figures are what this
machine can show, not what separate hosts would.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.pipeline import (  # noqa: E402
    PARTITIONS,
    TOPICS,
    generate,
    machine,
    produce,
    run_stream_yardstick,
    run_workers,
)
from tests.servers import RedisServer, TansuBroker, create_topics  # noqa: E402
from tests.servers.redis_cluster import RedisClusterServer  # noqa: E402


@contextmanager
def one_server() -> Iterator[str]:
    with RedisServer() as server:
        yield server.url


@contextmanager
def with_replica() -> Iterator[str]:
    with RedisServer() as primary, RedisServer(replica_of=primary.port) as replica:
        while not replica.replica_in_sync():
            time.sleep(0.05)
        yield primary.url


@contextmanager
def cluster(replicas: int) -> Iterator[str]:
    with RedisClusterServer(replicas=replicas) as servers:
        yield servers.url


SETUPS: list[tuple[str, Callable[[], AbstractContextManager[str]], dict[str, str]]] = [
    ("one redis-server", one_server, {}),
    ("with a replica, not waited for", with_replica, {}),
    ("with a replica, waited for", with_replica, {"HARVESTGUARD_REDIS_WAIT_REPLICAS": "1"}),
    ("Redis Cluster, 3 primaries", lambda: cluster(0), {"HARVESTGUARD_REDIS_CLUSTER": "true"}),
    (
        "Redis Cluster, 3 primaries + 3 replicas, waited for",
        lambda: cluster(1),
        {"HARVESTGUARD_REDIS_CLUSTER": "true", "HARVESTGUARD_REDIS_WAIT_REPLICAS": "1"},
    ),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="mixed")
    parser.add_argument("--input", type=Path, help="events file to use instead of a scenario")
    args = parser.parse_args(argv)
    rows = []
    print(machine(), flush=True)
    with tempfile.TemporaryDirectory(prefix="hg-durable-") as tmp:
        events = args.input or generate(args.scenario, Path(tmp))
        with TansuBroker() as broker:
            topic = TOPICS[0]
            create_topics(broker.bootstrap, TOPICS, PARTITIONS)
            total, _ = produce(broker.bootstrap, topic, events)
            for name, servers, settings in SETUPS:
                yardstick = run_stream_yardstick(broker.bootstrap, topic, total)
                with servers() as url:
                    run = run_workers(broker.bootstrap, url, topic, total, settings=settings)
                rows.append((name, yardstick, run))
                print(f"{name}: {run.rate:,.0f} events/s, {run.per_cpu:,.0f} per CPU-s (yardstick"
                      f" {yardstick.rate:,.0f}, {yardstick.per_cpu:,.0f})", flush=True)  # fmt: skip
    print(f"\n{machine()}")
    print(f"{total:,} events ({args.input or args.scenario}), one worker\n")
    print("| Redis | events/s | ratio to the yardstick | events per worker CPU-second"
          " | ratio to the yardstick |")  # fmt: skip
    print("|---|---:|---:|---:|---:|")
    for name, yardstick, run in rows:
        print(f"| {name} | {run.rate:,.0f} | {run.rate / yardstick.rate:.2f}"
              f" | {run.per_cpu:,.0f} | {run.per_cpu / yardstick.per_cpu:.2f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
