"""The casebook outside set (simulations/blind/casebook): what it writes is deterministic,
valid under the request-event contract as written, sorted, and labelled one for one.

The contract is checked here from its text (docs of request-event v1), not through the
service, so the set stays independent of the project's own parser.
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN_TYPES = {"bulk_cot", "logit_probe", "model_pivot", "hydra", "slow_drip", "chat_mimicry"}
MIB = 1024 * 1024
OPTIONAL_STRINGS = (
    "api_key_id",
    "user_id",
    "session_id",
    "user_agent",
    "payment_fingerprint",
    "endpoint",
    "finish_reason",
)
OPTIONAL_COUNTS = ("reasoning_tokens", "messages")


def generate(out: Path, seed: int = 5, scale: float = 0.05, hours: float | None = None) -> Path:
    command = [
        sys.executable,
        "-m",
        "simulations.blind.casebook",
        "--out",
        str(out),
        "--seed",
        str(seed),
        "--scale",
        str(scale),
    ]
    if hours is not None:
        command += ["--hours", str(hours)]
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("casebook-a"))


@pytest.fixture(scope="module")
def events(first: Path) -> list[dict[str, Any]]:
    with gzip.open(first / "events.jsonl.gz", "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module")
def labels(first: Path) -> list[dict[str, Any]]:
    lines = (first / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _time(value: Any) -> float | None:
    """Seconds since the epoch of an RFC 3339 string or a Unix number; None if neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str) or "T" not in value.upper():
        return None
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


def _is_int(value: Any, low: int | None = None, high: int | None = None) -> bool:
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _is_number(value: Any, low: float, high: float | None = None) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return value >= low and (high is None or value <= high)


def contract_errors(event: dict[str, Any]) -> list[str]:
    """Every way ``event`` breaks request-event v1 (optional fields held to their types too)."""
    errors = []
    for name in ("event_id", "account_id"):
        value = event.get(name)
        if not isinstance(value, str) or not 1 <= len(value) <= 128:
            errors.append(name)
    if _time(event.get("ts")) is None:
        errors.append("ts")
    if not isinstance(event.get("model"), str) or not event["model"]:
        errors.append("model")
    for name in ("prompt_tokens", "completion_tokens"):
        if not _is_int(event.get(name), 0):
            errors.append(name)
    present = {k: v for k, v in event.items() if v is not None}
    errors += [n for n in OPTIONAL_STRINGS if n in present and not isinstance(present[n], str)]
    errors += [n for n in OPTIONAL_COUNTS if n in present and not _is_int(present[n], 0)]
    if "client_ip" in present:
        try:
            ipaddress.ip_address(present["client_ip"])
        except ValueError:
            errors.append("client_ip")
    if "asn" in present and not _is_int(present["asn"]):
        errors.append("asn")
    if "account_created" in present and _time(present["account_created"]) is None:
        errors.append("account_created")
    if "status" in present and not _is_int(present["status"], 100, 599):
        errors.append("status")
    if "latency_ms" in present and not _is_number(present["latency_ms"], 0.0):
        errors.append("latency_ms")
    for name in ("prompt", "system_prompt"):
        text = present.get(name)
        if text is not None and (not isinstance(text, str) or len(text.encode()) > MIB):
            errors.append(name)
    errors += [f"params.{n}" for n in _param_errors(present.get("params"))]
    return errors


def _param_errors(params: Any) -> list[str]:
    if params is None:
        return []
    if not isinstance(params, dict):
        return ["(object)"]
    checks = {
        "max_tokens": lambda v: _is_int(v, 0),
        "temperature": lambda v: _is_number(v, 0.0, 2.0),
        "top_p": lambda v: _is_number(v, 0.0, 1.0),
        "n": lambda v: _is_int(v, 1),
        "seed": _is_int,
        "logprobs": lambda v: isinstance(v, bool),
        "top_logprobs": lambda v: _is_int(v, 0, 20),
        "logit_bias": lambda v: _is_int(v, 0),
        "stream": lambda v: isinstance(v, bool),
        "tools": lambda v: _is_int(v, 0),
    }
    return [k for k, ok in checks.items() if params.get(k) is not None and not ok(params[k])]


def test_same_arguments_give_identical_files(first: Path, tmp_path: Path) -> None:
    second = generate(tmp_path / "again")
    for name in ("events.jsonl.gz", "labels.jsonl"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_another_seed_gives_another_log(first: Path, tmp_path: Path) -> None:
    other = generate(tmp_path / "other", seed=6)
    assert (first / "labels.jsonl").read_bytes() != (other / "labels.jsonl").read_bytes()


def test_every_event_is_valid_under_the_contract(events: list[dict[str, Any]]) -> None:
    bad = [(e.get("event_id"), errs) for e in events if (errs := contract_errors(e))]
    assert not bad, bad[:5]
    assert len({e["event_id"] for e in events}) == len(events)


def test_events_are_sorted_by_ts_inside_the_window(events: list[dict[str, Any]]) -> None:
    times = [_time(e["ts"]) or 0.0 for e in events]
    assert times == sorted(times)
    assert times[-1] - times[0] <= 6 * 3600.0


def test_labels_match_events_one_for_one(
    events: list[dict[str, Any]], labels: list[dict[str, Any]]
) -> None:
    counts = Counter(e["account_id"] for e in events)
    tokens: Counter[str] = Counter()
    for e in events:
        tokens[e["account_id"]] += e["completion_tokens"]
    ids = [lab["account_id"] for lab in labels]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert set(ids) == set(counts)
    for lab in labels:
        assert lab["events"] == counts[lab["account_id"]], lab
        assert lab["completion_tokens"] == tokens[lab["account_id"]], lab


def test_labels_are_well_formed(labels: list[dict[str, Any]]) -> None:
    for lab in labels:
        assert lab["label"] in ("benign", "attack")
        assert isinstance(lab["heavy"], bool)
        if lab["label"] == "attack":
            assert lab["persona"] is None and lab["campaign"] and not lab["heavy"]
            assert lab["campaign_type"] in CAMPAIGN_TYPES
        else:
            assert lab["persona"] and lab["campaign"] is None and lab["campaign_type"] is None
    assert any(lab["heavy"] for lab in labels)


def test_all_six_campaign_types_are_present(labels: list[dict[str, Any]]) -> None:
    types = {lab["campaign_type"] for lab in labels if lab["label"] == "attack"}
    assert types == CAMPAIGN_TYPES


def test_a_shorter_window_stays_inside_its_hours(tmp_path: Path) -> None:
    out = generate(tmp_path / "short", hours=1.0)
    with gzip.open(out / "events.jsonl.gz", "rt", encoding="utf-8") as handle:
        times = [_time(json.loads(line)["ts"]) or 0.0 for line in handle]
    assert times and times[-1] - times[0] <= 3600.0
