"""The inline check of two source trees side by side, interleaved: is a change slower?

    git archive c229761 | (mkdir -p /tmp/before && tar -x -C /tmp/before)
    python benchmarks/check_ab.py /tmp/before . [--rounds 12] [--rate 2000] [--seconds 5]

On a shared machine one run of ``benchmarks/inline_check.py`` after another
compares the machine's load more than the code (p99 at 2,000 req/s moved from
3.5 to 11 ms between two runs of the same build). This starts ``harvestguard api``
from each tree on one redis-server, seeded as ``inline_check.py`` seeds it, and
drives each in turn with ``inline_check.py``'s open-loop generator for
``--seconds`` (after 1 s of warm-up), alternating which goes first, so that the
machine's other load falls on both alike. It prints each round and the medians
of p99 and of API CPU per check.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.inline_check import PREFIX, cpu_seconds, open_loop, pct, seed_decisions  # noqa: E402
from tests.servers import RedisServer, free_port, wait_healthy  # noqa: E402


def start_api(tree: Path, redis_url: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARVESTGUARD_")}
    env.update(
        PYTHONPATH=str(tree),
        HARVESTGUARD_STORE="redis",
        HARVESTGUARD_REDIS_URL=redis_url,
        HARVESTGUARD_REDIS_PREFIX=PREFIX,
        HARVESTGUARD_API_TOKEN="bench-" + os.urandom(12).hex(),
        HARVESTGUARD_INGEST_TOKEN="bench-ingest-" + os.urandom(12).hex(),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "--log-level", "WARNING", "api",
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=tree,
    )  # fmt: skip
    wait_healthy(f"http://127.0.0.1:{port}/healthz", proc)
    return proc, port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path, help="Source tree A (e.g. the build before).")
    parser.add_argument("b", type=Path, help="Source tree B (e.g. the build after).")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--rate", type=int, default=2000, help="Requests/s.")
    parser.add_argument("--seconds", type=float, default=5.0, help="Measured seconds per run.")
    args = parser.parse_args(argv)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    import asyncio

    names = ("A", "B")
    p99: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    with RedisServer() as server:
        seed_decisions(server.url)
        trees = dict(zip(names, (args.a, args.b), strict=True))
        apis = {name: start_api(tree.resolve(), server.url) for name, tree in trees.items()}
        try:
            for round_ in range(args.rounds):
                for name in names if round_ % 2 == 0 else names[::-1]:
                    proc, port = apis[name]
                    before = cpu_seconds(proc.pid)
                    run = asyncio.run(open_loop("127.0.0.1", port, args.rate, args.seconds, 1.0))
                    used = cpu_seconds(proc.pid) - before
                    p99[name].append(pct(run.from_send, 0.99))
                    cpu[name].append(used / (args.rate * (args.seconds + 1.0)) * 1e6)
                    time.sleep(0.5)
                print(
                    f"round {round_ + 1}: p99 A {p99['A'][-1]:.2f} ms, B {p99['B'][-1]:.2f} ms; "
                    f"API CPU A {cpu['A'][-1]:.0f} us, B {cpu['B'][-1]:.0f} us a check",
                    flush=True,
                )
        finally:
            for proc, _ in apis.values():
                proc.terminate()
                proc.wait(timeout=30)
    ratios = [b / a for a, b in zip(p99["A"], p99["B"], strict=True)]
    print(
        f"median p99 at {args.rate:,} req/s: A {statistics.median(p99['A']):.2f} ms, "
        f"B {statistics.median(p99['B']):.2f} ms (median of the rounds' B/A: "
        f"{statistics.median(ratios):.2f}); median API CPU a check: "
        f"A {statistics.median(cpu['A']):.0f} us, B {statistics.median(cpu['B']):.0f} us"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
