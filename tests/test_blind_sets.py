"""The outside sets (simulations/blind/): written blind, read by the service as it is.

Each generator under ``simulations/blind`` was written by a session that never opened the
detector, the service or the project's own simulator; each has its own test of what it
generates. This file holds what the project needs of them: they stay independent (the
standard library, numpy and their own package only), and what they write is what the
service reads (every event valid under the contract, every account labelled).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from service.contract import InvalidEvent, iter_lines, parse_event
from simulations.labels import read_labels

ROOT = Path(__file__).resolve().parent.parent
BLIND = ROOT / "simulations" / "blind"
GENERATORS = sorted(p.name for p in BLIND.iterdir() if (p / "__main__.py").exists())
ALLOWED = set(sys.stdlib_module_names) | {"numpy"}


def test_there_are_outside_sets() -> None:
    assert len(GENERATORS) >= 2, GENERATORS


@pytest.mark.parametrize("name", GENERATORS)
def test_an_outside_set_imports_nothing_of_the_project(name: str) -> None:
    own = f"simulations.blind.{name}"
    foreign = {}
    for path in sorted((BLIND / name).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            bad = [m for m in modules if m.split(".")[0] not in ALLOWED and
                   not (m == own or m.startswith(own + "."))]  # fmt: skip
            if bad:
                foreign[str(path.relative_to(ROOT))] = bad
    assert not foreign, foreign


@pytest.mark.parametrize("name", GENERATORS)
def test_an_outside_set_is_what_the_service_reads(name: str, tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", f"simulations.blind.{name}", "--out", str(tmp_path),
         "--seed", "3", "--scale", "0.05"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    (events_path,) = tmp_path.glob("events.jsonl*")
    accounts: set[str] = set()
    rejected = []
    for number, line in iter_lines(events_path):
        try:
            accounts.add(parse_event(line).account_id)
        except InvalidEvent as error:
            rejected.append((number, str(error)))
    assert not rejected, rejected[:5]
    assert len(accounts) > 50
    labels = read_labels(tmp_path / "labels.jsonl")
    assert set(labels) == accounts
    types = {label.campaign_type for label in labels.values() if label.label == "attack"}
    assert {"bulk_cot", "hydra", "slow_drip", "logit_probe", "chat_mimicry"} <= types
