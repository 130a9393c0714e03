"""The sidecar API benchmark: inline-check latency under open-loop load, and push ingestion.

    python benchmarks/inline_check.py [--rates 1000,2000,5000] [--seconds 10] [--input EVENTS]

It starts its own redis-server and ``harvestguard api`` processes (Redis as the store)
on free loopback ports, seeds 10,000 account decisions, then:

1. drives ``/v1/check/v1/chat/completions`` of a check-only process
   (``--role check``) at each fixed arrival rate (open loop: request *i* is due at
   ``t0 + i / rate`` whether or not earlier ones have answered) over 64 keep-alive
   connections, and reports p50 / p99 / p99.9 latency, measured from the moment each
   request was sent and from the moment it was due (the latter also counts any lag of
   the generator);
2. at ``--ingest-rate`` (5,000 requests/s), ``--rounds`` times in turn: the check alone;
   the check while a pusher process sends events without pause into an ingest-only
   process on the same host (``--role ingest``), at the same priority and at nice 10;
   and the check while the events go into its own process (``--role all``);
3. pushes an events file (by default one hour of the ``mixed`` scenario) through
   ``POST /v1/events`` in NDJSON bodies of 5,000 events, one request at a time, with
   Redis and then with the embedded store, and reports events per second beside the
   offline yardstick's loop (benchmarks/yardstick.py) over the same events, run just
   before each.

The load generator is plain asyncio (uvloop) speaking HTTP/1.1 on raw sockets: an HTTP
client library would cost more CPU than the server under test on a 2-core machine. It
runs in this process, beside the servers and Redis, on the same cores, as a gateway's
Envoy would; the pusher is a process of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx
import psutil
import redis

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.measure import tree_cpu_seconds  # noqa: E402
from benchmarks.yardstick import Windows, count  # noqa: E402
from service.contract import iter_lines  # noqa: E402
from service.state.account import Decision  # noqa: E402
from tests.servers import RedisServer, free_port, wait_healthy  # noqa: E402

TOKEN = "bench-" + os.urandom(12).hex()
INGEST_TOKEN = "bench-ingest-" + os.urandom(12).hex()
ACCOUNTS = 10_000
CONNECTIONS = 64
PATH = "/v1/check/v1/chat/completions"
INGEST_BATCH = 5_000
PREFIX = "bench"


# ------------------------------------------------------------------ servers


@contextmanager
def api_process(
    redis_url: str, store: str, cache_ttl: float = 0.0, role: str = "all", nice: int = 0
) -> Iterator[tuple[int, str]]:
    """``[nice -n NICE] harvestguard api --role ROLE`` as a subprocess: (pid, base URL) while
    it serves."""
    port = free_port()
    env = {
        **os.environ,
        "HARVESTGUARD_STORE": store,
        "HARVESTGUARD_REDIS_URL": redis_url,
        "HARVESTGUARD_REDIS_PREFIX": PREFIX,
        "HARVESTGUARD_API_TOKEN": TOKEN,
        "HARVESTGUARD_INGEST_TOKEN": INGEST_TOKEN,
        # The ingestion figures are the pipeline's ceiling: no per-client rate limit.
        "HARVESTGUARD_INGEST_RECORDS_PER_S": "0",
        "HARVESTGUARD_CHECK_CACHE_TTL_S": str(cache_ttl),
    }
    proc = subprocess.Popen(
        [*(["nice", "-n", str(nice)] if nice else []), sys.executable, "-m", "service.cli",
         "--log-level", "WARNING", "api", "--role", role, "--host", "127.0.0.1",
         "--port", str(port)],
        env=env, cwd=REPO_ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{base}/healthz", proc)
        yield proc.pid, base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def cpu_seconds(pid: int) -> float:
    return tree_cpu_seconds([psutil.Process(pid)])


def seed_decisions(redis_url: str) -> None:
    """10,000 accounts: 2 % blocked, 3 % throttled, 5 % under review, the rest unknown."""
    client = redis.Redis.from_url(redis_url)
    pipe = client.pipeline(transaction=False)
    rng = random.Random(5)
    for i in range(ACCOUNTS):
        roll = rng.random()
        action = "block" if roll < 0.02 else "throttle" if roll < 0.05 else "review"
        if roll < 0.10:
            decision = Decision(action, 0.95, ["completion_ratio_high", "length_share_high"], 1.0)
            pipe.set(f"{PREFIX}:{{org_{i}}}:d", decision.to_json())
    pipe.execute()
    client.close()


# ------------------------------------------------------------------ open-loop load


@dataclass
class Run:
    rate: int
    sent: int = 0
    from_send: list[float] = field(default_factory=list)
    from_due: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    server_cpu: float = 0.0


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, one request in flight at a time."""

    def __init__(self, done: asyncio.Queue[Connection]) -> None:
        self.done = done
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.sent_at = self.due_at = 0.0
        self.status = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def send(self, request: bytes, due: float) -> None:
        assert self.transport is not None
        self.due_at, self.sent_at = due, time.perf_counter()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(buffer[:end]).lower()
        at = head.find(b"content-length:")
        length = 0
        if at >= 0:
            line_end = head.find(b"\r\n", at)
            length = int(head[at + 15 : line_end if line_end >= 0 else None])
        if len(buffer) < end + 4 + length:
            return
        self.status = int(head[9:12])
        del buffer[: end + 4 + length]
        self.done.put_nowait(self)


