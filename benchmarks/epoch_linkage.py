"""What deterministic linkage would cost: groups read as of the last epoch, not live.

    python benchmarks/epoch_linkage.py [--scenario hydra] [--epochs 0 60 600 3600]

Verdicts identical across runs (after faults, or with any number of workers)
would need every cross-account input read in event time: linkage as of a
watermark that every partition has passed, not as the other partitions
happen to stand. This runs offline ``detect`` over a scenario with the link
store's answers held at the last epoch boundary (event time) while reports
keep flowing in, for each epoch length, and prints what detection loses. It is
the best case of such a design: no partition lags behind the boundary, and
the peer baseline stays live. Epoch 0 is today's live linkage.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.pipeline import generate  # noqa: E402
from service.offline import detect_file  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.state.links import Group, MemoryLinks, Profile, Report  # noqa: E402
from simulations.evaluate import evaluate, read_verdicts  # noqa: E402
from simulations.labels import read_labels  # noqa: E402


class EpochLinks(MemoryLinks):
    """Reports are applied at once; a group is answered as it stood at the start of the
    current epoch of ``epoch_s`` seconds of event time, with each reporting account's own
    part brought up to date (linkage takes an account's own report out of its group).
    The accounts of one batch (100 events) see each other's updates."""

    def __init__(self, epoch_s: float, settings: Settings) -> None:
        super().__init__(settings.link_max_members, settings.state_ttl_s, settings.link_max_values)
        self.epoch_s = epoch_s
        self._boundary = float("-inf")
        self._frozen: dict[str, tuple[dict[str, Profile] | None, Group]] = {}

    def exchange(self, reports: Mapping[str, Report], now: float) -> dict[str, Group]:
        boundary = now - now % self.epoch_s
        if boundary > self._boundary:
            groups = self.groups(list(self._entries))
            self._frozen = {
                value: (None if e.members is None else dict(e.members), groups[value])
                for value, e in self._entries.items()
            }
            self._boundary = boundary
        super().exchange(reports, now)
        answered: dict[str, tuple[int, bool, list[float]]] = {}
        for account, (values, profile) in reports.items():
            for value in values:
                members, group = self._frozen.get(value, ({}, None))
                if value not in answered:
                    answered[value] = (
                        (group.members, group.common, list(group.sums))
                        if group is not None
                        else (0, False, [0.0] * len(profile))
                    )
                count, common, sums = answered[value]
                old = members.get(account) if members is not None else None
                if old is None:
                    old = (0.0,) * len(profile)
                    count += 1
                sums = [s + n - o for s, n, o in zip(sums, profile, old, strict=True)]
                answered[value] = (count, common, sums)
        return {v: Group(v, n, common, tuple(sums)) for v, (n, common, sums) in answered.items()}


def run(events: Path, labels: Path, epoch_s: float, directory: Path) -> list[str]:
    # Small batches: the epoch boundary is placed within a batch's span of event time.
    settings = Settings(_env_file=None, batch_size=100, parse_in_child=False)
    links = EpochLinks(epoch_s, settings) if epoch_s > 0 else None
    verdicts_path = directory / f"verdicts.{epoch_s:g}.jsonl"
    detect_file(events, verdicts_path, settings, show_progress=False, links=links)
    metrics = evaluate(events, read_labels(labels), read_verdicts(verdicts_path))
    rows = []
    name = "live" if epoch_s <= 0 else f"{epoch_s:g} s"
    for campaign in sorted(metrics.campaigns, key=lambda c: c.campaign):
        before = campaign.median_events_before_flag
        rows.append(
            f"| {name} | {campaign.campaign} ({campaign.accounts}) | {campaign.recall:.3f} "
            f"| {'-' if before is None else f'{before:g}'} | {campaign.leaked_share:.3f} |"
        )
    rows.append(
        f"| {name} | all: precision {metrics.precision or 0:.3f}, benign FPR "
        f"{metrics.benign_fpr or 0:.4f} | {metrics.recall or 0:.3f} | | |"
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="hydra")
    parser.add_argument("--epochs", type=float, nargs="+", default=[0, 60, 600, 3600])
    parser.add_argument("--events", type=Path, help="an events file instead of a scenario")
    parser.add_argument("--labels", type=Path, help="its labels")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hg-epoch-") as tmp:
        directory = Path(tmp)
        if args.events:
            events, labels = args.events, args.labels
        else:
            events, labels = generate(args.scenario, directory), directory / "labels.jsonl"
        print("| linkage | campaign (accounts) | recall | median events before flag | leaked |")
        print("|---|---|---|---|---|")
        for epoch_s in args.epochs:
            for row in run(events, labels, epoch_s, directory):
                print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
