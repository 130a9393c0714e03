"""The yardsticks: the same job done by hand with nothing else, to measure harvestguard against.

    python -m benchmarks.yardstick file --input EVENTS.jsonl[.gz] --output ALERTS.jsonl
    python -m benchmarks.yardstick stream --bootstrap HOST:PORT --topic llm.requests \\
        --group GROUP --alerts-topic bench.alerts [--exit-when-idle 10]

Both read request events (contract v1) with orjson, keep for each account a 1-minute
and a 10-minute count in event time (tumbling, in a dict) and raise an alert when an
account's minute passes 60 requests. ``stream`` is a kafka-python consumer in a consumer
group: it produces each alert to a topic and, like the worker, waits for the broker's
acknowledgement before it commits the poll's offsets. ``file`` reads the file line by
line (``gzip.open`` for ``.gz``) and writes the alerts as JSON lines. No store, no fault
tolerance, no detection: the floor a user sizing a deployment compares harvestguard with
(see docs/performance.md).
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

MINUTE_LIMIT = 60

# Per account: [minute, its requests, ten-minute slot, its requests].
Windows = dict[str, list[int]]


def count(windows: Windows, line: bytes) -> dict[str, Any] | None:
    """Count one event; the alert when it takes its account's minute past the limit.

    Raises ``ValueError`` (orjson's decode error is one), ``KeyError`` or ``TypeError`` on
    a record that is not an event."""
    event = orjson.loads(line)
    account = event["account_id"]
    ts = event["ts"]
    if isinstance(ts, str):
        ts = datetime.fromisoformat(ts).timestamp()
    minute = int(ts // 60)
    slot = windows.get(account)
    if slot is None:
        slot = windows[account] = [minute, 0, minute // 10, 0]
    if slot[0] != minute:
        slot[0], slot[1] = minute, 0
    if slot[2] != minute // 10:
        slot[2], slot[3] = minute // 10, 0
    slot[1] += 1
    slot[3] += 1
    if slot[1] != MINUTE_LIMIT + 1:
        return None
    return {"account_id": account, "minute": minute * 60, "requests_1m": slot[1],
            "requests_10m": slot[3]}  # fmt: skip


def run_file(source: Path, target: Path) -> tuple[int, int, int]:
    """The offline yardstick: (events, rejected lines, alerts)."""
    windows: Windows = {}
    events = rejected = alerts = 0
    opened = gzip.open if source.suffix == ".gz" else open
    with opened(source, "rb") as lines, target.open("wb") as out:
        for line in lines:
            if not line.strip():
                continue
            try:
                alert = count(windows, line)
            except (ValueError, KeyError, TypeError):
                rejected += 1
                continue
            events += 1
            if alert is not None:
                alerts += 1
                out.write(orjson.dumps(alert) + b"\n")
    return events, rejected, alerts


def run_stream(
    bootstrap: str,
    topic: str,
    group: str,
    alerts_topic: str,
    exit_when_idle: float,
    consumer_settings: dict[str, Any],
) -> tuple[int, int, int]:
    """The streaming yardstick, until idle for ``exit_when_idle`` s once it owns partitions."""
    from kafka import KafkaConsumer, KafkaProducer

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **consumer_settings,
    )
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    windows: Windows = {}
    events = rejected = alerts = 0
    idle_since: float | None = None
    while True:
        polled = consumer.poll(timeout_ms=500)
        if not polled:
            if consumer.assignment():
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= exit_when_idle:
                    break
            continue
        idle_since = None
        raised = 0
        for records in polled.values():
            for record in records:
                try:
                    alert = count(windows, record.value)
                except (ValueError, KeyError, TypeError):
                    rejected += 1
                    continue
                events += 1
                if alert is not None:
                    raised += 1
                    producer.send(alerts_topic, key=record.key, value=orjson.dumps(alert))
        if raised:
            producer.flush(timeout=30)
            alerts += raised
        consumer.commit()
    producer.close(timeout=10)
    consumer.close(autocommit=False)
    return events, rejected, alerts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    file = modes.add_parser("file", help="Over a JSONL(.gz) file.")
    file.add_argument("--input", required=True, type=Path)
    file.add_argument("--output", required=True, type=Path, help="Alerts, JSON lines.")
    stream = modes.add_parser("stream", help="A consumer in a consumer group.")
    stream.add_argument("--bootstrap", required=True)
    stream.add_argument("--topic", required=True)
    stream.add_argument("--group", required=True)
    stream.add_argument("--alerts-topic", required=True)
    stream.add_argument("--exit-when-idle", type=float, default=10.0, metavar="SECONDS")
    stream.add_argument("--max-poll-records", type=int, default=5_000)
    stream.add_argument("--session-timeout-ms", type=int, default=6_000)
    args = parser.parse_args(argv)
    if args.mode == "file":
        events, rejected, alerts = run_file(args.input, args.output)
    else:
        # The worker's fetch settings, so that the two differ in what they do with a record.
        events, rejected, alerts = run_stream(
            args.bootstrap, args.topic, args.group, args.alerts_topic, args.exit_when_idle,
            {"max_poll_records": args.max_poll_records, "fetch_max_bytes": 64 << 20,
             "max_partition_fetch_bytes": 16 << 20,
             "session_timeout_ms": args.session_timeout_ms,
             "heartbeat_interval_ms": max(args.session_timeout_ms // 3, 100)},
        )  # fmt: skip
    print(f"events: {events}, rejected: {rejected}, alerts: {alerts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
