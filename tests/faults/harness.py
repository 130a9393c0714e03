"""The fault harness: real worker processes, a real broker and Redis, faults mid-stream.

A labelled scenario streams into the requests topic at a steady pace while
faults are injected at random moments: SIGKILL of the worker (restarted at
once), Redis stopped and started, the broker stopped and started, a second
worker joining the group and later leaving it; or, on a Redis Cluster with a
replica per primary (or behind Redis Sentinel), a primary killed, its replica
taking over and the dead node rejoining as a replica (the workers wait for a
replica: ``HARVESTGUARD_REDIS_WAIT_REPLICAS=1``). Once the stream is consumed,
clean workers read the same topic into their own key prefixes, and the runs
are compared account by account (see :mod:`tests.faults.compare`).

Both servers run durable (Redis with an fsynced append-only file, or replicas;
Tansu on S3 storage), so a stop is an outage, not a loss of data: the worker
must pause, retry and carry on.
"""

from __future__ import annotations

import random
import re
import signal
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import orjson
import redis
from kafka import KafkaProducer
from redis.cluster import RedisCluster

from service.offline import detect_file
from service.settings import Settings
from service.state.redis_client import Sentinels, connect
from simulations.generator import generate
from simulations.labels import read_labels
from simulations.spec import load_scenario
from tests.faults.compare import FaultReport, compare_runs
from tests.servers import RedisClusterServer, RedisServer, TansuBroker, committed_offsets
from tests.servers.redis_sentinel import MASTER_NAME, RedisSentinelGroup
from tests.workers import PARTITIONS, Topics, finish, start_worker, worker_env

# Rough wall time each fault takes with the rejoin of the group after it: the stream is
# paced to last until the last fault, so that every fault lands mid-stream.
_COST_S = {"kill": 8.0, "redis": 6.0, "broker": 10.0, "rebalance": 14.0, "failover": 15.0}
_PACE_MARGIN = 3.0
_MALFORMED = b'{"event_id": "fault-bad", "account_id": "org_bad", "prompt_tokens": "many"}'


