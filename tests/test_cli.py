"""The ``harvestguard`` command line as a newcomer meets it: a mistake gets one line that says
what to do and a non-zero status, never a traceback; every command and option explains itself."""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

import orjson
import pytest

from service.cli import build_parser, main
from service.settings import Settings
from simulations.evaluate import evaluate, read_scores, read_verdicts
from simulations.labels import read_labels
from simulations.report import scores_title
from tests.factories import event


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    """Exit status and stderr lines of ``harvestguard ARGV``, run in this process."""
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse's own errors
        code = int(exit_.code or 0)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip().splitlines()


def one_line(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, lines = run(capsys, *argv)
    assert code == 2, lines
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny labelled scenario with its verdicts: events.jsonl, .labels.jsonl, verdicts.jsonl."""
    folder = tmp_path_factory.mktemp("smoke")
    assert main(["simulate", "smoke", "--scale", "0.2", "--output", str(folder / "events.jsonl"),
                 "--quiet"]) == 0  # fmt: skip
    assert main(["detect", "--input", str(folder / "events.jsonl"),
                 "--output", str(folder / "verdicts.jsonl")]) == 0  # fmt: skip
    return folder


def test_detect_names_a_missing_folder_or_empty_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = str(tmp_path / "v.jsonl")
    line = one_line(capsys, "detect", "--input", str(tmp_path / "nope.jsonl"), "--output", out)
    assert "--input" in line and "no such file" in line and "harvestguard simulate" in line
    line = one_line(capsys, "detect", "--input", str(tmp_path), "--output", out)
    assert "a folder, not a file" in line
    (tmp_path / "empty.jsonl").touch()
    line = one_line(capsys, "detect", "--input", str(tmp_path / "empty.jsonl"), "--output", out)
    assert "the file is empty" in line
    assert not (tmp_path / "v.jsonl").exists()


def test_detect_with_no_valid_event_says_so_after_the_rejections(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(orjson.dumps({**event(), "ts": "yesterday"}) + b"\nnot json\n")
    code, lines = run(capsys, "detect", "--input", str(bad), "--output", str(tmp_path / "v"))
    assert code == 2
    # The ts rejection names both forms the contract accepts.
    assert any("RFC 3339" in line and "seconds since the epoch" in line for line in lines)
    assert lines[-1].startswith("harvestguard detect: no valid event in")
    assert "2 line(s) rejected" in lines[-1] and "--format" in lines[-1]


def test_detect_makes_the_output_folder(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "deeper" / "verdicts.jsonl"
    assert main(["detect", "--input", str(scenario / "events.jsonl"), "--output", str(out)]) == 0
    assert out.read_bytes() == (scenario / "verdicts.jsonl").read_bytes()


def test_detect_writes_every_accounts_highest_score_flagged_or_not(
    scenario: Path, tmp_path: Path
) -> None:
    scores = tmp_path / "scores.jsonl"
    verdicts = tmp_path / "verdicts.jsonl"
    assert main(["detect", "--input", str(scenario / "events.jsonl"), "--output", str(verdicts),
                 "--scores", str(scores)]) == 0  # fmt: skip
    assert verdicts.read_bytes() == (scenario / "verdicts.jsonl").read_bytes()
    highest = read_scores(scores)
    senders = {orjson.loads(line)["account_id"] for line in (scenario / "events.jsonl").open()}
    assert set(highest) == senders
    flagged = read_verdicts(verdicts)
    review = Settings().review_threshold
    assert flagged and len(flagged) < len(highest)
    for account, score in highest.items():
        # A flag is a score that reached the review threshold, so the highest score says
        # which side of it every account ended on (4 decimals written).
        assert (score >= review - 1e-4) if account in flagged else (score < review + 1e-4)
        if account in flagged:
            assert score >= (flagged[account].score or 0.0) - 1e-4


def test_evaluate_refuses_missing_or_mismatched_files_and_contradictions(
    capsys: pytest.CaptureFixture[str], scenario: Path, tmp_path: Path
) -> None:
    events, labels = str(scenario / "events.jsonl"), str(scenario / "events.labels.jsonl")
    verdicts = str(scenario / "verdicts.jsonl")
    line = one_line(capsys, "evaluate", "--events", events, "--labels", str(tmp_path / "l.jsonl"),
                    "--verdicts", verdicts)  # fmt: skip
    assert "--labels" in line and "no such file" in line and "labels.jsonl" in line
    line = one_line(capsys, "evaluate", "--events", events, "--labels", labels)
    assert "--verdicts" in line and "--detect" in line
    line = one_line(capsys, "evaluate", "--events", events, "--labels", labels,
                    "--verdicts", str(tmp_path / "v.jsonl"))  # fmt: skip
    assert "no such file" in line and "harvestguard detect" in line
    # The verdicts given as labels: named, not a TypeError.
    line = one_line(capsys, "evaluate", "--events", events, "--labels", verdicts,
                    "--verdicts", verdicts)  # fmt: skip
    assert line.startswith(f"harvestguard evaluate: --labels {verdicts}: unreadable")
    # Labels of another scenario than the events.
    other = tmp_path / "other.labels.jsonl"
    other.write_bytes(b'{"account_id": "nobody-here", "label": "benign"}\n')
    line = one_line(capsys, "evaluate", "--events", events, "--labels", str(other),
                    "--verdicts", verdicts)  # fmt: skip
    assert "none of the 1 accounts" in line and "same scenario" in line
    bounds = tmp_path / "expected.json"
    bounds.write_text("{}")
    line = one_line(capsys, "evaluate", "--events", events, "--labels", labels,
                    "--verdicts", verdicts, "--expected", str(bounds))  # fmt: skip
    assert "--expected" in line and "no detection bounds" in line


def test_evaluate_with_detect_writes_under_the_folders_it_is_given(
    capsys: pytest.CaptureFixture[str], scenario: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, _ = run(capsys, "evaluate", "--events", str(scenario / "events.jsonl"),
                  "--labels", str(scenario / "events.labels.jsonl"), "--detect",
                  "--verdicts", str(out / "verdicts.jsonl"), "--report", str(out / "report.md"),
                  "--plots", str(out / "plots"))  # fmt: skip
    assert code == 0
    assert "| precision |" in (out / "report.md").read_text()
    assert {p.name for p in (out / "plots").iterdir()} == {"scores.png", "delay_cdf.png",
                                                          "rates.png"}  # fmt: skip
    assert (out / "verdicts.jsonl").read_bytes() == (scenario / "verdicts.jsonl").read_bytes()


def test_the_score_plot_says_benign_vs_attack_only_when_it_shows_both(scenario: Path) -> None:
    labels = read_labels(scenario / "events.labels.jsonl")
    verdicts = read_verdicts(scenario / "verdicts.jsonl")
    flagged_only = evaluate(scenario / "events.jsonl", labels, verdicts)
    assert flagged_only.attack_scores and not flagged_only.benign_scores  # no benign flagged
    assert "benign vs attack" not in scores_title(flagged_only)
    assert "no benign account has a score" in scores_title(flagged_only)
    everyone = evaluate(scenario / "events.jsonl", labels, verdicts, dict.fromkeys(labels, 0.5))
    assert everyone.benign_scores and "benign vs attack" in scores_title(everyone)


def test_simulate_says_what_is_missing_or_contradictory(
    capsys: pytest.CaptureFixture[str], scenario: Path, tmp_path: Path
) -> None:
    line = one_line(capsys, "simulate")
    assert "name a scenario" in line and "smoke" in line and "--list" in line
    assert "above 0" in one_line(capsys, "simulate", "smoke", "--scale", "0")
    assert "realtime, Nx" in one_line(capsys, "simulate", "smoke", "--speed", "sideways")
    line = one_line(capsys, "simulate", "smoke", "--to", "kafka", "--url", "http://x/v1/events")
    assert line.endswith("--url applies to --to http, not --to kafka")
    events = str(scenario / "events.jsonl")
    line = one_line(capsys, "simulate", events, "--labels", str(tmp_path / "l.jsonl"))
    assert "--labels applies to a scenario" in line
    assert "needs --to kafka" in one_line(capsys, "simulate", events)
    assert "no scenario 'nope'" in one_line(capsys, "simulate", "nope")
    empty = tmp_path / "empty.jsonl.gz"
    empty.write_bytes(gzip.compress(b""))
    line = one_line(capsys, "simulate", str(empty), "--output", str(tmp_path / "copy.jsonl"))
    assert "no events to replay" in line


def test_simulate_writes_under_out_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["simulate", "smoke", "--scale", "0.05", "--quiet"]) == 0
    assert {p.name for p in tmp_path.iterdir()} == {"out"}
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"smoke.jsonl", "smoke.labels.jsonl"}


def test_a_bad_log_level_or_command_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert "invalid choice: 'LOUD'" in one_line(capsys, "--log-level", "loud", "settings")
    assert "invalid choice: 'detct'" in one_line(capsys, "detct")


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_command_and_option_has_help_in_one_style() -> None:
    parser = build_parser()
    commands = _commands(parser)
    assert set(commands) == {"detect", "worker", "replay-dlq", "api", "settings", "simulate",
                             "evaluate"}  # fmt: skip
    summaries = {
        c.dest: c.help
        for c in next(
            a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
        )._choices_actions
    }
    unstyled = []
    for name, command in {"harvestguard": parser, **commands}.items():
        texts = {"description": command.description}
        if name in commands:
            texts["summary"] = summaries[name]
        for action in command._actions:
            if not isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                texts[action.dest] = action.help
        for what, text in texts.items():
            # A sentence: a capital first, a full stop last.
            if not text or not text[0].isupper() or not text.rstrip(")").endswith("."):
                unstyled.append(f"{name} {what}: {text!r}")
    assert not unstyled, "\n".join(unstyled)
