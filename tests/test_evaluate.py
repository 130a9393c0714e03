"""evaluate on a hand-made events / labels / verdicts triple whose figures are worked out below."""

from __future__ import annotations

import argparse
from pathlib import Path

import orjson
import pytest

from simulations.cli import register
from simulations.evaluate import check_bounds, evaluate, read_scores, read_verdicts
from simulations.labels import Label, read_labels, write_labels
from simulations.report import markdown

T0 = 1_800_000_000.0


def _event(event_id: str, account: str, ts: float, completion: int) -> dict[str, object]:
    return {
        "event_id": event_id,
        "ts": ts,
        "account_id": account,
        "model": "m",
        "prompt_tokens": 5,
        "completion_tokens": completion,
    }


@pytest.fixture
def triple(tmp_path: Path) -> tuple[Path, Path, Path]:
    events = [
        # a1 (attack, campaign c1): flagged at its 2nd event -> leaks 100 + 200 of 1000.
        _event("e1", "a1", T0, 100),
        _event("e2", "a1", T0 + 10, 200),
        _event("e3", "a1", T0 + 20, 300),
        _event("e4", "a1", T0 + 30, 400),
        # a2 (attack, c1): never flagged -> leaks all 100.
        _event("f1", "a2", T0 + 1, 50),
        _event("f2", "a2", T0 + 2, 50),
        # a3 (attack, c2): verdict names an unknown event id -> falls back to its first event.
        _event("g1", "a3", T0 + 3, 10),
        _event("g2", "a3", T0 + 4, 20),
        _event("g3", "a3", T0 + 5, 30),
    ]
    # b1: the heaviest account (10 events) and a false positive.
    events += [_event(f"b1-{i}", "b1", T0 + 40 + i, 1) for i in range(10)]
    events += [_event("b2-0", "b2", T0 + 60, 1)]
    events += [_event(f"b3-{i}", "b3", T0 + 61 + i, 1) for i in range(2)]
    events += [_event(f"{b}-0", b, T0 + 70, 1) for b in ("b4", "b5", "b6", "b7")]
    events.sort(key=lambda e: float(e["ts"]))  # type: ignore[arg-type]
    events_path = tmp_path / "events.jsonl"
    lines = [orjson.dumps(e) for e in events] + [b"{not json"]
    events_path.write_bytes(b"\n".join(lines) + b"\n")

    labels = [
        Label("a1", "attack", campaign="c1", campaign_type="bulk_cot"),
        Label("a2", "attack", campaign="c1", campaign_type="bulk_cot"),
        Label("a3", "attack", campaign="c2", campaign_type="hydra"),
        Label("b1", "benign", persona="chat_app"),
        Label("b2", "benign", persona="chat_app"),
        Label("b3", "benign", persona="tutoring"),
        Label("b4", "benign", persona="tutoring"),
        Label("b5", "benign", persona="classification"),
        Label("b6", "benign", persona="classification"),
        Label("b7", "benign", persona="classification"),
        Label("idle", "benign", persona="classification"),  # sent nothing: not counted
    ]
    labels_path = tmp_path / "labels.jsonl"
    write_labels(labels_path, labels)

    verdicts = [
        {
            "account_id": "a1",
            "action": "block",
            "score": 0.9,
            "first_flagged_ts": T0 + 10,
            "first_flagged_event_id": "e2",
            "events_before_flag": 2,
            "reasons": ["cot"],
            "cluster_id": None,
            "families": ["content", "economics"],
        },
        {
            "account_id": "a3",
            "action": "review",
            "score": 0.8,
            "first_flagged_ts": T0 + 3,
            "first_flagged_event_id": "zzz",
            "events_before_flag": 1,
            "reasons": [],
            "cluster_id": "k1",
            "families": ["farm", "content"],
        },
        {
            "account_id": "b1",
            "action": "throttle",
            "score": 0.7,
            "first_flagged_ts": T0 + 45,
            "first_flagged_event_id": "b1-5",
            "events_before_flag": 6,
            "reasons": ["rate"],
            "cluster_id": None,
            "families": ["structure"],
        },
        {
            "account_id": "x9",
            "action": "review",
            "score": 0.6,
            "first_flagged_ts": T0,
            "first_flagged_event_id": "q",
            "events_before_flag": 1,
            "reasons": [],
            "cluster_id": None,
        },
    ]
    verdicts_path = tmp_path / "verdicts.jsonl"
    verdicts_path.write_bytes(b"".join(orjson.dumps(v) + b"\n" for v in verdicts))
    return events_path, labels_path, verdicts_path


