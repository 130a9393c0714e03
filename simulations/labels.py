"""The labels file: ground truth per account, written beside the generated events.

Format: JSONL, one object per account that sent at least one request, sorted by
``account_id``::

    {"account_id": "org_3f9a...", "label": "benign" | "attack",
     "persona": "chat_app" | ... | null,        # benign persona, null for attack accounts
     "campaign": "hydra-1" | null,              # campaign id from the spec
     "campaign_type": "hydra" | null,           # bulk_cot, hydra, slow_drip, rubric, ...
     "heavy": false,                            # replayed at a real client's peak rate
     "enterprise": "ent-3" | null,              # sub-accounts sharing one payment method
     "nat": "nat-5" | null,                     # customers behind one corporate NAT /24
     "events": 1234, "completion_tokens": 56789}

A path ending in ``.csv`` is written and read as CSV with the same columns (empty cell =
null, ``heavy`` as ``true``/``false``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import orjson


@dataclass
class Label:
    account_id: str
    label: str
    persona: str | None = None
    campaign: str | None = None
    campaign_type: str | None = None
    heavy: bool = False
    enterprise: str | None = None
    nat: str | None = None
    events: int = 0
    completion_tokens: int = 0

    @property
    def is_attack(self) -> bool:
        return self.label == "attack"

    @property
    def group(self) -> str:
        """The campaign id of an attack account, the persona of a benign one."""
        return (self.campaign if self.is_attack else self.persona) or "unknown"


COLUMNS = tuple(f.name for f in fields(Label))


def write_labels(path: Path, labels: Iterable[Label]) -> None:
    rows = sorted(labels, key=lambda lab: lab.account_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            for lab in rows:
                writer.writerow(["" if v is None else _cell(v) for v in asdict(lab).values()])
        return
    with open(path, "wb") as handle:
        for lab in rows:
            handle.write(orjson.dumps(asdict(lab)) + b"\n")


def _cell(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def read_labels(path: Path) -> dict[str, Label]:
    """``account_id -> Label`` from a JSONL or CSV labels file."""
    out: dict[str, Label] = {}
    if path.suffix == ".csv":
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                lab = Label(
                    account_id=row["account_id"],
                    label=row["label"],
                    persona=row.get("persona") or None,
                    campaign=row.get("campaign") or None,
                    campaign_type=row.get("campaign_type") or None,
                    heavy=(row.get("heavy") or "").lower() == "true",
                    enterprise=row.get("enterprise") or None,
                    nat=row.get("nat") or None,
                    events=int(row.get("events") or 0),
                    completion_tokens=int(row.get("completion_tokens") or 0),
                )
                out[lab.account_id] = lab
        return out
    known = set(COLUMNS)
    for line in path.read_bytes().splitlines():
        if line.strip():
            record = orjson.loads(line)
            lab = Label(**{k: v for k, v in record.items() if k in known})
            out[lab.account_id] = lab
    return out
