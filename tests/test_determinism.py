"""Same events, same verdicts: whatever the batch sizes, the number of workers, or whether
the verdicts come from the workers or from ``detect`` over the same events.

Verdict files are compared byte for byte: every field of every line, the first-flag
event and the explanation included. The fault run's comparison is in tests/test_faults.py.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest
import redis

from service.contract import parse_event
from service.offline import detect_file
from service.settings import Settings
from simulations.evasions import apply
from simulations.generator import generate
from simulations.spec import load_scenario
from tests.workers import (
    PARTITIONS,
    Topics,
    finish,
    produce,
    start_worker,
    verdict_lines,
    worker_env,
)

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)

# What the workers of worker_env run with, for detect to run the same way.
SETTINGS = Settings(_env_file=None, learn_interval_s=0, partitions=PARTITIONS)  # type: ignore[call-arg]


# Campaigns as unlike the simulator's defaults as the cheap evasions make them: a thin farm
# of one-skeleton accounts, some of which are flagged only at a recheck, with no event.
EVASION = "reworded-brief+capped+no-system+residential+own-agents+one-skeleton+three-each"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two hours of the matrix base at an eighth of its size (11,000 events, some 30 accounts
    flagged): every campaign type, benign look-alikes, heavy accounts."""
    scenario = load_scenario("matrix").scaled(0.12, hours=2.0)
    path = tmp_path_factory.mktemp("determinism") / "events.jsonl.gz"
    generate(apply(scenario, EVASION), path)
    return path


def test_the_scenario_holds_verdicts_given_at_rechecks(scenario: Path, tmp_path: Path) -> None:
    """What the comparisons below cover: some accounts are flagged after their last event,
    at a recheck (docs/detection.md), and name that last event."""
    verdicts = tmp_path / "verdicts.jsonl"
    detect_file(scenario, verdicts, SETTINGS)
    ts_of = {e.event_id: e.ts for e in map(parse_event, events_of(scenario))}
    lines = [orjson.loads(line) for line in verdicts.read_bytes().splitlines()]
    late = [v for v in lines if v["first_flagged_ts"] > ts_of[v["first_flagged_event_id"]]]
    assert len(lines) >= 20 and late


def events_of(path: Path) -> list[bytes]:
    with gzip.open(path) as lines:
        return [line.rstrip(b"\n") for line in lines if line.strip()]


@pytest.mark.parametrize(
    ("epoch_s", "batch_size"),
    [(60, 1), (60, 7), (60, 333), (60, 1000), (60, 5000), (300, 7), (300, 5000)],
)
def test_detect_writes_the_same_verdicts_whatever_its_batch_size(
    scenario: Path, tmp_path: Path, epoch_s: int, batch_size: int
) -> None:
    settings = SETTINGS.model_copy(update={"epoch_s": epoch_s})
    reference = tmp_path / "reference.jsonl"
    detect_file(scenario, reference, settings.model_copy(update={"batch_size": 1000}))
    cut = tmp_path / "cut.jsonl"
    detect_file(scenario, cut, settings.model_copy(update={"batch_size": batch_size}))
    assert reference.read_bytes() and cut.read_bytes() == reference.read_bytes()


def test_one_worker_three_workers_and_detect_give_the_same_verdicts(
    scenario: Path, tmp_path: Path, kafka_bootstrap: str, redis_url: str,
    redis_client: redis.Redis,
) -> None:  # fmt: skip
    offline = tmp_path / "detect.jsonl"
    detect_file(scenario, offline, SETTINGS)
    topics = Topics(kafka_bootstrap)
    records = [(orjson.loads(raw)["account_id"].encode(), raw) for raw in events_of(scenario)]
    produce(kafka_bootstrap, topics.requests, records)

    finish(start_worker(worker_env(kafka_bootstrap, redis_url, topics, "one")), timeout=600)
    three = [
        start_worker(worker_env(kafka_bootstrap, redis_url, topics, "three", group="three"))
        for _ in range(3)
    ]
    for worker in three:
        finish(worker, timeout=600)

    expected = offline.read_bytes()
    assert expected.count(b"\n") >= 20
    assert verdict_lines(redis_client, "one") == expected
    assert verdict_lines(redis_client, "three") == expected


def test_three_workers_with_five_minute_epochs_give_detects_verdicts(
    scenario: Path, tmp_path: Path, kafka_bootstrap: str, redis_url: str,
    redis_client: redis.Redis,
) -> None:  # fmt: skip
    offline = tmp_path / "detect.jsonl"
    detect_file(scenario, offline, SETTINGS.model_copy(update={"epoch_s": 300}))
    topics = Topics(kafka_bootstrap)
    records = [(orjson.loads(raw)["account_id"].encode(), raw) for raw in events_of(scenario)]
    produce(kafka_bootstrap, topics.requests, records)
    env = {**worker_env(kafka_bootstrap, redis_url, topics, "five"), "HARVESTGUARD_EPOCH_S": "300"}
    three = [start_worker(env) for _ in range(3)]
    for worker in three:
        finish(worker, timeout=600)
    expected = offline.read_bytes()
    assert expected.count(b"\n") >= 20
    assert verdict_lines(redis_client, "five") == expected
