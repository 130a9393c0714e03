"""The auditor's blind set (simulations/blind/audit): deterministic, on contract, labelled.

Checks the generator's own output at a small scale against the request-event contract
(v1) as written, without the service: required fields and their types, optional fields
in range when present, ts order, and labels that match the events one for one.
"""

from __future__ import annotations

import gzip
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
LABEL_KEYS = ["account_id", "label", "persona", "campaign", "campaign_type", "heavy",
              "enterprise", "nat", "events", "completion_tokens"]  # fmt: skip


def _generate(out: Path, seed: int = 7) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "simulations.blind.audit", "--out", str(out),
         "--seed", str(seed), "--scale", "0.05"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    first, second = tmp_path_factory.mktemp("audit-a"), tmp_path_factory.mktemp("audit-b")
    _generate(first)
    _generate(second)
    return first, second


def _events(out: Path) -> list[dict[str, Any]]:
    with gzip.open(out / "events.jsonl.gz", "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _labels(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "labels.jsonl").read_text().splitlines()]


def _ts(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError("bool is not a time")
    if isinstance(value, int | float):
        return float(value)
    assert isinstance(value, str) and value.endswith("Z"), value
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_event(ev: dict[str, Any]) -> None:
    for key in ("event_id", "account_id", "model"):
        assert isinstance(ev[key], str) and ev[key], key
    assert len(ev["event_id"]) <= 128 and len(ev["account_id"]) <= 128
    _ts(ev["ts"])
    for key in ("prompt_tokens", "completion_tokens"):
        assert _is_int(ev[key]) and ev[key] >= 0, key
    for key in (
        "api_key_id",
        "user_id",
        "session_id",
        "client_ip",
        "user_agent",
        "payment_fingerprint",
        "endpoint",
        "finish_reason",
        "prompt",
        "system_prompt",
    ):
        assert key not in ev or isinstance(ev[key], str), key  # fmt: skip
    if "account_created" in ev:
        assert _ts(ev["account_created"]) <= _ts(ev["ts"])
    assert "asn" not in ev or _is_int(ev["asn"])
    assert "status" not in ev or (_is_int(ev["status"]) and 100 <= ev["status"] <= 599)
    for key in ("reasoning_tokens", "messages"):
        assert key not in ev or (_is_int(ev[key]) and ev[key] >= 0), key
    assert "latency_ms" not in ev or ev["latency_ms"] >= 0
    params = ev.get("params", {})
    assert isinstance(params, dict)
    assert "temperature" not in params or 0 <= params["temperature"] <= 2
    assert "top_p" not in params or 0 <= params["top_p"] <= 1
    assert "n" not in params or (_is_int(params["n"]) and params["n"] >= 1)
    assert "top_logprobs" not in params or 0 <= params["top_logprobs"] <= 20
    for key in ("max_tokens", "logit_bias", "tools"):
        assert key not in params or (_is_int(params[key]) and params[key] >= 0), key
    for key in ("logprobs", "stream"):
        assert key not in params or isinstance(params[key], bool), key


def test_same_seed_gives_identical_bytes(runs: tuple[Path, Path]) -> None:
    first, second = runs
    for name in ("events.jsonl.gz", "labels.jsonl"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_every_event_is_on_contract_and_in_time_order(runs: tuple[Path, Path]) -> None:
    events = _events(runs[0])
    assert len(events) > 1000
    for ev in events:
        _check_event(ev)
    times = [_ts(ev["ts"]) for ev in events]
    assert times == sorted(times)
    assert min(times) >= _ts("2026-12-01T13:00:00Z") and max(times) < _ts("2026-12-01T19:00:00Z")


def test_labels_cover_exactly_the_accounts_in_the_events(runs: tuple[Path, Path]) -> None:
    events, labels = _events(runs[0]), _labels(runs[0])
    unique = {ev["event_id"]: ev for ev in events}  # at-least-once duplicates count once
    per_account = Counter(ev["account_id"] for ev in unique.values())
    tokens: Counter[str] = Counter()
    for ev in unique.values():
        tokens[ev["account_id"]] += ev["completion_tokens"]
    ids = [lab["account_id"] for lab in labels]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert set(ids) == set(per_account)
    for lab in labels:
        assert list(lab) == LABEL_KEYS
        assert lab["events"] == per_account[lab["account_id"]]
        assert lab["completion_tokens"] == tokens[lab["account_id"]]
        if lab["label"] == "attack":
            assert lab["persona"] is None and lab["campaign_type"] in CAMPAIGN_TYPES
        else:
            assert lab["label"] == "benign" and lab["persona"] and lab["campaign"] is None


def test_all_six_campaign_types_and_honest_lookalikes_are_present(
    runs: tuple[Path, Path],
) -> None:
    labels = _labels(runs[0])
    types = {lab["campaign_type"] for lab in labels if lab["label"] == "attack"}
    assert types == CAMPAIGN_TYPES
    benign = [lab for lab in labels if lab["label"] == "benign"]
    assert len(benign) > 50 and any(lab["heavy"] for lab in benign)
    assert any(lab["enterprise"] for lab in benign) and any(lab["nat"] for lab in benign)
