"""``evaluate --matrix`` and ``evaluate --ablation``: the runs they make, the tables they
print, and the setting an ablation passes to detection (on a small ``smoke``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest

import service.offline
from detectors.families import FAMILIES
from service.cli import main
from service.settings import Settings
from simulations.evaluate import evaluate, read_scores, read_verdicts
from simulations.evasions import EVASIONS, apply
from simulations.generator import generate
from simulations.labels import read_labels
from simulations.matrix import run_scenario
from simulations.spec import CAMPAIGN_TYPES, load_scenario
from simulations.wording import HELD_OUT

SCALE = "0.5"


def _cli(*argv: str) -> int:
    """The command as a user runs it (errors become one line and exit status 2)."""
    return main(list(argv))


@pytest.fixture
def detections(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[str]]:
    """The families switched off in each detection run, as detection received them."""
    seen: list[frozenset[str]] = []
    real = service.offline.detect_file

    def spy(events: Path, verdicts: Path, settings: Settings | None = None, **kw: Any) -> Any:
        seen.append((settings or Settings()).disabled_families)
        return real(events, verdicts, settings, **kw)

    monkeypatch.setattr(service.offline, "detect_file", spy)
    return seen


def test_a_matrix_cell_is_what_evaluate_detect_gives_on_the_same_traffic(tmp_path: Path) -> None:
    scenario = apply(load_scenario("smoke").scaled(float(SCALE)), "adapters")
    cell = run_scenario(scenario)
    events = tmp_path / "e.jsonl"
    generate(scenario, events)
    service.offline.detect_file(events, tmp_path / "v.jsonl", scores_path=tmp_path / "s.jsonl")
    direct = evaluate(events, read_labels(tmp_path / "e.labels.jsonl"),
                      read_verdicts(tmp_path / "v.jsonl"),
                      read_scores(tmp_path / "s.jsonl"))  # fmt: skip
    assert cell.metrics.as_dict() == direct.as_dict()
    assert cell.events == sum(1 for _ in events.open())


REVIEW = Settings().review_threshold


def test_matrix_prints_recall_per_type_and_evasion_with_the_runs_own_figures(
    tmp_path: Path,
) -> None:
    report, data = tmp_path / "m.md", tmp_path / "m.json"
    code = _cli("evaluate", "--matrix", "--base", "smoke", "--scale", SCALE,
                "--evasion", "none", "--evasion", "own-payment",
                "--report", str(report), "--json", str(data))  # fmt: skip
    assert code == 0
    cells = orjson.loads(data.read_bytes())["cells"]
    assert [c["evasion"] for c in cells] == ["none", "own-payment"]
    rows = [line for line in report.read_text().splitlines() if line.startswith("| ")]
    header = rows[0].strip("| ").split(" | ")
    assert header[1:9] == list(CAMPAIGN_TYPES)
    for cell in cells:
        assert set(cell["types"]) == set(CAMPAIGN_TYPES)
        row = next(r for r in rows if r.startswith(f"| {cell['evasion']} |"))
        values = row.strip("| ").split(" | ")
        for kind, shown in zip(CAMPAIGN_TYPES, values[1:9], strict=True):
            t = cell["types"][kind]
            assert t["recall"] == t["flagged"] / t["accounts"]
            assert shown == f"{t['recall']:.3f}"
        assert values[9] == f"{cell['precision']:.3f}"
        assert values[10] == f"{cell['benign_fpr']:.4f}"
        heavy = cell["heavy_benign_flagged"], cell["heavy_benign_enforced"], cell["heavy_benign"]
        assert values[11] == "{} ({}) of {}".format(*heavy)
        # The margins table: an account is flagged when its score reaches the review
        # threshold, so the median account's highest score sits on the side of it where
        # most of the type's accounts are.
        margins = [r for r in rows if r.startswith(f"| {cell['evasion']} |")][2]
        shown_medians = margins.strip("| ").split(" | ")[1:9]
        for kind, shown in zip(CAMPAIGN_TYPES, shown_medians, strict=True):
            t = cell["types"][kind]
            assert shown == f"{t['median_score']:.3f}"
            if t["recall"] > 0.5:
                assert t["median_score"] >= REVIEW - 1e-4
            elif t["recall"] < 0.5:
                assert t["median_score"] < REVIEW + 1e-4
        assert margins.endswith(f" {cell['top_benign_score']:.3f} |")
    assert "- `own-payment`: no payment method shared between accounts" in report.read_text()


def test_matrix_in_parallel_gives_the_same_cells_and_checks_bounds(tmp_path: Path) -> None:
    bounds = tmp_path / "expected.json"
    bounds.write_bytes(orjson.dumps({"detection": {"precision_min": 1.5}}))
    outputs = []
    for jobs in ("1", "2"):
        data = tmp_path / f"m{jobs}.json"
        code = _cli("evaluate", "--matrix", "--base", "smoke", "--scale", SCALE, "--jobs", jobs,
                    "--evasion", "none", "--evasion", "aged", "--json", str(data),
                    "--report", str(tmp_path / "m.md"), "--expected", str(bounds))  # fmt: skip
        assert code == 1  # no run reaches a precision of 1.5
        cells = orjson.loads(data.read_bytes())["cells"]
        outputs.append([{k: v for k, v in c.items() if k != "seconds"} for c in cells])
    assert outputs[0] == outputs[1]
    failed = re.findall(r"^- FAIL (\S+): precision", (tmp_path / "m.md").read_text(), re.M)
    assert failed == ["none", "aged"]


def test_ablation_switches_each_family_off_in_turn_through_the_setting(
    tmp_path: Path, detections: list[frozenset[str]]
) -> None:
    data = tmp_path / "a.json"
    code = _cli("evaluate", "--ablation", "--scenario", "smoke", "--scale", "0.3",
                "--json", str(data), "--report", str(tmp_path / "a.md"))  # fmt: skip
    assert code == 0
    assert detections == [frozenset(), *(frozenset({f}) for f in FAMILIES)]
    runs = orjson.loads(data.read_bytes())["runs"]
    assert [r["switched_off"] for r in runs] == ["nothing", *FAMILIES]
    table = (tmp_path / "a.md").read_text()
    for family in FAMILIES:
        assert re.search(rf"^\| {family} \| smoke \| ", table, re.M), family
    # The margins: one scenario, so each cell is that run's median account's highest score.
    margins = table.split("## Margins")[1].split("## Per scenario")[0]
    header = next(line for line in margins.splitlines() if line.startswith("| switched off"))
    shown_types = header.strip("| ").split(" | ")[1:]
    for run in runs:
        row = next(line for line in margins.splitlines()
                   if line.startswith(f"| {run['switched_off']} |"))  # fmt: skip
        cells = row.strip("| ").split(" | ")[1:]
        for kind, shown in zip(shown_types, cells, strict=True):
            assert shown == f"{run['types'][kind]['median_score']:.3f}"


def test_without_names_the_ablations_and_reads_an_events_file(
    tmp_path: Path, detections: list[frozenset[str]]
) -> None:
    events = tmp_path / "e.jsonl"
    generate(load_scenario("smoke").scaled(0.2), events)
    labels = tmp_path / "e.labels.jsonl"
    code = _cli("evaluate", "--events", str(events), "--labels", str(labels),
                "--without", "farm+structure", "--without", "content")  # fmt: skip
    assert code == 0
    assert detections == [frozenset(), frozenset({"farm", "structure"}), frozenset({"content"})]


def test_bad_matrix_and_ablation_requests_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli("evaluate", "--without", "wording", "--scenario", "smoke") == 2
    assert "unknown families ['wording']" in capsys.readouterr().err
    assert _cli("evaluate", "--matrix", "--base", "no-such-base") == 2
    assert "no scenario 'no-such-base'" in capsys.readouterr().err
    events = tmp_path / "e.jsonl"
    events.write_text('{"event_id": "x"}\n')
    assert _cli("evaluate", "--without", "content", "--events", str(events)) == 2
    assert "needs --events and --labels" in capsys.readouterr().err
    assert _cli("evaluate", "--report", str(tmp_path / "r.md")) == 2
    assert "give --events and --labels" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _cli("evaluate", "--matrix", "--evasion", "invisible")


def test_the_evaluation_doc_describes_every_evasion_and_wording_family() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "evaluation.md").read_text()
    for name in EVASIONS:
        assert f"`{name}`" in doc or name.startswith("reworded-"), name
    for family in HELD_OUT:
        assert f"`reworded-{family}`" in doc and f"| `{family}` |" in doc, family
