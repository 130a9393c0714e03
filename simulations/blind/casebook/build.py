"""Builds the whole population, runs every account, and writes the two files."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from random import Random

from . import honest_apps, honest_batch, honest_launch, honest_people
from .campaigns_bulk import bulk_cot, logit_probe
from .campaigns_farm import hydra
from .campaigns_human import chat_mimicry, slow_drip
from .campaigns_pivot import model_pivot
from .core import Account, Log, World
from .heavy import heavy_customers
from .population import honest

Traffic = Callable[[Account, Random, World, Log], None]
Campaign = Callable[[World, Random, set[str], Log], list[Account]]

PERSONA_TRAFFIC: dict[str, Traffic] = {
    "hobbyist": honest_people.hobbyist,
    "power_user": honest_people.power_user,
    "teacher_grader": honest_people.teacher_grader,
    "early_adopter": honest_launch.early_adopter,
    "chat_app": honest_apps.chat_app,
    "tutoring_app": honest_apps.tutoring_app,
    "coding_tool": honest_apps.coding_tool,
    "agent_builder": honest_apps.agent_builder,
    "rag_support": honest_apps.rag_support,
    "doc_pipeline": honest_batch.doc_pipeline,
    "dataset_builder": honest_batch.dataset_builder,
    "eval_researcher": honest_batch.eval_researcher,
    "classifier": honest_batch.classifier,
    "llm_judge": honest_batch.llm_judge,
    "translation_service": honest_launch.translation_service,
}
CAMPAIGNS: tuple[tuple[str, Campaign], ...] = (
    ("bulk_cot", bulk_cot),
    ("logit_probe", logit_probe),
    ("model_pivot", model_pivot),
    ("hydra", hydra),
    ("slow_drip", slow_drip),
    ("chat_mimicry", chat_mimicry),
)


def generate(world: World) -> tuple[Log, list[Account]]:
    log = Log(world.start, world.end)
    used: set[str] = set()
    rng = world.rng("population")
    accounts = honest(world, rng, used)
    for acct in accounts:
        rng_acct = world.rng(acct.account_id)
        PERSONA_TRAFFIC[acct.persona or "hobbyist"](acct, rng_acct, world, log)
        if acct.events == 0:
            honest_people.quiet_day(acct, rng_acct, world, log)
    accounts += honest_people.hackathons(world, world.rng("hackathons"), used, log)
    accounts += heavy_customers(world, world.rng("heavy"), used, log)
    for name, campaign in CAMPAIGNS:
        accounts += campaign(world, world.rng("campaign", name), used, log)
    return log, accounts


def write(out: Path, log: Log, accounts: list[Account]) -> tuple[int, int]:
    """Writes ``events.jsonl.gz`` (sorted by ts) and ``labels.jsonl``; returns the counts."""
    out.mkdir(parents=True, exist_ok=True)
    log.rows.sort()
    with (
        open(out / "events.jsonl.gz", "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
    ):
        for first in range(0, len(log.rows), 5000):
            chunk = [line for _, _, line in log.rows[first : first + 5000]]
            gz.write(("\n".join(chunk) + "\n").encode())
    active = sorted((a for a in accounts if a.events > 0), key=lambda a: a.account_id)
    with open(out / "labels.jsonl", "w", encoding="utf-8") as handle:
        for acct in active:
            handle.write(json.dumps(acct.label_row(), separators=(", ", ": ")) + "\n")
    return len(log.rows), len(active)
