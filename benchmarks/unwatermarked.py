"""``harvestguard`` with the shared watermark switched off, for measurement only.

    python -m benchmarks.unwatermarked worker ...   (as ``python -m service.cli worker ...``)

Every record is released to the pipeline as soon as it is read and no marks are written:
what a worker costs without the epoch barrier (no marks read or written per poll, no
records held for other partitions, no lock-step between workers). Scoring still reads
cross-account state as of the epoch before the event's, but that epoch may not be
complete, so verdicts then depend on timing: ``benchmarks/scaleout.py --unwatermarked``
shows both the cost and the verdicts that move.
"""

from __future__ import annotations

import sys

from service import watermark
from service.cli import main


def _release_everything(
    self: watermark.Marks, partitions: int, now: float, held: dict[int, int] | None = None
) -> int:
    return watermark.ALL_IDLE


def _publish_nothing(
    self: watermark.Marks,
    marks: dict[int, int],
    idle_since: dict[int, float],
    newest: dict[int, int] | None = None,
) -> None:
    return None


if __name__ == "__main__":
    watermark.Marks.watermark = _release_everything  # type: ignore[method-assign]
    watermark.Marks.publish = _publish_nothing  # type: ignore[method-assign]
    sys.exit(main(sys.argv[1:]))