@dataclass(frozen=True)
class FaultPlan:
    kills: int = 3
    redis_outages: int = 1
    broker_outages: int = 1
    rebalances: int = 1
    failovers: int = 0  # on a replicated Redis Cluster, instead of one durable server
    sentinel: bool = False  # the failovers behind Redis Sentinel instead of a cluster
    outage_s: float = 4.0
    scale: float = 3.0  # of the ``smoke`` scenario (about 8,000 events at 1.0)
    seed: int = 7
    malformed_every: int = 400

    def __post_init__(self) -> None:
        if self.failovers and self.redis_outages:
            raise ValueError(
                "Redis outages stop one durable server, failovers need replicated Redis "
                "(a cluster or Sentinel): a plan has one or the other"
            )

    def schedule(self) -> list[str]:
        faults = (
            ["kill"] * self.kills
            + ["redis"] * self.redis_outages
            + ["broker"] * self.broker_outages
            + ["rebalance"] * self.rebalances
            + ["failover"] * self.failovers
        )
        random.Random(self.seed).shuffle(faults)
        return faults

    def stream_s(self) -> float:
        outages = self.redis_outages + self.broker_outages
        return sum(_COST_S[f] for f in self.schedule()) + outages * self.outage_s


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class _Run:
    """The servers, the topic and the workers of one fault run."""

    redis: RedisServer | RedisClusterServer | RedisSentinelGroup
    broker: TansuBroker
    topics: Topics
    logs: Path
    rng: random.Random
    workers: list[_Worker] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    started: int = 0

    def env(self, prefix: str = "fault", group: str | None = None) -> dict[str, str]:
        env = worker_env(self.broker.bootstrap, self.redis.url, self.topics, prefix, group)
        if isinstance(self.redis, RedisClusterServer):
            env.update(HARVESTGUARD_REDIS_CLUSTER="true", HARVESTGUARD_REDIS_WAIT_REPLICAS="1")
        elif isinstance(self.redis, RedisSentinelGroup):
            env.update(
                HARVESTGUARD_REDIS_SENTINEL_MASTER=MASTER_NAME, HARVESTGUARD_REDIS_WAIT_REPLICAS="1"
            )
        return env

    def client(self) -> redis.Redis | RedisCluster:
        if isinstance(self.redis, RedisClusterServer):
            return RedisCluster.from_url(self.redis.url)
        if isinstance(self.redis, RedisSentinelGroup):
            return cast(redis.Redis, connect(self.redis.url, sentinel=Sentinels(MASTER_NAME)))
        return redis.Redis.from_url(self.redis.url)

    def start_worker(self) -> _Worker:
        self.started += 1
        path = self.logs / f"worker-{self.started}.log"
        with path.open("wb") as log:  # the child keeps its own descriptor
            worker = _Worker(start_worker(self.env(), idle_s=3600, log=log), path)
        self.workers.append(worker)
        return worker

    def committed(self) -> int | None:
        try:
            offsets = committed_offsets(
                self.broker.bootstrap, self.topics.group, self.topics.requests
            )
        except Exception:  # the broker is down or restarting: no answer is an answer
            return None
        return sum(offsets.values())

    def check_alive(self) -> None:
        """A worker that exited without being told to is a crash: record it, restart it."""
        for worker in list(self.workers):
            if worker.process.poll() is not None:
                self.workers.remove(worker)
                self.crashes.append(f"exit {worker.process.returncode}:\n{worker.tail()}")
                if not self.workers:
                    self.start_worker()

    def wait_progress(self, beyond: int, timeout: float = 90.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            done = self.committed()
            if done is not None and done > beyond:
                return True
            time.sleep(0.2)
        return False

    def wait_assigned(self, worker: _Worker, timeout: float = 60.0) -> bool:
        """Wait until ``worker`` owns at least one partition (its log says which)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(r"assigned partitions \[\d", worker.log.read_text(errors="replace")):
                return True
            time.sleep(0.2)
        return False

    def answered_committed(self, timeout: float = 60.0) -> int:
        """The committed total once the broker answers again."""
        deadline = time.monotonic() + timeout
        while (done := self.committed()) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        return done or 0

    def inject(self, fault: str, outage_s: float) -> bool:
        """Inject one fault mid-stream; True once the worker made progress after it."""
        injected = True
        if fault == "kill":
            victim = self.workers[0]
            # It is working: kill it in the middle of that.
            self.wait_progress(self.answered_committed())
            time.sleep(self.rng.uniform(0.0, 1.5))
            victim.process.send_signal(signal.SIGKILL)
            victim.process.wait()
            self.workers.remove(victim)
            self.start_worker()
        elif fault == "redis":
            assert isinstance(self.redis, RedisServer)
            self.redis.stop()
            time.sleep(outage_s)
            self.redis.start()
        elif fault == "failover" and isinstance(self.redis, RedisSentinelGroup):
            injected = self.redis.fail_over()
        elif fault == "failover":
            assert isinstance(self.redis, RedisClusterServer)
            # A random slot's primary: over a run, every shard may lose its primary.
            injected = self.redis.fail_over(f"{{slot{self.rng.randrange(1 << 20)}}}")
        elif fault == "broker":
            self.broker.stop()
            time.sleep(outage_s)
            self.broker.start()
        elif fault == "rebalance":
            joiner = self.start_worker()
            injected = self.wait_assigned(joiner)  # a rebalance only if it took partitions
            time.sleep(self.rng.uniform(0.5, 2.0))
            joiner.process.send_signal(signal.SIGTERM)
            if joiner.process.wait(timeout=60) != 0:
                self.crashes.append(f"leaving worker exit {joiner.process.returncode}")
            self.workers.remove(joiner)
        else:
            raise ValueError(f"unknown fault {fault!r}")
        # Survived: the worker commits new progress after the fault, by itself.
        return injected and self.wait_progress(self.answered_committed())

    def drain(self, ends: dict[int, int], timeout: float = 240.0) -> None:
        """Wait until every produced record is committed, then stop the workers cleanly."""
        goal = sum(ends.values())
        deadline = time.monotonic() + timeout
        while (self.committed() or 0) < goal and time.monotonic() < deadline:
            self.check_alive()
            time.sleep(0.3)
        for worker in self.workers:
            worker.process.send_signal(signal.SIGTERM)
        for worker in self.workers:
            if worker.process.wait(timeout=60) != 0:
                self.crashes.append(f"exit {worker.process.returncode} on SIGTERM")


class _PacedProducer(threading.Thread):
    """The gateway: produces the records at a steady pace, through broker outages.

    The producer is idempotent with unbounded retries, so an outage delays
    records but neither loses nor duplicates them; where each one landed is
    kept for the comparison."""

    def __init__(self, bootstrap: str, topic: str, records: list[bytes], seconds: float) -> None:
        super().__init__(daemon=True)
        self.bootstrap, self.topic, self.records = bootstrap, topic, records
        self.per_s = len(records) / max(seconds, 1.0)
        self.hurry = threading.Event()
        self.placed: dict[int, tuple[int, int]] = {}
        self.errors: list[str] = []

    def run(self) -> None:
        producer = KafkaProducer(
            bootstrap_servers=self.bootstrap,
            acks="all",
            linger_ms=20,
            delivery_timeout_ms=600_000,
            request_timeout_ms=10_000,
            max_block_ms=600_000,
        )
        started = time.monotonic()
        for i, value in enumerate(self.records):
            if i % 50 == 0 and not self.hurry.is_set():
                delay = started + i / self.per_s - time.monotonic()
                if delay > 0:
                    self.hurry.wait(delay)
            key = str(orjson.loads(value).get("account_id")).encode()
            future = producer.send(self.topic, key=key, value=value)
            future.add_callback(self._landed, i)
            future.add_errback(self._failed, i)
        producer.flush(timeout=600)
        producer.close()

    def _landed(self, index: int, metadata: object) -> None:
        self.placed[index] = (metadata.partition, metadata.offset)  # type: ignore[attr-defined]

    def _failed(self, index: int, error: Exception) -> None:
        self.errors.append(f"record {index}: {error!r}")


def scenario_records(plan: FaultPlan, directory: Path) -> tuple[list[bytes], set[int], Path]:
    """The scenario's events with malformed records mixed in; their indexes; the labels."""
    events = directory / "events.jsonl"
    generate(load_scenario("smoke").scaled(plan.scale, seed=plan.seed), events)
    records: list[bytes] = []
    malformed: set[int] = set()
    for line in events.read_bytes().splitlines():
        if len(records) % plan.malformed_every == plan.malformed_every - 1:
            malformed.add(len(records))
            records.append(_MALFORMED)
        records.append(line)
    return records, malformed, directory / "events.labels.jsonl"


def run_faults(plan: FaultPlan, directory: Path, clean_passes: int = 2) -> FaultReport:
    """One fault run and ``clean_passes`` clean ones over the same topic, compared."""
    started = time.monotonic()
    records, malformed, labels = scenario_records(plan, directory)
    rng = random.Random(plan.seed)
    redis_servers: RedisServer | RedisClusterServer | RedisSentinelGroup = RedisServer(durable=True)
    if plan.failovers:
        redis_servers = (
            RedisSentinelGroup()
            if plan.sentinel
            else RedisClusterServer(replicas=1, node_timeout_ms=1000)
        )
    with redis_servers, TansuBroker(storage="s3") as broker:
        run = _Run(redis_servers, broker, Topics(broker.bootstrap), directory, rng)
        # Paced to last well past the faults' estimated time (joins after a kill take 5-30 s
        # here), and hurried once they are done: every fault lands mid-stream.
        stream_s = plan.stream_s() * _PACE_MARGIN
        producer = _PacedProducer(broker.bootstrap, run.topics.requests, records, stream_s)
        run.start_worker()
        producer.start()
        survived: dict[str, int] = {}
        for fault in plan.schedule():
            time.sleep(rng.uniform(0.5, 2.0))
            if run.inject(fault, plan.outage_s):
                survived[fault] = survived.get(fault, 0) + 1
        producer.hurry.set()
        producer.join()
        ends: dict[int, int] = {}
        for partition, offset in producer.placed.values():
            ends[partition] = max(ends.get(partition, 0), offset + 1)
        run.drain(ends)
        for n in range(clean_passes):
            env = run.env(f"clean{n}", f"{run.topics.group}-c{n}")
            finish(start_worker(env, idle_s=5), timeout=300)
        client = run.client()
        try:
            report = compare_runs(
                client,
                broker.bootstrap,
                run.topics,
                records,
                malformed,
                producer.placed,
                read_labels(labels),
                clean_prefixes=[f"clean{n}" for n in range(clean_passes)],
            )
        finally:
            client.close()
    # Offline detect over the same events, read as the topic's partitions: the workers'
    # verdicts, whatever happened to them.
    settings = Settings(_env_file=None, learn_interval_s=0, partitions=PARTITIONS)  # type: ignore[call-arg]
    detect_file(directory / "events.jsonl", directory / "detect.jsonl", settings, False)
    report.detect_lines = (directory / "detect.jsonl").read_bytes()
    report.injected = dict(Counter(plan.schedule()))
    report.survived = survived
    report.crashes = run.crashes
    report.produce_errors = producer.errors
    report.seconds = time.monotonic() - started
    return report
