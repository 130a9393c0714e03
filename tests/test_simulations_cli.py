"""The ``simulate`` and ``evaluate`` sub-commands, through the real ``harvestguard`` command.

Their errors are in tests/test_cli.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.cli import main
from service.contract import iter_lines, parse_event
from simulations.labels import read_labels


def _cli(*argv: str) -> int:
    try:
        return main(list(argv))
    except SystemExit as exit_:  # argparse's own errors
        return int(exit_.code or 0)


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli("simulate", "--list") == 0
    out = capsys.readouterr().out
    for name in ("smoke", "mixed", "hydra", "holdout"):
        assert name in out


def test_simulate_to_file_with_overrides(tmp_path: Path) -> None:
    out = tmp_path / "s.jsonl.gz"
    code = _cli("simulate", "smoke", "--scale", "0.2", "--hours", "0.5", "--seed", "5",
                "--output", str(out), "--labels", str(tmp_path / "s.csv"), "--quiet")  # fmt: skip
    assert code == 0
    events = [parse_event(line) for _, line in iter_lines(out)]
    labels = read_labels(tmp_path / "s.csv")
    assert events and {e.account_id for e in events} == set(labels)
    assert max(e.ts for e in events) - min(e.ts for e in events) <= 0.5 * 3600


def test_simulate_spec_path_and_errors(tmp_path: Path) -> None:
    spec = Path(__file__).resolve().parents[1] / "simulations/scenarios/smoke/spec.json"
    out = tmp_path / "p.jsonl"
    assert _cli("simulate", str(spec), "--scale", "0.1", "--output", str(out), "--quiet") == 0
    assert (tmp_path / "p.labels.jsonl").is_file()
    assert _cli("simulate", "no-such-scenario", "--quiet") == 2
    assert _cli("simulate", "smoke", "--speed", "sideways", "--quiet") == 2


def test_the_harvestguard_console_script_has_both_commands(tmp_path: Path) -> None:
    assert main(["simulate", "--list"]) == 0
    out = tmp_path / "m.jsonl"
    assert main(["simulate", "smoke", "--scale", "0.05", "--output", str(out), "--quiet"]) == 0
    assert out.stat().st_size > 0
