"""The ``simulate`` and ``evaluate`` sub-commands of ``harvestguard``.

``harvestguard simulate SCENARIO [--seed N] [--scale F] [--hours H] [--to file|kafka|http]
[--output PATH] [--labels PATH] [--speed realtime|Nx|max] [--bootstrap HOST:PORT]
[--topic llm.requests] [--url URL]``: SCENARIO is a folder under ``simulations/scenarios``,
a spec JSON, or an events file (``.jsonl``/``.jsonl.gz``) to replay as it is.

``harvestguard evaluate --events PATH --labels PATH (--verdicts PATH | --detect [--verdicts PATH])
[--scores PATH] [--report PATH.md] [--plots DIR] [--expected SCENARIO|expected.json]``.

``harvestguard evaluate --matrix [--base SCENARIO] [--campaign TYPE ...] [--evasion NAME ...]
[--scale F] [--hours H] [--seed N] [--jobs N] [--expected ...] [--report PATH.md] [--json PATH]``:
the adaptive-attacker matrix (``simulations/matrix.py``).

``harvestguard evaluate --ablation [--without FAMILY[+FAMILY] ...] [--scenario NAME ...]
[--scale F] [--report PATH.md] [--json PATH]``, or ``--without`` with ``--events`` and
``--labels``: detection with evidence families switched off (``simulations/ablation.py``).

``harvestguard evaluate --sensitivity [--threshold NAME ...] [--base SCENARIO]
[--evasion NAME ...] [--scale F] [--jobs N] [--report PATH.md] [--json PATH]``: each main
threshold moved by -30 % and +30 % (``simulations/sensitivity.py``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from service.command_line import EVENTS_FILE, CommandError, input_file, output_file
from simulations.evaluate import check_bounds, evaluate, read_scores, read_verdicts
from simulations.evasions import COMBINED, EVASIONS, apply
from simulations.evasions import parts as evasion_parts
from simulations.generator import default_labels_path, generate
from simulations.labels import read_labels
from simulations.replay import (
    FileSink,
    HttpSink,
    KafkaSink,
    Sink,
    count_lines,
    parse_speed,
    read_records,
    replay,
)
from simulations.spec import CAMPAIGN_TYPES, load_scenario, scenario_names, scenario_path

if TYPE_CHECKING:
    from simulations.matrix import Run

DEFAULT_TOPIC = "llm.requests"
DEFAULT_BOOTSTRAP = "127.0.0.1:9092"
DEFAULT_URL = "http://127.0.0.1:8000/v1/events"
DEFAULT_BATCH = 500
# The options that only mean something with one destination, and their defaults there.
_DESTINATION_OPTIONS: dict[str, dict[str, object]] = {
    "kafka": {"bootstrap": DEFAULT_BOOTSTRAP, "topic": DEFAULT_TOPIC},
    "http": {"url": DEFAULT_URL, "batch": DEFAULT_BATCH},
}
T = TypeVar("T")


LABELS_FILE = "the labels file harvestguard simulate wrote beside the events (NAME.labels.jsonl)"


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"{text}: must be a number above 0")
    return value


def _speed(text: str) -> float | None:
    try:
        return parse_speed(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text}: give realtime, Nx (e.g. 60x) or max") from None


def _evasion(text: str) -> str:
    try:
        evasion_parts(text)
    except KeyError as error:
        raise argparse.ArgumentTypeError(str(error.args[0])) from None
    return text


def register(subparsers: argparse._SubParsersAction) -> None:
    sim = subparsers.add_parser(
        "simulate",
        help="Generate a labelled scenario and write or replay it.",
        description="Generate labelled traffic for SCENARIO and write it to a file (default "
        "out/SCENARIO.jsonl and out/SCENARIO.labels.jsonl), or replay it, or an events file, "
        "into Kafka or the push endpoint at a chosen speed.",
    )
    sim.add_argument(
        "scenario", nargs="?", metavar="SCENARIO",
        help=f"A scenario ({', '.join(scenario_names())}), a spec JSON, or an events file "
        "(.jsonl, .jsonl.gz) to replay as it is.",
    )  # fmt: skip
    sim.add_argument("--list", action="store_true", help="List the scenarios and exit.")
    sim.add_argument("--seed", type=int, help="Use this seed instead of the spec's.")
    sim.add_argument(
        "--scale", type=_positive,
        help="Multiply accounts and events by this (default: 1).",
    )  # fmt: skip
    sim.add_argument(
        "--hours", type=_positive,
        help="Last this long instead of the spec's duration (events scale with it).",
    )  # fmt: skip
    sim.add_argument(
        "--to", choices=("file", "kafka", "http"), default="file",
        help="Where the events go (default: file).",
    )  # fmt: skip
    sim.add_argument(
        "--output", type=Path, metavar="EVENTS",
        help="Events file to write, .jsonl or .jsonl.gz (default with --to file: "
        "out/SCENARIO.jsonl).",
    )  # fmt: skip
    sim.add_argument(
        "--labels", type=Path, metavar="LABELS",
        help="Labels file to write, .jsonl or .csv (default: beside the events).",
    )  # fmt: skip
    sim.add_argument(
        "--speed", type=_speed, default="max",
        help="Replay pace: realtime, Nx (e.g. 60x) or max (default: max).",
    )  # fmt: skip
    sim.add_argument(
        "--bootstrap", metavar="HOST:PORT",
        help=f"Kafka bootstrap server, with --to kafka (default: {DEFAULT_BOOTSTRAP}).",
    )  # fmt: skip
    sim.add_argument("--topic", help=f"Kafka topic, with --to kafka (default: {DEFAULT_TOPIC}).")
    sim.add_argument("--url", help=f"Push endpoint, with --to http (default: {DEFAULT_URL}).")
    sim.add_argument(
        "--batch", type=int,
        help=f"Events per HTTP POST, with --to http (default: {DEFAULT_BATCH}).",
    )  # fmt: skip
    sim.add_argument("--quiet", action="store_true", help="Show no progress bar.")
    sim.set_defaults(func=simulate_command)

    ev = subparsers.add_parser(
        "evaluate",
        help="Score verdicts against labels: precision, recall, FPR, delay, leaked tokens.",
        description="Score the verdicts of harvestguard detect (--verdicts) against a labelled "
        "scenario, or run detection first (--detect): precision, recall, benign FPR, "
        "per-campaign delay and leaked tokens, as Markdown on stdout.",
    )
    ev.add_argument(
        "--events", type=input_file(EVENTS_FILE), metavar="EVENTS",
        help="The scenario's events, .jsonl or .jsonl.gz (not with --matrix).",
    )  # fmt: skip
    ev.add_argument(
        "--labels", type=input_file(LABELS_FILE), metavar="LABELS",
        help="The scenario's labels, .jsonl or .csv (not with --matrix).",
    )  # fmt: skip
    ev.add_argument(
        "--verdicts", type=Path, metavar="VERDICTS",
        help="Verdicts JSONL from harvestguard detect (with --detect: written here).",
    )  # fmt: skip
    ev.add_argument(
        "--detect", action="store_true", help="Run offline detection over the events first."
    )
    ev.add_argument(
        "--scores", type=input_file("a JSONL file of {account_id, max_score} lines"),
        metavar="SCORES", help="Per-account maximum scores, JSONL, for the score plot "
        "(harvestguard detect --scores; with --detect, its run's unless given).",
    )  # fmt: skip
    ev.add_argument("--report", type=Path, help="Also write the Markdown report here.")
    ev.add_argument("--plots", type=Path, metavar="DIR", help="Write PNG plots into this folder.")
    ev.add_argument(
        "--expected", metavar="SCENARIO",
        help="Check detection bounds: a scenario name or an expected.json; exit 1 if unmet.",
    )  # fmt: skip
    ev.add_argument("--json", type=Path, help="Also write the metrics as JSON here.")
    ev.add_argument("--title", help="Report title (default: from the events file name).")
    mx = ev.add_argument_group("adaptive-attacker matrix")
    mx.add_argument(
        "--matrix",
        action="store_true",
        help="Run the base scenario once per evasion: recall per campaign type.",
    )
    mx.add_argument("--base", default="matrix", help="Base scenario of the matrix.")
    mx.add_argument(
        "--evasion",
        action="append",
        type=_evasion,
        help="Run only this evasion (repeatable; default: every single one, then the "
        "combined rows); a+b applies both, in order.",
    )
    mx.add_argument(
        "--campaign",
        action="append",
        choices=CAMPAIGN_TYPES,
        help="Keep only this campaign type's campaigns in the base (repeatable): a campaign "
        "alone, no other sharing its templates or its peers.",
    )
    mx.add_argument("--jobs", type=int, default=1, help="Matrix runs in parallel processes.")
    ab = ev.add_argument_group("ablation")
    ab.add_argument(
        "--ablation",
        action="store_true",
        help="Detect with each evidence family switched off in turn.",
    )
    ab.add_argument(
        "--without",
        action="append",
        metavar="FAMILY[+FAMILY]",
        help="Switch this family off (repeatable: one ablation each).",
    )
    ab.add_argument(
        "--scenario",
        action="append",
        help="Ablation scenario (repeatable; default: mixed, hydra, holdout).",
    )
    se = ev.add_argument_group("sensitivity")
    se.add_argument(
        "--sensitivity",
        action="store_true",
        help="Detect with each main threshold moved by -30 %% and +30 %% (the matrix's "
        "--base; --evasion: default none and the unlike farm).",
    )
    se.add_argument(
        "--threshold",
        action="append",
        help="Move only this threshold (repeatable; default: every one).",
    )
    ev.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="With --matrix, --ablation or --sensitivity: multiply accounts and events.",
    )
    ev.add_argument(
        "--hours", type=float, help="With --matrix or --ablation: another duration in hours."
    )
    ev.add_argument("--seed", type=int, help="With --matrix or --ablation: another seed.")
    ev.set_defaults(func=evaluate_command)


def _destination(args: argparse.Namespace) -> None:
    """Refuse options meant for another destination; fill in this one's defaults."""
    for to, options in _DESTINATION_OPTIONS.items():
        for name, default in options.items():
            if to != args.to and getattr(args, name) is not None:
                raise CommandError(f"--{name} applies to --to {to}, not --to {args.to}")
            if getattr(args, name) is None:
                setattr(args, name, default)