def requests(host: str, count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [
        (
            f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n"
            f"x-account-id: org_{rng.randrange(ACCOUNTS)}\r\nx-request-id: r{i}\r\n\r\n"
        ).encode()
        for i in range(count)
    ]


async def open_loop(host: str, port: int, rate: int, seconds: float, warmup: float) -> Run:
    loop = asyncio.get_running_loop()
    done: asyncio.Queue[Connection] = asyncio.Queue()
    connections = []
    for _ in range(CONNECTIONS):
        _, protocol = await loop.create_connection(lambda: Connection(done), host, port)
        connections.append(protocol)
    total = int(rate * (seconds + warmup))
    skip = int(rate * warmup)
    batch = requests(f"{host}:{port}", total, seed=rate)
    run = Run(rate)
    idle: deque[Connection] = deque(connections)
    backlog: deque[tuple[int, float]] = deque()
    in_flight: dict[int, int] = {}

    async def collect() -> None:
        for _ in range(total):
            connection = await done.get()
            if in_flight.pop(id(connection)) >= skip:
                now = time.perf_counter()
                run.from_send.append(now - connection.sent_at)
                run.from_due.append(now - connection.due_at)
                status = connection.status
                run.statuses[status] = run.statuses.get(status, 0) + 1
            if backlog:
                index, due = backlog.popleft()
                in_flight[id(connection)] = index
                connection.send(batch[index], due)
            else:
                idle.append(connection)

    collector = asyncio.create_task(collect())
    t0 = time.perf_counter() + 0.01
    index = 0
    while index < total:
        now = time.perf_counter()
        due_now = min(total, int((now - t0) * rate) + 1)
        while index < due_now:
            due = t0 + index / rate
            if idle:
                connection = idle.popleft()
                in_flight[id(connection)] = index
                connection.send(batch[index], due)
            else:
                backlog.append((index, due))
            index += 1
        # uvloop rounds shorter timers to zero, which would spin a core the server needs:
        # dispatch in ticks of about a millisecond (2 or 5 requests at 2,000 or 5,000/s).
        await asyncio.sleep(0.001)
    started = t0 + warmup
    await asyncio.wait_for(collector, timeout=60)
    run.seconds = time.perf_counter() - started
    run.sent = total - skip
    for connection in connections:
        if connection.transport is not None:
            connection.transport.close()
    return run


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def bench_check(base: str, pid: int, rates: list[int], seconds: float) -> list[Run]:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    host, port = base.removeprefix("http://").split(":")
    runs = []
    for rate in rates:
        before = cpu_seconds(pid)
        run = asyncio.run(open_loop(host, int(port), rate, seconds, warmup=1.0))
        run.server_cpu = (cpu_seconds(pid) - before) / (run.seconds + 1.0)
        runs.append(run)
        time.sleep(1.0)
    return runs


def push_headers(**extra: str) -> dict[str, str]:
    """A new Idempotency-Key per POST: the same bodies are pushed again on purpose, and
    must be applied again, not answered from the ledger."""
    return {"authorization": f"Bearer {INGEST_TOKEN}", "idempotency-key": os.urandom(8).hex(),
            **extra}  # fmt: skip


def push_forever(base: str, bodies: list[bytes], stop: Any, pushed: Any) -> None:
    """The pusher process: POST the bodies one after another, round and round, until told."""
    with httpx.Client(base_url=base, timeout=120) as client:
        while not stop.is_set():
            for body in bodies:
                if stop.is_set():
                    return
                client.post("/v1/events", content=body, headers=push_headers()).raise_for_status()
                with pushed.get_lock():
                    pushed.value += body.count(b"\n")


def bench_check_while_ingesting(
    check: tuple[int, str], ingest: str, rate: int, seconds: float, bodies: list[bytes]
) -> tuple[Run, float]:
    """The check at ``rate`` while a pusher process sends events into ``ingest`` at full
    speed (``ingest`` may be the check's own process); and the events pushed per second."""
    context = multiprocessing.get_context("fork")  # the bodies are inherited, not copied over
    stop = context.Event()
    pushed = context.Value("q", 0)
    pusher = context.Process(target=push_forever, args=(ingest, bodies, stop, pushed))
    started = time.perf_counter()
    pusher.start()
    time.sleep(1.0)
    try:
        run = bench_check(check[1], check[0], [rate], seconds)[0]
    finally:
        stop.set()
        pusher.join(timeout=120)
    if pusher.exitcode != 0:
        raise RuntimeError(f"the pusher failed (exit code {pusher.exitcode})")
    return run, pushed.value / (time.perf_counter() - started)


# A batch holds the GIL for tens of milliseconds, and a process at full speed takes a core:
# the check alone, beside ingestion in another process (at the same priority, and with the
# ingestion process at nice 10, as an operator sharing one host would run it), and beside
# ingestion in its own process. In turn, so that drift on a shared machine shows as spread.
SETTINGS_BESIDE = ("alone", "another process", "another process at nice 10", "the same process")


def check_beside_ingestion(
    redis_url: str, args: argparse.Namespace, bodies: list[bytes]
) -> dict[str, list[tuple[Run, float]]]:
    """Runs of the check under each of :data:`SETTINGS_BESIDE`, with the events pushed/s."""
    rate, seconds, ttl = args.ingest_rate, args.seconds, args.cache_ttl
    runs: dict[str, list[tuple[Run, float]]] = {name: [] for name in SETTINGS_BESIDE}
    with api_process(redis_url, "redis", ttl, "check") as check:
        for _ in range(args.rounds):
            runs["alone"].append((bench_check(check[1], check[0], [rate], seconds)[0], 0.0))
            for name, nice in (("another process", 0), ("another process at nice 10", 10)):
                with api_process(redis_url, "redis", ttl, "ingest", nice) as (_, ingest):
                    runs[name].append(
                        bench_check_while_ingesting(check, ingest, rate, seconds, bodies)
                    )
            with api_process(redis_url, "redis", ttl, "all") as both:
                runs["the same process"].append(
                    bench_check_while_ingesting(both, both[1], rate, seconds, bodies)
                )
            for name in SETTINGS_BESIDE:
                run = runs[name][-1][0]
                print(f"  {name}: p99 {pct(run.from_send, 0.99):.2f} ms", flush=True)
    return runs


# ------------------------------------------------------------------ ingestion


def generate(directory: Path, hours: float) -> Path:
    events = directory / "mixed.jsonl.gz"
    subprocess.run(
        [sys.executable, "-m", "service.cli", "simulate", "mixed", "--hours", str(hours),
         "--to", "file", "--output", str(events), "--labels", str(directory / "labels.jsonl"),
         "--quiet"],
        check=True, cwd=REPO_ROOT,
    )  # fmt: skip
    return events


def bench_ingest(base: str, pid: int, bodies: list[bytes], events: int) -> tuple[float, float, int]:
    """Events per second and per server CPU-second, and how many alerts it raised."""
    alerts = 0
    with httpx.Client(base_url=base, timeout=120) as client:
        before = cpu_seconds(pid)
        started = time.perf_counter()
        for body in bodies:
            response = client.post(
                "/v1/events",
                content=body,
                headers=push_headers(**{"content-type": "application/x-ndjson"}),
            )
            response.raise_for_status()
            report = response.json()
            assert report["rejected_count"] == 0, report["rejected"][:3]
            alerts += report["alerts"]
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(pid) - before
    return events / elapsed, events / cpu, alerts


# ------------------------------------------------------------------ main


def row(run: Run) -> str:
    odd = sum(n for status, n in run.statuses.items() if status not in (200, 403, 429))
    sent, due = run.from_send, run.from_due
    return (
        f"| {run.rate:,} | {run.sent / run.seconds:,.0f} | {pct(sent, 0.5):.2f} "
        f"| {pct(sent, 0.99):.2f} | {pct(sent, 0.999):.2f} | {max(sent) * 1000:.1f} "
        f"| {pct(due, 0.99):.2f} | {odd} | {run.server_cpu:.0%} |"
    )


def yardstick_loop(lines: list[bytes]) -> tuple[float, float]:
    """The offline yardstick's loop over the same events, in this process: (events/s, per
    CPU-second)."""
    windows: Windows = {}
    started, cpu = time.perf_counter(), time.process_time()
    for line in lines:
        count(windows, line)
    return len(lines) / (time.perf_counter() - started), len(lines) / (time.process_time() - cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="1000,2000,5000", help="Requests/s, comma-separated.")
    parser.add_argument("--seconds", type=float, default=10.0, help="Measured seconds per rate.")
    parser.add_argument("--ingest-rate", type=int, default=5000, help="Checks/s during ingestion.")
    parser.add_argument("--rounds", type=int, default=2, help="Runs of each beside ingestion.")
    parser.add_argument("--input", type=Path, help="Events JSONL(.gz) for ingestion.")
    parser.add_argument("--hours", type=float, default=1.0, help="Hours of `mixed` to generate.")
    parser.add_argument("--cache-ttl", type=float, default=0.0, help="Check cache TTL (s).")
    args = parser.parse_args(argv)
    rates = [int(r) for r in args.rates.split(",") if r]
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"redis-server and the API on loopback, check cache TTL {args.cache_ttl} s, "
        f"load average {os.getloadavg()[0]:.2f} (other processes compete for the cores)",
        flush=True,
    )
    header = (
        "| rate (req/s) | achieved | p50 ms | p99 ms | p99.9 ms | max ms | p99 from due ms "
        "| not 200/403/429 | API CPU |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    with RedisServer() as server, tempfile.TemporaryDirectory() as tmp:
        seed_decisions(server.url)
        with api_process(server.url, "redis", args.cache_ttl, "check") as check:
            print(f"\nthe check alone (--role check):\n{header}", flush=True)
            for run in bench_check(check[1], check[0], rates, args.seconds):
                print(row(run), flush=True)

        source = args.input or generate(Path(tmp), args.hours)
        lines = [line for _, line in iter_lines(source)]
        step = INGEST_BATCH
        bodies = [b"\n".join(lines[i : i + step]) + b"\n" for i in range(0, len(lines), step)]

        print(f"\nthe check at {args.ingest_rate:,} requests/s beside push ingestion:")
        runs = check_beside_ingestion(server.url, args, bodies)
        head, align = header.split("\n")
        print(f"\n| ingestion | events pushed/s {head}\n|---|---:{align}")
        for name, measured in runs.items():
            for run, pushed in measured:
                print(f"| {name} | {pushed:,.0f} {row(run)}")
        print(f"\np99 of the check at {args.ingest_rate:,} requests/s (median and range of "
              f"{args.rounds} runs each; target 2 ms; load average now"
              f" {os.getloadavg()[0]:.2f}):")  # fmt: skip
        for name, measured in runs.items():
            p99s = [pct(run.from_send, 0.99) for run, _ in measured]
            low, high = min(p99s), max(p99s)
            print(f"  {name}: {statistics.median(p99s):.2f} ms ({low:.2f} to {high:.2f})")

        print(
            f"\npush ingestion: {len(lines):,} events of {source.name}, {step:,} per POST "
            f"(NDJSON, {len(bodies[0]) / 1e6:.1f} MB), each store after a run of the offline "
            "yardstick's loop over the same events\n\n"
            "| store | events/s | events per API CPU-second | yardstick events/s "
            "| yardstick per CPU-second | ratio (events/s) | ratio (per CPU-s) | alerts |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|",
            flush=True,
        )
        for store in ("redis", "memory"):
            redis.Redis.from_url(server.url).flushall()
            yard_rate, yard_cpu = yardstick_loop(lines)
            with api_process(server.url, store) as (pid, base):
                ingest_rate, per_cpu, alerts = bench_ingest(base, pid, bodies, len(lines))
            print(
                f"| {store} | {ingest_rate:,.0f} | {per_cpu:,.0f} | {yard_rate:,.0f} "
                f"| {yard_cpu:,.0f} | {ingest_rate / yard_rate:.2f} | {per_cpu / yard_cpu:.2f} "
                f"| {alerts:,} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
