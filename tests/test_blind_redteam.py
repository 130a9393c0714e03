"""The redteam blind traffic generator: runs, is deterministic, honours the contract and labels."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest

from simulations.blind.redteam.__main__ import main

TYPES = {"bulk_cot", "logit_probe", "model_pivot", "hydra", "slow_drip", "chat_mimicry"}
REQUIRED_STR = ("event_id", "account_id", "model")
REQUIRED_INT = ("prompt_tokens", "completion_tokens")


def _run(out: Path, seed: int) -> Path:
    assert main(["--out", str(out), "--seed", str(seed), "--scale", "0.05"]) == 0
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp("rt") / "a", 3)


def _events(out: Path) -> list[dict]:
    with gzip.open(out / "events.jsonl.gz", "rt", encoding="utf-8") as h:
        return [json.loads(line) for line in h]


def _labels(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "labels.jsonl").read_text().splitlines()]


def _digest(out: Path) -> str:
    data = gzip.decompress((out / "events.jsonl.gz").read_bytes())
    return hashlib.sha256(data + (out / "labels.jsonl").read_bytes()).hexdigest()


def test_deterministic(run: Path, tmp_path: Path) -> None:
    assert _digest(_run(tmp_path / "b", 3)) == _digest(run)
    assert _digest(_run(tmp_path / "c", 4)) != _digest(run)


def test_contract_fields(run: Path) -> None:
    events = _events(run)
    assert len(events) > 1000
    seen: set[str] = set()
    last = ""
    for ev in events:
        for k in REQUIRED_STR:
            assert isinstance(ev[k], str) and 1 <= len(ev[k]) <= 128, k
        for k in REQUIRED_INT:
            assert isinstance(ev[k], int) and not isinstance(ev[k], bool) and ev[k] >= 0, k
        assert isinstance(ev["ts"], str)
        datetime.fromisoformat(ev["ts"].replace("Z", "+00:00"))
        assert ev["ts"] >= last
        last = ev["ts"]
        assert ev["event_id"] not in seen
        seen.add(ev["event_id"])
        assert 100 <= ev.get("status", 200) <= 599
        params = ev.get("params") or {}
        assert 0 <= params.get("temperature", 0) <= 2
        assert 0 <= params.get("top_logprobs", 0) <= 20
        assert params.get("n", 1) >= 1
        if ev.get("asn") is not None:
            assert isinstance(ev["asn"], int)


def test_labels_cover_accounts(run: Path) -> None:
    events, labels = _events(run), _labels(run)
    by_acct: dict[str, int] = {}
    for ev in events:
        by_acct[ev["account_id"]] = by_acct.get(ev["account_id"], 0) + 1
    assert {lab["account_id"] for lab in labels} == set(by_acct)
    assert [lab["account_id"] for lab in labels] == sorted(by_acct)
    for lab in labels:
        assert lab["events"] == by_acct[lab["account_id"]]
        assert lab["label"] in ("benign", "attack")
        if lab["label"] == "attack":
            assert lab["campaign"] and lab["campaign_type"] and lab["persona"] is None
        else:
            assert lab["persona"] and lab["campaign"] is None and lab["campaign_type"] is None


def test_campaign_types_present(run: Path) -> None:
    labels = _labels(run)
    assert {lab["campaign_type"] for lab in labels} >= TYPES
    assert any(lab["heavy"] for lab in labels)
    assert any(lab["enterprise"] for lab in labels)
    assert any(lab["nat"] for lab in labels)
