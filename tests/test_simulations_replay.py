"""Replay into a file, a local HTTP endpoint and the real (Tansu) Kafka broker, with pacing."""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import orjson
import pytest

from service.contract import iter_lines, parse_event
from simulations import replay as replay_module
from simulations.cli import register
from simulations.generator import generate
from simulations.replay import (
    FileSink,
    HttpSink,
    KafkaSink,
    Record,
    count_lines,
    parse_speed,
    read_records,
    replay,
)
from simulations.spec import load_scenario
from tests.servers import create_topics, read_topic

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)


def _cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="harvestguard")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return int(args.func(args))


def _records(n: int, span_s: float) -> list[Record]:
    out = []
    for i in range(n):
        ts = 1_800_000_000.0 + span_s * i / max(1, n - 1)
        event = {"event_id": f"e{i}", "ts": ts, "account_id": f"a{i % 3}", "model": "m",
                 "prompt_tokens": 1, "completion_tokens": 1}  # fmt: skip
        out.append((ts, f"a{i % 3}".encode(), orjson.dumps(event)))
    return out


@pytest.mark.parametrize(
    ("text", "factor"),
    [("max", None), ("realtime", 1.0), ("1x", 1.0), ("60x", 60.0), ("2.5", 2.5), (None, None)],
)
def test_parse_speed(text: str | None, factor: float | None) -> None:
    assert parse_speed(text) == factor


def test_parse_speed_rejects_nonsense() -> None:
    for bad in ("-3x", "0x", "fast-ish"):
        with pytest.raises(ValueError):
            parse_speed(bad)


class FakeClock:
    """The replay's clock: ``sleep`` moves it on at once and is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    perf_counter = monotonic  # the replay's own statistics

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_speed_factor_paces_by_event_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(replay_module, "time", clock)
    records = _records(41, span_s=2.0)  # two seconds of event time
    stats = replay(records, [FileSink(tmp_path / "a.jsonl")], speed=10.0, progress=False)
    assert stats.events == 41
    assert clock.now - 1000.0 == pytest.approx(0.2, abs=0.003)  # 2 s / 10, in 40 waits
    assert len(clock.sleeps) == 40
    clock.sleeps.clear()
    replay(records, [FileSink(tmp_path / "b.jsonl")], speed=None, progress=False)
    assert clock.sleeps == []  # as fast as it goes: never waits
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_file_replay_round_trip(tmp_path: Path) -> None:
    source = tmp_path / "events.jsonl.gz"
    generate(load_scenario("smoke").scaled(0.1), source)
    assert count_lines(source) > 100
    copy = tmp_path / "copy.jsonl"
    assert _cli("simulate", str(source), "--output", str(copy), "--quiet") == 0
    assert [line for _, line in iter_lines(copy)] == [line for _, line in iter_lines(source)]
    ts = [r[0] for r in read_records(copy)]
    assert ts == sorted(ts)


class _Collector(BaseHTTPRequestHandler):
    bodies: ClassVar[list[bytes]] = []
    types: ClassVar[list[str]] = []
    fail_first = True

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if _Collector.fail_first:  # one transient failure: the sink must retry
            _Collector.fail_first = False
            self.send_response(503)
            self.end_headers()
            return
        _Collector.bodies.append(body)
        _Collector.types.append(self.headers["Content-Type"])
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_endpoint() -> Iterator[str]:
    _Collector.bodies, _Collector.types, _Collector.fail_first = [], [], True
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/events"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_http_replay_posts_ndjson_batches(http_endpoint: str, tmp_path: Path) -> None:
    result = generate(load_scenario("smoke").scaled(0.1), tmp_path / "e.jsonl",
                      sinks=[HttpSink(http_endpoint, batch=100)])  # fmt: skip
    assert set(_Collector.types) == {"application/x-ndjson"}
    lines = [line for body in _Collector.bodies for line in body.splitlines()]
    assert len(lines) == result.events and len(_Collector.bodies) == -(-result.events // 100)
    assert lines == [line.rstrip(b"\n") for _, line in iter_lines(tmp_path / "e.jsonl")]
    for line in lines:
        parse_event(line)


def test_http_replay_of_a_file_through_the_cli(http_endpoint: str, tmp_path: Path) -> None:
    source = tmp_path / "events.jsonl"
    generate(load_scenario("smoke").scaled(0.05), source)
    code = _cli("simulate", str(source), "--to", "http", "--url", http_endpoint, "--quiet")
    assert code == 0
    assert sum(len(b.splitlines()) for b in _Collector.bodies) == count_lines(source)


def test_kafka_replay_keys_by_account(kafka_bootstrap: str, tmp_path: Path) -> None:
    topic = f"sim-{uuid.uuid4().hex[:8]}"
    create_topics(kafka_bootstrap, [topic], partitions=4)
    copy = tmp_path / "copy.jsonl"
    result = generate(load_scenario("smoke").scaled(0.2), copy,
                      sinks=[KafkaSink(kafka_bootstrap, topic)])  # fmt: skip
    records = read_topic(kafka_bootstrap, topic, timeout=60)
    assert len(records) == result.events
    assert sorted(r[3] or b"" for r in records) == sorted(
        line.rstrip(b"\n") for _, line in iter_lines(copy)
    )
    partitions: dict[bytes, set[int]] = defaultdict(set)
    last_ts: dict[int, float] = {}
    for partition, _, key, value in records:
        event = parse_event(value or b"")
        assert key == event.account_id.encode()
        partitions[key].add(partition)
        assert event.ts >= last_ts.get(partition, 0.0)  # produced in ts order
        last_ts[partition] = event.ts
    assert all(len(p) == 1 for p in partitions.values())  # one account, one partition
    assert len({p for ps in partitions.values() for p in ps}) > 1


def test_cli_simulate_to_kafka_at_a_speed_factor(kafka_bootstrap: str, tmp_path: Path) -> None:
    topic = f"sim-{uuid.uuid4().hex[:8]}"
    create_topics(kafka_bootstrap, [topic], partitions=2)
    labels = tmp_path / "labels.jsonl"
    started = time.monotonic()
    code = _cli("simulate", "smoke", "--scale", "0.2", "--hours", "0.05", "--to", "kafka",
                "--bootstrap", kafka_bootstrap, "--topic", topic, "--speed", "90x",
                "--labels", str(labels), "--quiet")  # fmt: skip
    elapsed = time.monotonic() - started
    assert code == 0
    records = read_topic(kafka_bootstrap, topic, timeout=60)
    spans = [parse_event(r[3] or b"").ts for r in records]
    event_span = max(spans) - min(spans)
    assert elapsed >= 0.8 * event_span / 90  # paced: three minutes of traffic in about two s
    rows = [orjson.loads(line) for line in labels.read_bytes().splitlines()]
    assert sum(int(r["events"]) for r in rows) == len(records)