def test_hand_computed_metrics(triple: tuple[Path, Path, Path]) -> None:
    events, labels, verdicts = triple
    m = evaluate(events, read_labels(labels), read_verdicts(verdicts))
    # tp a1 a3; fn a2; fp b1; tn b2..b7 (idle sent nothing and is not counted).
    assert (m.tp, m.fn, m.fp, m.tn) == (2, 1, 1, 6)
    assert m.precision == pytest.approx(2 / 3)
    assert m.recall == pytest.approx(2 / 3)
    assert m.f1 == pytest.approx(2 / 3)
    assert m.benign_fpr == pytest.approx(1 / 7)
    # 10 accounts sent something: the top ceil(10 %) = 1 is b1, benign and flagged.
    assert (m.heavy_accounts, m.heavy_benign, m.heavy_benign_flagged) == (1, 1, 1)
    assert m.heavy_fpr == 1.0
    assert m.unlabelled_flagged == 1
    assert m.invalid_lines == 1
    assert m.actions == {"block": 1, "review": 1, "throttle": 1}

    c1, c2 = m.campaigns
    assert (c1.campaign, c1.accounts, c1.flagged, c1.recall) == ("c1", 2, 1, 0.5)
    assert c1.median_events_before_flag == 2
    assert c1.leaked_share == pytest.approx((100 + 200 + 100) / 1100)
    assert c1.delays_s == [10.0]
    assert (c2.campaign, c2.recall, c2.median_events_before_flag) == ("c2", 1.0, 1)
    assert c2.leaked_share == pytest.approx(10 / 60)

    personas = {p.persona: (p.accounts, p.flagged, p.fpr) for p in m.personas}
    assert personas == {
        "chat_app": (2, 1, 0.5),
        "classification": (3, 0, 0.0),
        "tutoring": (2, 0, 0.0),
    }
    assert sorted(m.attack_scores) == [0.8, 0.9] and m.benign_scores == [0.7]
    # What drove each flag, counted per campaign and per persona (a2 was never flagged).
    assert (c1.drivers, c2.drivers) == ({"content": 1, "economics": 1}, {"farm": 1, "content": 1})
    assert {p.persona: dict(p.drivers) for p in m.personas if p.drivers} == {
        "chat_app": {"structure": 1}
    }
    report = markdown(m)
    assert "| c2 | hydra | 1 | 1 | 1.000 |" in report and "| farm 1, content 1 |" in report
    assert "| chat_app | 2 | 1 | 0.5000 | n/a | structure 1 |" in report
    # Without a scores file no account has a highest score to show.
    assert c1.median_score is None and all(p.top_score is None for p in m.personas)


def test_scores_give_each_campaign_its_median_and_each_persona_its_highest(
    triple: tuple[Path, Path, Path],
) -> None:
    events, labels, verdicts = triple
    highest = {"a1": 0.85, "a2": 0.4, "a3": 0.95, "b1": 0.81, "b2": 0.3, "b3": 0.79}
    m = evaluate(events, read_labels(labels), read_verdicts(verdicts), highest)
    c1, c2 = m.campaigns
    assert (c1.median_score, c2.median_score) == (pytest.approx(0.625), 0.95)
    # An account the scores file does not list never reached a score above 0.
    tops = {p.persona: p.top_score for p in m.personas}
    assert tops == {"chat_app": 0.81, "tutoring": 0.79, "classification": 0.0}
    report = markdown(m)
    assert "| c1 | bulk_cot | 2 | 1 | 0.500 |" in report and report.count("| 0.625 |") == 1
    assert "| tutoring | 2 | 0 | 0.0000 | 0.790 |" in report


