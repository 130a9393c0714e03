"""``python -m simulations.blind.redteam --out DIR [--seed N] [--scale S] [--hours H]``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .generate import build, write


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simulations.blind.redteam", description=__doc__)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--hours", type=float, default=6.0)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    stats = write(build(args.seed, args.scale, args.hours), args.out)
    stats["seconds"] = round(time.perf_counter() - t0, 1)  # type: ignore[assignment]
    print(json.dumps(stats), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
