"""The ``simulate`` and ``evaluate`` sub-commands of ``harvestguard``.

``harvestguard simulate SCENARIO [--seed N] [--scale F] [--hours H] [--to file|kafka|http]
[--output PATH] [--labels PATH] [--speed realtime|Nx|max] [--bootstrap HOST:PORT]
[--topic llm.requests] [--url URL]``: SCENARIO is a folder under ``simulations/scenarios``,
a spec JSON, or an events file (``.jsonl``/``.jsonl.gz``) to replay as it is.

``harvestguard evaluate --events PATH --labels PATH [--verdicts PATH] [--detect]
[--scores PATH] [--report PATH.md] [--plots DIR] [--expected SCENARIO|expected.json]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import orjson

from simulations.evaluate import check_bounds, evaluate, read_scores, read_verdicts
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
from simulations.spec import load_scenario, scenario_names, scenario_path

DEFAULT_TOPIC = "llm.requests"


def register(subparsers: argparse._SubParsersAction) -> None:
    sim = subparsers.add_parser(
        "simulate",
        help="generate a labelled scenario and write or replay it",
        description="Generate labelled traffic for SCENARIO (or replay an events file).",
    )
    sim.add_argument("scenario", nargs="?", help=f"one of {scenario_names()}, a spec or events")
    sim.add_argument("--list", action="store_true", help="list the scenarios and exit")
    sim.add_argument("--seed", type=int, help="override the spec's seed")
    sim.add_argument("--scale", type=float, default=1.0, help="multiply accounts and events")
    sim.add_argument("--hours", type=float, help="override the duration (events scale with it)")
    sim.add_argument("--to", choices=("file", "kafka", "http"), default="file")
    sim.add_argument("--output", type=Path, help="events file (.jsonl or .jsonl.gz)")
    sim.add_argument("--labels", type=Path, help="labels file (.jsonl or .csv)")
    sim.add_argument("--speed", default="max", help="realtime, Nx (e.g. 60x) or max")
    sim.add_argument("--bootstrap", default="127.0.0.1:9092", help="Kafka bootstrap HOST:PORT")
    sim.add_argument("--topic", default=DEFAULT_TOPIC)
    sim.add_argument("--url", default="http://127.0.0.1:8000/v1/events", help="HTTP endpoint")
    sim.add_argument("--batch", type=int, default=500, help="events per HTTP POST")
    sim.add_argument("--quiet", action="store_true", help="no progress bar")
    sim.set_defaults(func=simulate_command)

    ev = subparsers.add_parser(
        "evaluate",
        help="score verdicts against labels: precision, recall, FPR, delay, leaked tokens",
        description="Evaluate verdicts (or run detection) against a labelled scenario.",
    )
    ev.add_argument("--events", type=Path, required=True)
    ev.add_argument("--labels", type=Path, required=True)
    ev.add_argument("--verdicts", type=Path, help="verdicts JSONL (written here with --detect)")
    ev.add_argument("--detect", action="store_true", help="run offline detection first")
    ev.add_argument("--scores", type=Path, help="optional JSONL {account_id, max_score}")
    ev.add_argument("--report", type=Path, help="write the Markdown report here")
    ev.add_argument("--plots", type=Path, help="write PNG plots into this directory")
    ev.add_argument("--expected", help="scenario name or expected.json: check detection bounds")
    ev.add_argument("--json", type=Path, help="write the metrics as JSON here")
    ev.add_argument("--title", help="report title (default: from the events file name)")
    ev.set_defaults(func=evaluate_command)


def _sinks(args: argparse.Namespace) -> list[Sink]:
    if args.to == "kafka":
        return [KafkaSink(args.bootstrap, args.topic)]
    if args.to == "http":
        return [HttpSink(args.url, batch=args.batch)]
    return []


def _is_events_file(text: str) -> bool:
    return text.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".gz")) and Path(text).is_file()


def simulate_command(args: argparse.Namespace) -> int:
    if args.list or not args.scenario:
        for name in scenario_names():
            spec = load_scenario(name)
            print(f"{name:12} {spec.hours:g} h  {spec.description}")
        return 0 if args.list else 2
    try:
        speed = parse_speed(args.speed)
    except ValueError as error:
        print(f"simulate: {error}", file=sys.stderr)
        return 2
    if _is_events_file(args.scenario):
        return _replay_file(args, speed)
    try:
        scenario = load_scenario(args.scenario).scaled(args.scale, args.hours, args.seed)
    except (FileNotFoundError, ValueError) as error:
        print(f"simulate: {error}", file=sys.stderr)
        return 2
    output = args.output
    if output is None and args.to == "file":
        output = Path("out") / f"{scenario.name}.jsonl"
    labels = args.labels or (
        default_labels_path(output) if output else Path("out") / f"{scenario.name}.labels.jsonl"
    )
    try:
        result = generate(scenario, output, labels, sinks=_sinks(args), speed=speed,
                          progress=not args.quiet)  # fmt: skip
    except RuntimeError as error:
        print(f"simulate: {error}", file=sys.stderr)
        return 1
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
        sinks = _sinks(args)
    except RuntimeError as error:
        print(f"simulate: {error}", file=sys.stderr)
        return 1
    if args.output is not None:
        sinks.insert(0, FileSink(args.output))
    if not sinks:
        print("simulate: replaying a file needs --to kafka, --to http or --output", file=sys.stderr)
        return 2
    try:
        stats = replay(read_records(source), sinks, speed=speed, total=count_lines(source),
                       progress=not args.quiet, desc=source.name)  # fmt: skip
    except RuntimeError as error:
        print(f"simulate: {error}", file=sys.stderr)
        return 1
    print(f"{source}: {stats.events} events replayed in {stats.seconds:.1f} s", file=sys.stderr)
    return 0


def _expected_bounds(text: str) -> dict[str, float]:
    path = Path(text)
    if not path.is_file():
        path = scenario_path(text).with_name("expected.json")
    bounds: dict[str, float] = orjson.loads(path.read_bytes())["detection"]
    return bounds


def _run_detection(events: Path, verdicts: Path) -> None:
    # Imported here: the detection pipeline is optional for everything else in this module.
    from service.offline import detect_file

    detect_file(events, verdicts)


def evaluate_command(args: argparse.Namespace) -> int:
    # matplotlib takes 0.7 s to import: only the command that draws should pay it, not every
    # `harvestguard` command (this module is imported to build the parser).
    from simulations.report import markdown, write_plots

    verdicts_path: Path | None = args.verdicts
    if args.detect or verdicts_path is None:
        if verdicts_path is None:
            verdicts_path = Path(tempfile.mkdtemp(prefix="harvestguard-")) / "verdicts.jsonl"
        try:
            _run_detection(args.events, verdicts_path)
        except ImportError as error:
            print(f"evaluate: no --verdicts and detection unavailable: {error}", file=sys.stderr)
            return 2
    if not verdicts_path.is_file():
        print(f"evaluate: verdicts file {verdicts_path} not found", file=sys.stderr)
        return 2
    scores = read_scores(args.scores) if args.scores else None
    metrics = evaluate(args.events, read_labels(args.labels), read_verdicts(verdicts_path), scores)
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
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(text)
    if args.json:
        args.json.write_bytes(orjson.dumps(metrics.as_dict(), option=orjson.OPT_INDENT_2))
    return 1 if failures else 0
