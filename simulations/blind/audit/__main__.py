"""python -m simulations.blind.audit --out DIR [--seed N] [--scale S] [--hours H]"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from .build import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulations.blind.audit",
        description="Write a labelled blind traffic set (events.jsonl.gz, labels.jsonl).",
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0, help="population multiplier")
    parser.add_argument("--hours", type=float, default=6.0, help="window length from 13:00Z")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    sink = generate(args.out, args.seed, args.scale, args.hours)
    kinds = Counter(
        a.campaign_type or "benign" for aid, a in sink.accounts.items() if aid in sink.events
    )
    print(
        f"{sum(sink.events.values())} events, {len(sink.events)} accounts "
        f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}) "
        f"in {time.perf_counter() - began:.1f} s -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
