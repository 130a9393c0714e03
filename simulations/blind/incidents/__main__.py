"""``python -m simulations.blind.incidents --out DIR [--seed N] [--scale S] [--hours H]``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .generate import generate


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m simulations.blind.incidents")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--hours", type=float, default=6.0)
    args = ap.parse_args(argv)
    summary = generate(args.out, seed=args.seed, scale=args.scale, hours=args.hours)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