def _sinks(args: argparse.Namespace) -> list[Sink]:
    if args.to == "kafka":
        return [KafkaSink(args.bootstrap, args.topic)]
    if args.to == "http":
        return [HttpSink(args.url, batch=args.batch)]
    return []


def _is_events_file(text: str) -> bool:
    return text.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".gz")) and Path(text).is_file()


def simulate_command(args: argparse.Namespace) -> int:
    if args.list:
        for name in scenario_names():
            spec = load_scenario(name)
            print(f"{name:12} {spec.hours:g} h  {spec.description}")
        return 0
    if not args.scenario:
        raise CommandError(
            f"name a scenario ({', '.join(scenario_names())}), a spec JSON or an events file "
            "to replay; --list describes the scenarios"
        )
    _destination(args)
    if _is_events_file(args.scenario):
        for flag in ("seed", "scale", "hours", "labels"):
            if getattr(args, flag) is not None:
                raise CommandError(
                    f"--{flag} applies to a scenario; an events file is replayed as it is"
                )
        return _replay_file(args, args.speed)
    try:
        scenario = load_scenario(args.scenario).scaled(args.scale or 1.0, args.hours, args.seed)
    except (FileNotFoundError, ValueError) as error:
        raise CommandError(str(error)) from None
    output = args.output
    if output is None and args.to == "file":
        output = Path("out") / f"{scenario.name}.jsonl"
    labels = args.labels or (
        default_labels_path(output) if output else Path("out") / f"{scenario.name}.labels.jsonl"
    )
    try:
        result = generate(scenario, output, labels, sinks=_sinks(args), speed=args.speed,
                          progress=not args.quiet)  # fmt: skip
    except (RuntimeError, OSError) as error:
        raise CommandError(str(error)) from None
    where = {"file": str(output), "kafka": f"{args.bootstrap} {args.topic}", "http": args.url}
    print(
        f"{scenario.name}: {result.events} events, {result.accounts} accounts "
        f"({result.attack_accounts} attack) -> {where[args.to]}; labels {labels}; "
        f"{result.seconds:.1f} s ({result.events / max(result.seconds, 1e-9):,.0f} events/s)",
        file=sys.stderr,
    )
    return 0


