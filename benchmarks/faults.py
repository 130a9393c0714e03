"""The full fault run: ten kills and more while a scenario streams through the real worker.

    python benchmarks/faults.py [--kills 10] [--outages 2] [--rebalances 2] [--scale 6]
    python benchmarks/faults.py --failovers 3 [--sentinel]

Streams the ``smoke`` scenario (times ``--scale``) through ``harvestguard worker``
on a durable redis-server and a durable Tansu broker, SIGKILLs the worker at random
moments, stops Redis and the broker mid-stream, and has a second worker join and
leave the group. With ``--failovers N``, Redis is a three-primary Redis Cluster
with a replica each, the workers wait for a replica
(``HARVESTGUARD_REDIS_WAIT_REPLICAS=1``), and N primaries are killed and failed
over instead of the Redis outages (``--sentinel``: a primary with one replica
behind Redis Sentinel instead of a cluster). Then two clean workers read the same topic,
and the table shows faults survived, events lost and double-counted (both must
be 0), and the verdicts of the fault run next to the clean runs'. Exits non-zero
on any loss, double count, state or verdict difference, crash or DLQ gap. The CI test
(tests/faults/test_faults.py) is the same harness with fewer faults.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.faults.harness import FaultPlan, run_faults  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--outages", type=int, default=2, help="of Redis, and of the broker")
    parser.add_argument("--rebalances", type=int, default=2)
    parser.add_argument(
        "--failovers", type=int, default=0, help="on a replicated cluster, instead of outages"
    )
    parser.add_argument(
        "--sentinel", action="store_true", help="the failovers behind Redis Sentinel instead"
    )
    parser.add_argument("--outage-s", type=float, default=5.0)
    parser.add_argument("--scale", type=float, default=6.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="keep the events and worker logs here")
    args = parser.parse_args(argv)
    plan = FaultPlan(
        kills=args.kills,
        redis_outages=0 if args.failovers else args.outages,
        broker_outages=args.outages,
        rebalances=args.rebalances,
        failovers=args.failovers,
        sentinel=args.sentinel,
        outage_s=args.outage_s,
        scale=args.scale,
        seed=args.seed,
    )
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        report = run_faults(plan, args.keep, clean_passes=2)
    else:
        with tempfile.TemporaryDirectory(prefix="harvestguard-faults-") as directory:
            report = run_faults(plan, Path(directory), clean_passes=2)
    print(f"machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()}")
    print("\n".join(report.lines()))
    for crash in report.crashes:
        print(f"crash: {crash}", file=sys.stderr)
    ok = (
        not report.crashes
        and report.lost == 0
        and report.double_counted == 0
        and not report.state_mismatches
        and report.dlq_missing == 0
        and report.survived == report.injected
        and all(
            verdicts.against(report.runs["clean0"]) == (0, 0)
            and verdicts.lines == report.runs["clean0"].lines
            for verdicts in report.runs.values()
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
