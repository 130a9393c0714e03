"""Scale-out: one, two and three workers in one consumer group on the same stream.

    python benchmarks/scaleout.py [--scenario mixed | --input EVENTS] [--workers 1 2 3]
                                  [--partitions 6] [--unwatermarked 1 3]

Produces the events once into a topic with 6 partitions (2 and 3 workers then own
equal shares). For each group size it runs, in turn, the streaming yardstick with as
many consumers (benchmarks/yardstick.py) and that many ``harvestguard worker``
processes on one redis-server, each group size on its own key prefix. For each it
prints the wall-clock rate from the group's first commit to its last, the events per
CPU-second of the consumers' process trees over the same span, the ratios to the
yardstick, and how many accounts' verdict lines (as ``detect`` writes them: action,
first flag, score, reasons) differ from the first one-worker run. A
second one-worker run (``1b``) shows how far verdicts move when nothing changes but
timing.

The broker and Redis share this machine's cores with the workers, so wall-clock
throughput cannot grow in proportion here; events per worker CPU-second says
whether adding workers costs anything per event.

``--unwatermarked N ...`` adds runs of N workers with the shared watermark switched off
(benchmarks/unwatermarked.py, rows ``Nu``): what the epoch barrier costs per event, and
how far verdicts then move with timing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import orjson  # noqa: E402
import redis  # noqa: E402

from benchmarks.pipeline import (  # noqa: E402
    CLI,
    TOPICS,
    UNWATERMARKED,
    generate,
    machine,
    produce,
    run_stream_yardstick,
    run_workers,
)
from tests.servers import RedisServer, TansuBroker, create_topics  # noqa: E402
from tests.workers import verdict_lines  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="mixed")
    parser.add_argument("--input", type=Path, help="events file to use instead of a scenario")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--unwatermarked", type=int, nargs="*", default=[],
                        help="also these group sizes with the watermark switched off")  # fmt: skip
    args = parser.parse_args(argv)
    runs = [(str(n), n, CLI) for n in args.workers]
    runs.insert(1, ("1b", 1, CLI))  # the same as the first run: the noise floor of verdicts
    runs += [(f"{n}u", n, UNWATERMARKED) for n in args.unwatermarked]
    rows = []
    print(machine(), flush=True)
    with tempfile.TemporaryDirectory(prefix="hg-scale-") as tmp:
        events = args.input or generate(args.scenario, Path(tmp))
        with RedisServer() as redis_server, TansuBroker() as broker:
            topic = TOPICS[0]
            create_topics(broker.bootstrap, TOPICS, args.partitions)
            total, _ = produce(broker.bootstrap, topic, events)
            client = redis.Redis.from_url(redis_server.url)
            reference: dict[str, bytes] | None = None
            for name, workers, cli in runs:
                yardstick = run_stream_yardstick(broker.bootstrap, topic, total, workers)
                run = run_workers(
                    broker.bootstrap, redis_server.url, topic, total, workers, f"w{name}",
                    cli=cli,
                )  # fmt: skip
                print(f"  {name}: yardstick {yardstick.rate:,.0f} events/s, "
                      f"workers {run.rate:,.0f} events/s", flush=True)  # fmt: skip
                verdicts = by_account(verdict_lines(client, f"w{name}"))
                reference = verdicts if reference is None else reference
                differing = sum(verdicts.get(a) != reference.get(a)
                                for a in verdicts.keys() | reference.keys())  # fmt: skip
                rows.append((name, yardstick, run, len(verdicts), differing))
            client.close()
    print(f"\n{machine()}")
    print(f"{total:,} events ({args.input or args.scenario}), {args.partitions} partitions")
    print("| workers | events/s (wall) | yardstick | ratio | events per worker CPU-s | yardstick"
          " | ratio | vs 1 worker | worker cores busy | flagged | verdict lines that differ"
          " from run 1 |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    base = rows[0][2].per_cpu
    for name, yardstick, run, count, differ in rows:
        print(
            f"| {name} | {run.rate:,.0f} | {yardstick.rate:,.0f} | {run.rate / yardstick.rate:.2f}"
            f" | {run.per_cpu:,.0f} | {yardstick.per_cpu:,.0f}"
            f" | {run.per_cpu / yardstick.per_cpu:.2f} | {run.per_cpu / base - 1:+.1%}"
            f" | {run.cpu / run.seconds:.2f} | {count} | {differ} |"
        )
    return 0


def by_account(lines: bytes) -> dict[str, bytes]:
    """Each flagged account's verdict line (action, first flag, score, reasons...)."""
    return {orjson.loads(line)["account_id"]: line for line in lines.splitlines()}


if __name__ == "__main__":
    sys.exit(main())
