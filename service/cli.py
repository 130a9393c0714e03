"""The ``harvestguard`` command: one sub-command per job."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from service.command_line import (
    EVENTS_FILE,
    CommandError,
    CommandLine,
    input_file,
    output_file,
    report,
)
from service.gc_tuning import tune_for_throughput
from service.settings import Settings, masked_url


def _settings_with(args: argparse.Namespace) -> Settings:
    """The settings, with what ``--format`` and ``--partitions`` say when they were given."""
    given = {"input_format": args.format, "partitions": getattr(args, "partitions", None)}
    return Settings(**{name: value for name, value in given.items() if value is not None})


def _add_format(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--format",
        choices=("contract", "litellm", "envoy", "envoy-json", "kong", "nginx"),
        default=None,
        help="Record format: the contract or a gateway's log (default: HARVESTGUARD_INPUT_FORMAT).",
    )


def _detect(args: argparse.Namespace) -> int:
    from service.offline import detect_file

    settings = _settings_with(args)
    scores = output_file(args.scores) if args.scores else None
    summary = detect_file(
        args.input,
        output_file(args.output),
        settings,
        show_progress=args.progress,
        scores_path=scores,
    )
    for line in summary.rejections:
        print(f"rejected {line}", file=sys.stderr)
    for line in summary.lines():
        print(line, file=sys.stderr)
    if summary.events == 0:
        raise CommandError(
            f"no valid event in {args.input} ({summary.rejected} line(s) rejected, above): "
            f"fix them, or give the --format they are in (read as {settings.input_format})"
        )
    return 0


def _worker(args: argparse.Namespace) -> int:
    from service.worker import run_worker

    return run_worker(_settings_with(args), max_idle_s=args.exit_when_idle)


def _replay_dlq(args: argparse.Namespace) -> int:
    from service.dlq import replay_dlq

    summary = replay_dlq(Settings(), dry_run=args.dry_run, from_beginning=args.from_beginning)
    print("\n".join(summary.lines()), file=sys.stderr)
    return 1 if summary.missing else 0


def _api(args: argparse.Namespace) -> int:
    from service.api.app import RoleNeedsSharedStore, run_api
    from service.api.security import InsecureSettings

    try:
        return run_api(Settings(), host=args.host, port=args.port, role=args.role)
    except (InsecureSettings, RoleNeedsSharedStore) as error:
        print(f"harvestguard api: refusing to start: {error}", file=sys.stderr)
        return 2


def _shown(value: object) -> str:
    # str() of a SecretStr is already masked; a URL's password is masked here.
    if isinstance(value, frozenset | tuple):  # (a tuple keeps its order: account sources)
        items = sorted(value) if isinstance(value, frozenset) else value
        return ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in items)
    return "" if value == {} else masked_url(str(value))


def _settings(args: argparse.Namespace) -> int:
    """Print every setting: environment variable, current value (or default), meaning."""
    if args.markdown:
        print("| environment variable | default | meaning |\n|---|---|---|")
        for name, info in Settings.model_fields.items():
            default = _shown(info.get_default(call_default_factory=True)) or "(empty)"
            print(f"| `HARVESTGUARD_{name.upper()}` | `{default}` | {info.description} |")
        return 0
    current = Settings()
    for name, info in Settings.model_fields.items():
        print(f"HARVESTGUARD_{name.upper()}={_shown(getattr(current, name))}\t# {info.description}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = CommandLine(
        prog="harvestguard",
        description="Detect bulk LLM output harvesting (distillation) in API request logs.",
        epilog="Settings come from HARVESTGUARD_* environment variables: harvestguard settings "
        "lists them. Every command has its own --help.",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="How much to log (default: INFO).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    detect = commands.add_parser(
        "detect",
        help="Detect offline over an events file, with the embedded store.",
        description="Run detection over a JSONL(.gz) events file with the embedded store (no "
        "servers): one verdict line per flagged account, rejected lines and a summary on "
        "stderr.",
    )
    detect.add_argument(
        "--input", required=True, type=input_file(EVENTS_FILE), metavar="EVENTS",
        help="The events to read: JSONL or JSONL.gz, one request event a line.",
    )  # fmt: skip
    detect.add_argument(
        "--output", required=True, type=Path, metavar="VERDICTS",
        help="Where to write the verdicts, JSONL (its folder is created).",
    )  # fmt: skip
    detect.add_argument(
        "--scores", type=Path, default=None, metavar="SCORES",
        help="Also write every account's highest score, flagged or not, JSONL "
        "({account_id, max_score}; what `harvestguard evaluate --scores` reads).",
    )  # fmt: skip
    detect.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Show a progress bar on stderr (default: when stderr is a terminal).",
    )
    detect.add_argument(
        "--partitions", type=int, default=None, metavar="N",
        help="Read the file as the N partitions of the topic it came from, by the producer's "
        "key hash, to give the verdicts the workers gave (default: HARVESTGUARD_PARTITIONS).",
    )  # fmt: skip
    _add_format(detect)
    detect.set_defaults(func=_detect)

    worker = commands.add_parser(
        "worker",
        help="Run the streaming worker: Kafka in, Redis state.",
        description="Join the consumer group on the requests topic, keep account state in the "
        "store (HARVESTGUARD_STORE=redis in production), publish alerts and dead letters, "
        "serve metrics on HARVESTGUARD_METRICS_PORT. SIGTERM finishes the batch and exits.",
    )
    worker.add_argument(
        "--exit-when-idle",
        type=float,
        default=None,
        metavar="SECONDS",
        help="Stop after this long without records once partitions are assigned (replays, "
        "tests; default: run until stopped).",
    )
    _add_format(worker)
    worker.set_defaults(func=_worker)

    replay = commands.add_parser(
        "replay-dlq",
        help="Produce dead-lettered records' originals to the requests topic again.",
        description="After a fix: read the dead-letter topic from where the last replay "
        "stopped, fetch each entry's original record from its topic, partition and offset, and "
        "produce it to the requests topic. Exits 1 when originals are gone with retention.",
    )
    replay.add_argument(
        "--dry-run", action="store_true", help="Find the originals but produce nothing."
    )
    replay.add_argument(
        "--from-beginning",
        action="store_true",
        help="Replay every entry again, not only those since the last replay.",
    )
    replay.set_defaults(func=_replay_dlq)

    api = commands.add_parser(
        "api",
        help="Serve the sidecar API: inline check, push ingestion, analyst API, console.",
        description="Serve the inline check, push ingestion, the analyst API, the review "
        "console (/console) and /metrics from one process. Refuses to start without a strong "
        "HARVESTGUARD_API_TOKEN.",
    )
    api.add_argument(
        "--host", default=None, help="Address to listen on (default: HARVESTGUARD_API_HOST)."
    )
    api.add_argument(
        "--port", type=int, default=None,
        help="Port to listen on (default: HARVESTGUARD_API_PORT).",
    )  # fmt: skip
    api.add_argument(
        "--role",
        choices=("all", "check", "ingest"),
        default="all",
        help="What this process serves: check (the inline check only), ingest (push "
        "ingestion, the analyst API and the console) or all (the default, both). check and "
        "ingest need Redis as the store; the check then never waits for a batch of ingestion.",
    )
    api.set_defaults(func=_api)

    show = commands.add_parser(
        "settings",
        help="Print every setting with its environment variable and value.",
        description="Print every setting as HARVESTGUARD_NAME=value with its meaning, as this "
        "process sees it (secrets masked).",
    )
    show.add_argument(
        "--markdown",
        action="store_true",
        help="Print the table of defaults instead (the one in docs/configuration.md).",
    )
    show.set_defaults(func=_settings)

    try:
        from simulations.cli import register
    except ImportError:
        pass
    else:
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    tune_for_throughput()
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # kafka-python's I/O thread warns whenever one of its tasks took over 100 ms of wall
    # time; in a worker that spends its batches computing, that is the GIL, not a fault.
    logging.getLogger("kafka.net.selector").setLevel(logging.ERROR)
    try:
        return int(args.func(args))
    except CommandError as error:
        return report(f"harvestguard {args.command}", error)
    except ValidationError as error:
        if error.title != Settings.__name__:
            raise
        print(f"harvestguard: invalid settings\n{_problems(error)}", file=sys.stderr)
        return 2


def _problems(error: ValidationError) -> str:
    """Each problem with the variable it is about (a rule across settings names none)."""
    lines = []
    for problem in error.errors():
        name = f"HARVESTGUARD_{str(problem['loc'][0]).upper()}" if problem["loc"] else "settings"
        lines.append(f"  {name}: {problem['msg']}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