def _replay_file(args: argparse.Namespace, speed: float | None) -> int:
    source = Path(args.scenario)
    try:
        total = count_lines(source)
        if total == 0:
            raise CommandError(f"{source}: no events to replay; give {EVENTS_FILE}")
        sinks = _sinks(args)
        if args.output is not None:
            sinks.insert(0, FileSink(args.output))
        if not sinks:
            raise CommandError("replaying a file needs --to kafka, --to http or --output")
        stats = replay(read_records(source), sinks, speed=speed, total=total,
                       progress=not args.quiet, desc=source.name)  # fmt: skip
    except (RuntimeError, OSError) as error:
        raise CommandError(str(error)) from None
    print(f"{source}: {stats.events} events replayed in {stats.seconds:.1f} s", file=sys.stderr)
    return 0


def _expected_bounds(text: str) -> dict[str, Any]:
    path = Path(text)
    if not path.is_file():
        try:
            path = scenario_path(text).with_name("expected.json")
        except FileNotFoundError as error:
            raise CommandError(f"--expected: {error}") from None
    try:
        bounds: dict[str, Any] = orjson.loads(path.read_bytes())["detection"]
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as error:
        raise CommandError(
            f"--expected: {path} has no detection bounds ({error}); give a scenario name or an "
            'expected.json with {"detection": {...}}'
        ) from None
    return bounds