def test_bounds(triple: tuple[Path, Path, Path]) -> None:
    events, labels, verdicts = triple
    m = evaluate(events, read_labels(labels), read_verdicts(verdicts))
    failures = check_bounds(
        m,
        {
            "precision_min": 0.6,
            "recall_min_per_campaign": 0.9,
            "benign_fpr_max": 0.2,
            "heavy_benign_flagged_max": 0,
            "leaked_tokens_max": 0.2,
        },
    )
    assert len(failures) == 3
    assert any(f.startswith("recall[c1]") for f in failures)
    assert any(f.startswith("leaked_tokens[c1]") for f in failures)
    assert any(f.startswith("heavy_benign_flagged") for f in failures)
    assert check_bounds(m, {"precision_min": 0.6}) == []
    c1 = next(c for c in m.campaigns if c.campaign == "c1")
    held = {"recall_min_per_campaign": 0.9, "leaked_tokens_max": 0.2}
    gap = {"recall_min": c1.recall, "leaked_tokens_max": c1.leaked_share}
    assert check_bounds(m, {**held, "known_gaps": {c1.type: gap}}) == []
    wider = {**gap, "recall_min": c1.recall + 0.01}
    assert check_bounds(m, {**held, "known_gaps": {c1.type: wider}}) == [
        f"recall[c1] = {c1.recall} < {c1.recall + 0.01}"
    ]
    # A gap declared for one wording family holds only that family's runs, over the
    # known gap's other floors.
    only = {**held, "known_gaps": {c1.type: {"leaked_tokens_max": c1.leaked_share}},
            "wording_gaps": {"terse": {c1.type: {"recall_min": c1.recall}}}}  # fmt: skip
    assert check_bounds(m, only, "terse") == []
    assert check_bounds(m, only) == [f"recall[c1] = {c1.recall} < 0.9"]


def test_scores_file_feeds_the_score_plot(triple: tuple[Path, Path, Path], tmp_path: Path) -> None:
    events, labels, verdicts = triple
    scores = tmp_path / "scores.jsonl"
    rows = [
        {"account_id": a, "max_score": s}
        for a, s in (("a1", 0.9), ("a2", 0.4), ("b1", 0.7), ("b2", 0.1), ("b3", 0.2))
    ]
    scores.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    m = evaluate(events, read_labels(labels), read_verdicts(verdicts), read_scores(scores))
    assert sorted(m.attack_scores) == [0.4, 0.9]
    assert sorted(m.benign_scores) == [0.1, 0.2, 0.7]


def test_cli_writes_report_and_plots(triple: tuple[Path, Path, Path], tmp_path: Path) -> None:
    events, labels, verdicts = triple
    parser = argparse.ArgumentParser(prog="harvestguard")
    register(parser.add_subparsers(dest="command", required=True))
    out = tmp_path / "out"
    args = parser.parse_args(
        [
            "evaluate",
            "--events",
            str(events),
            "--labels",
            str(labels),
            "--verdicts",
            str(verdicts),
            "--report",
            str(out / "r.md"),
            "--plots",
            str(out / "plots"),
            "--json",
            str(out / "m.json"),
        ]
    )
    assert args.func(args) == 0
    report = (out / "r.md").read_text()
    assert "| precision | 0.667 |" in report
    assert "| c1 | bulk_cot | 2 | 1 | 0.500 | 2.0 |" in report
    assert "| chat_app | 2 | 1 | 0.5000 |" in report
    assert "![rates](plots/rates.png)" in report
    for name in ("scores.png", "delay_cdf.png", "rates.png"):
        assert (out / "plots" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    metrics = orjson.loads((out / "m.json").read_bytes())
    assert metrics["campaigns"]["c2"]["leaked_tokens"] == pytest.approx(10 / 60)
    # A failing bound makes the exit code 1.
    bounds = tmp_path / "expected.json"
    bounds.write_bytes(orjson.dumps({"detection": {"recall_min_per_campaign": 0.9}}))
    args = parser.parse_args(
        [
            "evaluate",
            "--events",
            str(events),
            "--labels",
            str(labels),
            "--verdicts",
            str(verdicts),
            "--expected",
            str(bounds),
        ]
    )
    assert args.func(args) == 1


def test_labels_csv_round_trip(tmp_path: Path) -> None:
    labels = [
        Label("a", "attack", campaign="c", campaign_type="hydra", events=3),
        Label("b", "benign", persona="chat_app", heavy=True, nat="nat-1"),
    ]
    for name in ("l.csv", "l.jsonl"):
        write_labels(tmp_path / name, labels)
        assert read_labels(tmp_path / name) == {lab.account_id: lab for lab in labels}
