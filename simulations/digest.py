"""Build ``simulations/data/realdata.npz`` from the raw data in ``shared/data``.

    python -m simulations.digest [--data DIR] [--output PATH]

Trace rates and token pairs are copied exactly, fitted shapes as float32; each ServeGen
token-length distribution the personas use becomes 256 quantiles (the midpoints of 256
equal-probability slices), which keeps point masses and the body of the distribution and
drops only its outer 0.2 %.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from simulations import rawdata
from simulations.realdata import DIGEST, Discrete
from simulations.tokens import SERVEGEN_POOLS

QUANTILES = 256


def quantiles(dist: Discrete, k: int = QUANTILES) -> np.ndarray:
    targets = (np.arange(k) + 0.5) / k * dist.cdf[-1]
    idx = np.minimum(np.searchsorted(dist.cdf, targets, side="right"), len(dist.values) - 1)
    return dist.values[idx].astype(np.int32)


def build() -> dict[str, np.ndarray]:
    names = rawdata.client_names()
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("client", "window", "rate", "fit",
                                                         "shape")}  # fmt: skip
    for i, name in enumerate(names):
        trace = rawdata.load_trace(name)
        active = np.flatnonzero(trace.rate > 0)
        cols["client"].append(np.full(active.shape[0], i, dtype=np.int16))
        cols["window"].append(active.astype(np.int16))
        cols["rate"].append(trace.rate[active])
        cols["fit"].append(trace.fit[active])
        # float32 keeps 7 digits of a fitted shape and halves the digest.
        cols["shape"].append(trace.shape[active].astype(np.float32))
    out = {f"trace_{k}": np.concatenate(v) for k, v in cols.items()}
    out["trace_names"] = np.array(names)
    ds_names = sorted({f"m-small/{c}" for pool in SERVEGEN_POOLS.values() for c in pool},
                      key=lambda n: int(n.split("-")[-1]))  # fmt: skip
    client, start, inp, outp = [], [], [], []
    for i, name in enumerate(ds_names):
        for s in rawdata.dataset_starts(name):
            a, b = rawdata.dataset_window(name, s)
            client.append(i)
            start.append(int(s))
            inp.append(quantiles(a))
            outp.append(quantiles(b))
    out |= {
        "ds_names": np.array(ds_names),
        "ds_client": np.array(client, dtype=np.int16),
        "ds_start": np.array(start, dtype=np.int32),
        "ds_in": np.array(inp, dtype=np.int32),
        "ds_out": np.array(outp, dtype=np.int32),
        "azure_code": rawdata.azure_pairs("code").astype(np.int32),
        "azure_conv": rawdata.azure_pairs("conv").astype(np.int32),
        "mooncake": rawdata.mooncake_pairs().astype(np.int32),
    }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="shared/data (default: found automatically)")
    parser.add_argument("--output", type=Path, default=DIGEST)
    args = parser.parse_args(argv)
    if args.data:
        os.environ["HARVESTGUARD_DATA"] = str(args.data)
    arrays = build()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.output, **arrays)  # type: ignore[arg-type]
    size = args.output.stat().st_size
    print(f"{args.output}: {size / 1e6:.2f} MB, {len(arrays['trace_names'])} clients, "
          f"{len(arrays['ds_start'])} token windows", file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