def _run_detection(events: Path, verdicts: Path, scores: Path) -> None:
    # Imported here: the detection pipeline is optional for everything else in this module.
    from service.offline import detect_file

    detect_file(events, output_file(verdicts), scores_path=scores)


def _read(reader: Callable[[Path], T], path: Path, flag: str, wanted: str) -> T:
    """``reader(path)``, with a line that names the file when its lines are not what we expect."""
    try:
        return reader(path)
    except (orjson.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as error:
        raise CommandError(f"{flag} {path}: unreadable ({error}); give {wanted}") from None


def evaluate_command(args: argparse.Namespace) -> int:
    if args.matrix:
        return _matrix_command(args)
    if args.ablation or args.without:
        return _ablation_command(args)
    if args.sensitivity or args.threshold:
        return _sensitivity_command(args)
    if args.events is None or args.labels is None:
        raise CommandError(
            "give --events and --labels of one scenario (or --matrix, --ablation or --sensitivity)"
        )
    # matplotlib takes 0.7 s to import: only the command that draws should pay it, not every
    # `harvestguard` command (this module is imported to build the parser).
    from simulations.report import markdown, write_plots

    verdicts_path: Path | None = args.verdicts
    scores_path: Path | None = args.scores
    if args.detect:
        folder = Path(tempfile.mkdtemp(prefix="harvestguard-"))
        verdicts_path = verdicts_path or folder / "verdicts.jsonl"
        run_scores = folder / "scores.jsonl"
        try:
            _run_detection(args.events, verdicts_path, run_scores)
        except ImportError as error:
            raise CommandError(f"--detect: detection is not installed ({error})") from None
        # Every account's highest score, flagged or not, unless --scores names others.
        scores_path = scores_path or run_scores
    elif verdicts_path is None:
        raise CommandError(
            "give --verdicts FILE (from harvestguard detect) or --detect to run detection first"
        )
    elif not verdicts_path.is_file():
        raise CommandError(
            f"--verdicts {verdicts_path}: no such file; run harvestguard detect first, "
            "or pass --detect"
        )
    scores = None
    if scores_path is not None:
        scores = _read(read_scores, scores_path, "--scores", "{account_id, max_score} lines")
    labels = _read(read_labels, args.labels, "--labels", LABELS_FILE)
    verdicts = _read(read_verdicts, verdicts_path, "--verdicts", "what harvestguard detect wrote")
    metrics = evaluate(args.events, labels, verdicts, scores)
    if metrics.tp + metrics.fp + metrics.fn + metrics.tn == 0:
        raise CommandError(
            f"none of the {len(labels)} accounts in {args.labels} sent an event in {args.events}: "
            "give the events and the labels of the same scenario"
        )
    failures = check_bounds(metrics, _expected_bounds(args.expected)) if args.expected else None
    plots: dict[str, str] = {}
    if args.plots:
        written = write_plots(metrics, args.plots)
        base = args.report.parent if args.report else Path.cwd()
        for name, path in written.items():
            try:
                plots[name] = str(path.resolve().relative_to(base.resolve()))
            except ValueError:
                plots[name] = str(path.resolve())
    title = args.title or f"harvestguard evaluation: {args.events.name}"
    text = markdown(metrics, title, failures, plots)
    print(text)
    if args.report:
        output_file(args.report).write_text(text)
    if args.json:
        output_file(args.json).write_bytes(
            orjson.dumps(metrics.as_dict(), option=orjson.OPT_INDENT_2)
        )
    return 1 if failures else 0


def _write(args: argparse.Namespace, text: str, data: dict[str, object]) -> None:
    print(text)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))


