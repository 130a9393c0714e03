"""The independent "incidents" traffic set: runs, is deterministic, keeps the contract."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TYPES = {"bulk_cot", "logit_probe", "model_pivot", "hydra", "slow_drip", "chat_mimicry"}
REQUIRED = {
    "event_id": str,
    "account_id": str,
    "model": str,
    "prompt_tokens": int,
    "completion_tokens": int,
}


def _run(out: Path, seed: int) -> None:
    cmd = [sys.executable, "-m", "simulations.blind.incidents", "--out", str(out)]
    cmd += ["--seed", str(seed), "--scale", "0.05"]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    _run(a, 7)
    _run(b, 7)
    return a, b


def _events(out: Path) -> list[dict[str, object]]:
    with gzip.open(out / "events.jsonl.gz", "rt") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _labels(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "labels.jsonl").read_text().splitlines()]


def _ts(value: object) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    assert isinstance(value, str)
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def test_deterministic(generated: tuple[Path, Path]) -> None:
    a, b = generated
    assert (a / "events.jsonl.gz").read_bytes() == (b / "events.jsonl.gz").read_bytes()
    assert (a / "labels.jsonl").read_bytes() == (b / "labels.jsonl").read_bytes()


def test_other_seed_differs(tmp_path: Path, generated: tuple[Path, Path]) -> None:
    _run(tmp_path, 8)
    assert (tmp_path / "labels.jsonl").read_bytes() != (generated[0] / "labels.jsonl").read_bytes()


def test_contract(generated: tuple[Path, Path]) -> None:
    events = _events(generated[0])
    assert len(events) > 1000
    ids = set()
    last = 0
    for ev in events:
        for name, kind in REQUIRED.items():
            assert isinstance(ev[name], kind) and not isinstance(ev[name], bool), name
        assert 1 <= len(ev["event_id"]) <= 128 and 1 <= len(ev["account_id"]) <= 128  # type: ignore[arg-type]
        assert ev["prompt_tokens"] >= 0 and ev["completion_tokens"] >= 0  # type: ignore[operator]
        ts = round(_ts(ev["ts"]) * 1000)  # milliseconds, as written
        assert ts >= last
        last = ts
        ids.add(ev["event_id"])
        if "status" in ev:
            assert isinstance(ev["status"], int) and 100 <= ev["status"] <= 599
        if "asn" in ev:
            assert isinstance(ev["asn"], int)
        for key in ("reasoning_tokens", "messages"):
            if key in ev:
                assert isinstance(ev[key], int) and ev[key] >= 0
        if "latency_ms" in ev:
            assert isinstance(ev["latency_ms"], (int, float)) and ev["latency_ms"] >= 0
        if "account_created" in ev:
            _ts(ev["account_created"])
        params = ev.get("params")
        if params is not None:
            assert isinstance(params, dict)
            if "temperature" in params:
                assert 0 <= params["temperature"] <= 2
            if "top_p" in params:
                assert 0 <= params["top_p"] <= 1
            if "top_logprobs" in params:
                assert 0 <= params["top_logprobs"] <= 20
            for key in ("max_tokens", "logit_bias", "tools"):
                if key in params:
                    assert isinstance(params[key], int) and params[key] >= 0
            for key in ("logprobs", "stream"):
                if key in params:
                    assert isinstance(params[key], bool)
        for key in ("prompt", "system_prompt", "user_agent", "client_ip", "session_id"):
            if key in ev:
                assert isinstance(ev[key], str)
    assert len(ids) == len(events)


def test_labels_cover_accounts(generated: tuple[Path, Path]) -> None:
    events, labels = _events(generated[0]), _labels(generated[0])
    per: dict[str, tuple[int, int]] = {}
    for ev in events:
        n, ct = per.get(ev["account_id"], (0, 0))  # type: ignore[arg-type]
        per[ev["account_id"]] = (n + 1, ct + ev["completion_tokens"])  # type: ignore[index,operator]
    assert [lab["account_id"] for lab in labels] == sorted(per)
    for lab in labels:
        assert (lab["events"], lab["completion_tokens"]) == per[lab["account_id"]]  # type: ignore[index]
        assert lab["label"] in ("benign", "attack")
        if lab["label"] == "attack":
            assert lab["campaign"] and lab["campaign_type"] and lab["persona"] is None
        else:
            assert lab["persona"] and lab["campaign"] is None and lab["campaign_type"] is None
        assert isinstance(lab["heavy"], bool)


def test_campaign_types_present(generated: tuple[Path, Path]) -> None:
    labels = _labels(generated[0])
    types = {lab["campaign_type"] for lab in labels if lab["label"] == "attack"}
    assert types >= TYPES
    assert any(lab["heavy"] for lab in labels)
    assert any(lab["enterprise"] for lab in labels) and any(lab["nat"] for lab in labels)
