"""Per-event cost of the contract parser: valid events, and events with one bad optional field.

    python benchmarks/contract_parse.py [--events FILE] [--repeat 7]

Reads (or, without ``--events``, simulates) the ``smoke`` scenario, about 8,000 realistic
events, and times ``parse_event`` over all of them with ``timeit`` (best of ``--repeat``
runs, in microseconds an event). It then breaks one optional field in each event (a
two-entry ``X-Forwarded-For`` as ``client_ip``, an ``asn`` given as text, a temperature out
of range) and times the same parse again: that is the fallback path, which turns the bad
field into null instead of dropping the event. ``json.loads`` of the same bytes is the
yardstick, so figures from a busy machine can be compared as ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from service.contract import InvalidEvent, iter_lines, parse_event  # noqa: E402

BREAKS = (
    ("client_ip", "198.51.100.23, 10.0.0.5"),
    ("asn", "AS24940"),
    ("params", {"temperature": 7}),
)


def smoke_events() -> list[bytes]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "smoke.jsonl"
        subprocess.run(
            [sys.executable, "-m", "service.cli", "simulate", "smoke", "--output", str(out),
             "--labels", str(Path(folder) / "labels.jsonl")],
            check=True, capture_output=True, cwd=REPO_ROOT,
        )  # fmt: skip
        return [line for _, line in iter_lines(out)]


def broken(lines: list[bytes]) -> list[bytes]:
    out = []
    for n, line in enumerate(lines):
        record = json.loads(line)
        name, value = BREAKS[n % len(BREAKS)]
        record[name] = value
        out.append(json.dumps(record).encode())
    return out


def per_event_us(fn: object, lines: list[bytes], repeat: int) -> float:
    def run() -> None:
        for line in lines:
            with contextlib.suppress(InvalidEvent):
                fn(line)  # type: ignore[operator]

    return min(timeit.repeat(run, number=1, repeat=repeat)) / len(lines) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=Path, help="a JSONL file (default: simulate smoke)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    lines = [line for _, line in iter_lines(args.events)] if args.events else smoke_events()
    bad = broken(lines)
    accepted = 0
    for line in bad:
        try:
            parse_event(line)
            accepted += 1
        except InvalidEvent:
            pass
    yardstick = per_event_us(json.loads, lines, args.repeat)
    valid = per_event_us(parse_event, lines, args.repeat)
    fallback = per_event_us(parse_event, bad, args.repeat)
    print(f"events: {len(lines)}; with one bad optional field accepted: {accepted}/{len(bad)}")
    print(f"json.loads (yardstick):        {yardstick:6.2f} us/event")
    print(f"parse_event, valid events:     {valid:6.2f} us/event ({valid / yardstick:.2f}x json)")
    print(f"parse_event, one bad optional: {fallback:6.2f} us/event ({fallback / yardstick:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
