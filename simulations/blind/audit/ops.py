"""What every campaign needs: attack accounts and their profiles, and volume scaling."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .emit import Request, Sink
from .shape import Profile
from .world import Account, Ids

Gen = np.random.Generator

# campaign type -> accounts at scale 1 (fixed by the benchmark's brief)
# fmt: off
SIZES = {"bulk_cot": 4, "logit_probe": 2, "model_pivot": 10, "hydra": 300, "slow_drip": 20,
         "chat_mimicry": 6}
# fmt: on


@dataclass
class Run:
    """The run: seed, window, launch, population scale and per-account volume factor."""

    seed: int
    t0: float
    t1: float
    release: float
    scale: float
    factor: float
    ids: Ids
    sink: Sink

    def count(self, ctype: str) -> int:
        return max(1, round(SIZES[ctype] * self.scale))


def account(
    run: Run,
    ctype: str,
    *,
    created: float,
    card: str | None,
    ips: list[tuple[str, int | None]],
    uas: list[str],
    region: str,
    keys: int = 1,
) -> Account:
    acct = Account(
        run.ids.account(),
        "attack",
        campaign=f"{ctype.replace('_', '-')}-1",  # one campaign of each type in this set
        campaign_type=ctype,
        created=created,
        payment=card,
        ips=ips,
        uas=uas,
        region=region,
    )
    acct.keys = [run.ids.key() for _ in range(keys)]
    return acct


def profile(acct: Account, run: Run, mix: dict[str, float]) -> Profile:
    names = sorted(mix)
    return Profile(acct, acct.campaign_type or "", names, [mix[n] for n in names], run.release)


def emit(run: Run, rng: Gen, acct: Account, ts: float, req: Request) -> None:
    """Emit, thinned by the volume factor of small test runs (never below one event)."""
    if run.factor >= 1.0 or rng.random() < run.factor or acct.account_id not in run.sink.events:
        run.sink.emit(acct, ts, req)
