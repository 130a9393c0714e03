"""``python -m simulations.blind.casebook --out DIR [--seed N] [--scale S] [--hours H]``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .build import generate, write
from .core import World


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulations.blind.casebook", description=__doc__
    )
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0, help="population and volume factor")
    parser.add_argument("--hours", type=float, default=6.0, help="length of the log")
    args = parser.parse_args(argv)
    if args.scale <= 0 or args.hours <= 0:
        parser.error("--scale and --hours must be positive")
    began = time.perf_counter()
    log, accounts = generate(World(seed=args.seed, scale=args.scale, hours=args.hours))
    events, active = write(args.out, log, accounts)
    took = time.perf_counter() - began
    print(
        f"casebook: {events} events, {active} accounts in {took:.1f}s -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
