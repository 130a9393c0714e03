"""The measuring instruments of benchmarks/: the yardsticks, process-tree CPU, the ratio
tables and the profile's stages. The streaming yardstick runs against the real Tansu broker.
"""

from __future__ import annotations

import cProfile
import gzip
import os
import pstats
import subprocess
import sys
import time
import uuid
from pathlib import Path

import orjson
import psutil
import pytest
from kafka import KafkaProducer

from benchmarks.measure import Run, comparison, consumer_group_run, timed_command, tree_cpu_seconds
from benchmarks.profile_stages import STAGES, profile_stages, spy_stages, stage_of
from benchmarks.yardstick import MINUTE_LIMIT, Windows, count, run_file
from service.offline import detect_file
from service.settings import Settings
from tests.factories import T0, event, traffic
from tests.servers import DEFAULT_SESSION_TIMEOUT_MS, committed_offsets, create_topics, read_topic

BURN = "import time\nend = time.process_time() + {s}\nwhile time.process_time() < end: pass\n"


def line(**fields: object) -> bytes:
    return orjson.dumps(event(**fields))


def test_the_yardstick_alerts_once_when_a_minute_passes_60_requests() -> None:
    windows: Windows = {}
    alerts = [count(windows, line(ts=T0 + i * 0.5)) for i in range(MINUTE_LIMIT + 5)]
    raised = [a for a in alerts if a is not None]
    assert raised == [{"account_id": "org_1", "minute": T0, "requests_1m": 61,
                       "requests_10m": 61}]  # fmt: skip
    assert alerts.index(raised[0]) == MINUTE_LIMIT  # the 61st request
    # The next minute starts from nothing; the ten-minute slot goes on counting.
    minute = int(T0 // 60)
    assert count(windows, line(ts=T0 + 60)) is None
    assert windows["org_1"] == [minute + 1, 1, minute // 10, MINUTE_LIMIT + 6]
    assert count(windows, line(ts=T0 + 600)) is None
    assert windows["org_1"][3] == 1  # a new ten-minute slot
    # Accounts are apart; RFC 3339 times count like Unix seconds.
    for i in range(MINUTE_LIMIT + 1):
        alert = count(windows, line(account_id="org_2", ts="2026-11-28T14:00:30Z", event_id=i))
    assert alert is not None and alert["account_id"] == "org_2" and alert["minute"] == T0


@pytest.mark.parametrize("record", [b"{not json", b"[1, 2]", b'{"ts": 1}', b'{"account_id": "a"}'])
def test_the_yardstick_raises_on_what_is_not_an_event(record: bytes) -> None:
    with pytest.raises((ValueError, KeyError, TypeError)):
        count({}, record)


def test_the_offline_yardstick_reads_gzip_line_by_line(tmp_path: Path) -> None:
    source, target = tmp_path / "events.jsonl.gz", tmp_path / "alerts.jsonl"
    lines = [line(ts=T0 + i, account_id=f"org_{i % 2}") for i in range(200)]
    lines.insert(7, b"{broken")
    source.write_bytes(gzip.compress(b"\n".join(lines) + b"\n\n"))
    assert run_file(source, target) == (200, 1, 0)
    many = [line(ts=T0 + i * 0.1, account_id="org_busy") for i in range(100)]
    (tmp_path / "plain.jsonl").write_bytes(b"\n".join(many))
    assert run_file(tmp_path / "plain.jsonl", target) == (100, 0, 1)
    assert orjson.loads(target.read_bytes())["account_id"] == "org_busy"


def test_a_whole_command_is_charged_its_childrens_cpu() -> None:
    # The command forks a child that burns 0.4 s of CPU; the parent burns almost nothing.
    code = (
        "import multiprocessing as mp\n"
        f"def burn():\n    exec({BURN.format(s=0.4)!r})\n"
        "if __name__ == '__main__':\n"
        "    child = mp.get_context('fork').Process(target=burn)\n"
        "    child.start(); child.join()\n"
    )
    run, _ = timed_command("t", [sys.executable, "-c", code], 100)
    assert run.cpu >= 0.38
    assert run.events == 100 and run.seconds >= run.cpu * 0.9


def test_a_live_process_tree_is_charged_its_childrens_cpu() -> None:
    code = (
        "import subprocess, sys\n"
        f"subprocess.run([sys.executable, '-c', {BURN.format(s=0.5)!r}])\n"
        "import time; time.sleep(30)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code])
    try:
        tree = [psutil.Process(process.pid)]
        deadline = time.monotonic() + 20
        while tree_cpu_seconds(tree) < 0.45 and time.monotonic() < deadline:
            time.sleep(0.05)
        # A live child counts, and so does one that has exited and been waited for.
        assert tree_cpu_seconds(tree) >= 0.45
        time.sleep(1.0)
        assert not tree[0].children() and tree_cpu_seconds(tree) >= 0.45
    finally:
        process.kill()
        process.wait()


def test_the_comparison_gives_medians_ranges_and_the_ratio_of_each_pair() -> None:
    yardstick = [Run("y", 1000, 1.0, 1.0), Run("y", 1000, 2.0, 1.25)]
    measured = [Run("h", 1000, 4.0, 4.0), Run("h", 1000, 4.0, 5.0)]
    table = comparison("worker", yardstick, measured)
    rows = {row.split(" | ")[0].lstrip("| "): row.split(" | ")[1:] for row in table[2:]}
    # events/s: yardstick 1,000 and 500; measured 250 and 250; pair ratios 0.25 and 0.50.
    assert rows["events/s (worker)"] == ["750 (500 to 1,000, ±33%)", "250 (250 to 250, ±0%)",
                                         "0.38 (0.25 to 0.50, ±33%) |"]  # fmt: skip
    assert rows["events per CPU-second"][2] == "0.25 (0.25 to 0.25, ±0%) |"
    assert table[0].startswith("| 2 run(s) each, in turn")


def test_profile_stages_charge_c_calls_to_the_code_that_made_them(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in traffic(events=3000)))
    settings = Settings(_env_file=None, parse_in_child=False)
    profiler = cProfile.Profile()
    profiler.runcall(detect_file, events, tmp_path / "verdicts.jsonl", settings, False)
    stages, where = profile_stages(pstats.Stats(profiler))
    assert {"parse", "observe", "windows", "scoring"} <= set(stages)
    total = sum(stages.values())
    own_time = pstats.Stats(profiler).total_tt  # type: ignore[attr-defined]
    assert total == pytest.approx(own_time, rel=0.01)  # every function's own time, once
    # msgspec's decoder is C, called by the contract's parser: it counts as parsing.
    assert any("msgspec" in name for name in where["parse"])
    assert not any(
        "msgspec" in name for stage in stages if stage != "parse" for name in where[stage]
    )


def test_the_stages_name_code_that_exists_and_every_detector_is_scoring() -> None:
    # A stage naming a module that was renamed away leaves its code's time to its callers
    # (the batch loop), and the table then says the loop is slow.
    root = Path(__file__).resolve().parent.parent
    ours = [f for _, fragments in STAGES for f in fragments
            if f.split("/", 1)[0] in ("service", "detectors", "benchmarks")]  # fmt: skip
    assert ours and all((root / f).exists() for f in ours), [
        f for f in ours if not (root / f).exists()
    ]
    for module in sorted((root / "detectors").glob("*.py")):
        assert stage_of(f"detectors/{module.name}:1") == "scoring", module.name


def test_spy_stages_take_the_innermost_frame_that_belongs_to_a_stage_and_drop_waits() -> None:
    collapsed = [
        'process 1:"x";main (service/cli.py:1);process (service/pipeline.py:9);'
        "add (service/features/windows.py:3);helper (collections/__init__.py:5) 7",
        'process 1:"x";process (service/pipeline.py:9);decode (orjson) 2',
        'process 1:"x";build_parser (service/cli.py:1);_find_and_load (<frozen importlib.'
        "_bootstrap>:1);<module> (service/features/windows.py:1) 3",
        'process 2:"x";poll (kafka/consumer/group.py:1) 4',
        'process 2:"x" 1',
        'process 1:"x";_bootstrap (threading.py:995);Condition.wait (threading.py:320) 9',
    ]
    stages, where = spy_stages(collapsed)
    assert stages == {"windows": 7, "batch loop and hand-over": 2, "start-up": 3, "Kafka": 4,
                      "other": 1}  # fmt: skip
    assert where["windows"] == {"helper": 7}


@pytest.mark.integration
def test_the_streaming_yardstick_consumes_in_a_group_alerts_and_commits(
    kafka_bootstrap: str,
) -> None:
    topic, alerts = f"y.requests.{uuid.uuid4().hex[:6]}", f"y.alerts.{uuid.uuid4().hex[:6]}"
    create_topics(kafka_bootstrap, [topic, alerts], partitions=2)
    busy = [event(event_id=f"b{i}", account_id="org_busy", ts=T0 + i * 0.5) for i in range(100)]
    # Enough events that the yardstick commits more than once while it is watched (3,000
    # were all read between two of the harness's looks on a quiet machine).
    calm = [event(event_id=f"c{i}", account_id=f"org_{i % 50}", ts=T0 + i) for i in range(29900)]
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    for record in sorted(busy + calm, key=lambda e: e["ts"]):
        producer.send(topic, key=record["account_id"].encode(), value=orjson.dumps(record))
    producer.send(topic, key=b"org_bad", value=b"{broken")
    producer.flush()
    producer.close()
    group = f"y-{uuid.uuid4().hex[:6]}"
    command = [sys.executable, "-m", "benchmarks.yardstick", "stream", "--bootstrap",
               kafka_bootstrap, "--topic", topic, "--group", group, "--alerts-topic", alerts,
               "--max-poll-records", "100",
               "--session-timeout-ms", str(DEFAULT_SESSION_TIMEOUT_MS)]  # fmt: skip
    run = consumer_group_run(
        "yardstick", [command], os.environ, kafka_bootstrap, group, topic, 30001
    )
    assert 0 < run.events < 30001 and run.seconds > 0 and run.cpu >= 0
    assert sum(committed_offsets(kafka_bootstrap, group, topic).values()) == 30001
    raised = [orjson.loads(value or b"") for _, _, _, value in read_topic(kafka_bootstrap, alerts)]
    assert [a["account_id"] for a in raised] == ["org_busy"]
