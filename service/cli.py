"""The ``harvestguard`` command: one sub-command per job."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from service.gc_tuning import tune_for_throughput
from service.settings import Settings, masked_url


def _settings_with(args: argparse.Namespace) -> Settings:
    """The settings, with the record format of ``--format`` when it was given."""
    return Settings(input_format=args.format) if args.format else Settings()


def _add_format(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--format",
        choices=("contract", "litellm", "envoy", "envoy-json", "kong"),
        default=None,
        help="Record format: the contract, or a gateway's log (default HARVESTGUARD_INPUT_FORMAT).",
    )


def _detect(args: argparse.Namespace) -> int:
    from service.offline import detect_file

    summary = detect_file(
        args.input, args.output, _settings_with(args), show_progress=args.progress
    )
    for line in summary.rejections:
        print(f"rejected {line}", file=sys.stderr)
    for line in summary.lines():
        print(line, file=sys.stderr)
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
    from service.api.app import run_api
    from service.api.security import InsecureSettings

    try:
        return run_api(Settings(), host=args.host, port=args.port)
    except InsecureSettings as error:
        print(f"harvestguard api: refusing to start: {error}", file=sys.stderr)
        return 2


def _shown(value: object) -> str:
    # str() of a SecretStr is already masked; a URL's password is masked here.
    return ",".join(sorted(value)) if isinstance(value, frozenset) else masked_url(str(value))


def _settings(args: argparse.Namespace) -> int:
    """Print every setting: environment variable, current value (or default), meaning."""
    if args.markdown:
        print("| environment variable | default | meaning |\n|---|---|---|")
        for name, info in Settings.model_fields.items():
            default = _shown(info.default) or "(empty)"
            print(f"| `HARVESTGUARD_{name.upper()}` | `{default}` | {info.description} |")
        return 0
    current = Settings()
    for name, info in Settings.model_fields.items():
        print(f"HARVESTGUARD_{name.upper()}={_shown(getattr(current, name))}\t# {info.description}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harvestguard",
        description="Detect bulk LLM output harvesting (distillation) in API request logs.",
    )
    parser.add_argument("--log-level", default="INFO", help="Logging level (default INFO).")
    commands = parser.add_subparsers(dest="command", required=True)

    detect = commands.add_parser("detect", help="Offline detection over a JSONL(.gz) event file.")
    detect.add_argument("--input", required=True, type=Path, help="Events, JSONL or JSONL.gz.")
    detect.add_argument("--output", required=True, type=Path, help="Verdicts JSONL to write.")
    detect.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Progress bar on stderr (default: when stderr is a terminal).",
    )
    _add_format(detect)
    detect.set_defaults(func=_detect)

    worker = commands.add_parser("worker", help="Streaming worker: Kafka in, Redis state.")
    worker.add_argument(
        "--exit-when-idle",
        type=float,
        default=None,
        metavar="SECONDS",
        help="Stop after this long without records once partitions are assigned (replays, tests).",
    )
    _add_format(worker)
    worker.set_defaults(func=_worker)

    replay = commands.add_parser(
        "replay-dlq",
        help="After a fix: produce every dead-lettered record's original to the requests topic.",
    )
    replay.add_argument(
        "--dry-run", action="store_true", help="Find the originals, produce nothing."
    )
    replay.add_argument(
        "--from-beginning",
        action="store_true",
        help="Replay every entry again, not only those since the last replay.",
    )
    replay.set_defaults(func=_replay_dlq)

    api = commands.add_parser(
        "api", help="Sidecar API: inline check, push ingestion, analyst API, metrics."
    )
    api.add_argument("--host", default=None, help="Listen address (default HARVESTGUARD_API_HOST).")
    api.add_argument(
        "--port", type=int, default=None, help="Listen port (default HARVESTGUARD_API_PORT)."
    )
    api.set_defaults(func=_api)

    show = commands.add_parser("settings", help="Print every setting and its current value.")
    show.add_argument("--markdown", action="store_true", help="The README's table of defaults.")
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
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # kafka-python's I/O thread warns whenever one of its tasks took over 100 ms of wall
    # time; in a worker that spends its batches computing, that is the GIL, not a fault.
    logging.getLogger("kafka.net.selector").setLevel(logging.ERROR)
    try:
        return int(args.func(args))
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