def _progress(*parts: str) -> None:
    print("evaluate:", *parts, file=sys.stderr, flush=True)


def _matrix_command(args: argparse.Namespace) -> int:
    from simulations.matrix import matrix_json, matrix_markdown, run_matrix

    try:
        base = load_scenario(args.base).scaled(args.scale, args.hours, args.seed)
        if args.campaign:
            base = base.only(args.campaign)
        bounds = _expected_bounds(args.expected) if args.expected else None
    except (FileNotFoundError, ValueError, KeyError) as error:
        print(f"evaluate: {error}", file=sys.stderr)
        return 2
    evasions = args.evasion or [*EVASIONS, *COMBINED]

    def done(name: str, run: Run) -> None:
        _progress(f"{name}: {run.events:,} events, generated in {run.generate_s:.1f} s, "
                  f"detected in {run.detect_s:.1f} s")  # fmt: skip

    runs = run_matrix(base, evasions, jobs=args.jobs, done=done)
    failures = None
    if bounds is not None:
        failures = [
            f"{name}: {f}"
            for name, run in runs.items()
            for f in check_bounds(run.metrics, bounds, apply(base, name).wording)
        ]
    _write(args, matrix_markdown(base, runs, failures), matrix_json(base, runs))
    return 1 if failures else 0


def _ablation_command(args: argparse.Namespace) -> int:
    from simulations.ablation import (
        DEFAULT_SCENARIOS,
        ablation_json,
        ablation_markdown,
        ablations,
        run_ablation,
    )

    files: list[tuple[str, Path, Path]] = []
    names = args.scenario or ([] if args.events else list(DEFAULT_SCENARIOS))
    if args.events or args.labels:
        if args.events is None or args.labels is None:
            print("evaluate: an ablation over a file needs --events and --labels",
                  file=sys.stderr)  # fmt: skip
            return 2
        files.append((args.events.name, args.events, args.labels))
    try:
        offs = ablations(args.without)
        scenarios = [load_scenario(n).scaled(args.scale, args.hours, args.seed) for n in names]
    except (FileNotFoundError, ValueError) as error:
        print(f"evaluate: {error}", file=sys.stderr)
        return 2

    def done(off: str, name: str, run: Run) -> None:
        _progress(f"{name} with {off} switched off: detected in {run.detect_s:.1f} s")

    runs = run_ablation(scenarios, offs, files, done=done)
    _write(args, ablation_markdown(runs), ablation_json(runs))
    return 0


def _sensitivity_command(args: argparse.Namespace) -> int:
    from simulations.sensitivity import (
        DEFAULT_EVASIONS,
        KNOB_NAMES,
        run_sensitivity,
        sensitivity_json,
        sensitivity_markdown,
    )

    def done(evasion: str, knob: str, factor: float, run: Run) -> None:
        _progress(f"{evasion} with {knob} x{factor:g}: detected in {run.detect_s:.1f} s")

    try:
        base = load_scenario(args.base).scaled(args.scale, args.hours, args.seed)
        runs = run_sensitivity(base, args.evasion or DEFAULT_EVASIONS,
                               args.threshold or KNOB_NAMES, jobs=args.jobs, done=done)  # fmt: skip
    except (FileNotFoundError, ValueError) as error:
        print(f"evaluate: {error}", file=sys.stderr)
        return 2
    _write(args, sensitivity_markdown(base, runs), sensitivity_json(base, runs))
    return 0
