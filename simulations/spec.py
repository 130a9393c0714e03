"""Scenario specs: what a scenario folder's ``spec.json`` may say, and how it scales.

Campaign ``start`` and ``end`` are fractions of the scenario's duration, so ``--hours``
changes the length without moving campaigns off the end; event budgets are per scenario
and scale with both ``--scale`` and ``--hours`` (volume per hour stays put).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulations.wording import DEFAULT as DEFAULT_WORDING
from simulations.wording import NAMES as WORDINGS

SCENARIOS_DIR = Path(__file__).resolve().parent / "scenarios"
CAMPAIGN_TYPES = ("bulk_cot", "hydra", "slow_drip", "rubric", "logit_probe", "model_pivot",
                  "multilingual_cot", "chat_mimicry")  # fmt: skip
TIMINGS = ("poisson", "constant", "bursty", "human", "round_robin", "synchronised")
# A spec without a persona mix gets the first eight (support_desk came later: the older
# scenarios keep their bytes).
PERSONAS = ("chat_app", "coding_assistant", "rag_summarisation", "classification",
            "eval_harness", "tutoring", "translation", "synthetic_data",
            "support_desk")  # fmt: skip
DEFAULT_PERSONAS = PERSONAS[:8]
# Fields a scenario may leave out of its events (the contract's optional ones), as a
# gateway adapter that does not know them would.
OMITTABLE = ("api_key_id", "user_id", "session_id", "client_ip", "asn", "user_agent",
             "payment_fingerprint", "account_created", "endpoint", "status", "reasoning_tokens",
             "latency_ms", "finish_reason", "messages", "params", "prompt",
             "system_prompt")  # fmt: skip
_STRICT = ConfigDict(extra="forbid", frozen=True)


class HeavySpec(BaseModel):
    """Benign accounts replayed at their real peak rates (hundreds of requests a second)."""

    model_config = _STRICT
    accounts: int = Field(1, ge=1)
    events: int = Field(3000, ge=1)
    min_rate: float = Field(100.0, gt=0)
    personas: tuple[str, ...] = ("classification", "rag_summarisation", "chat_app",
                                 "coding_assistant")  # fmt: skip


class BenignSpec(BaseModel):
    model_config = _STRICT
    accounts: int = Field(..., ge=1)
    events: int = Field(..., ge=1)
    personas: dict[str, float] = Field(default_factory=lambda: dict.fromkeys(DEFAULT_PERSONAS, 1.0))
    heavy: HeavySpec = HeavySpec()
    nats: int = Field(0, ge=0, description="corporate NAT /24s shared by unrelated customers")
    nat_accounts: tuple[int, int] = (3, 10)
    enterprises: int = Field(0, ge=0, description="payment methods shared by sub-accounts")
    subaccounts: tuple[int, int] = (2, 6)
    new_share: float = Field(0.04, ge=0, le=1, description="benign accounts created this week")
    max_account_share: float = Field(0.03, gt=0, le=1)

    @model_validator(mode="after")
    def _known_personas(self) -> BenignSpec:
        unknown = set(self.personas) - set(PERSONAS) | set(self.heavy.personas) - set(PERSONAS)
        if unknown:
            raise ValueError(f"unknown personas {sorted(unknown)}; known: {list(PERSONAS)}")
        return self


class ReleaseSpec(BaseModel):
    model_config = _STRICT
    model: str = "reasoner-2"
    at: float = Field(0.3, ge=0, le=1, description="fraction of the scenario")
    adoption_h: float = Field(48.0, gt=0, description="mean benign adoption delay, hours")


class CampaignSpec(BaseModel):
    model_config = _STRICT
    id: str
    type: str
    accounts: int = Field(..., ge=1)
    events: int = Field(..., ge=1)
    start: float = Field(0.0, ge=0, le=1)
    end: float = Field(1.0, ge=0, le=1)
    mix: float = Field(0.0, ge=0, lt=1, description="share of normal-looking requests")
    timing: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> CampaignSpec:
        if self.type not in CAMPAIGN_TYPES:
            raise ValueError(f"unknown campaign type {self.type!r}; known: {CAMPAIGN_TYPES}")
        if self.end <= self.start:
            raise ValueError(f"campaign {self.id}: end must be after start")
        if self.timing is not None and self.timing not in TIMINGS:
            raise ValueError(f"campaign {self.id}: timing must be one of {TIMINGS}")
        return self


class Scenario(BaseModel):
    model_config = _STRICT
    name: str
    description: str = ""
    seed: int = 0
    start: datetime
    hours: float = Field(..., gt=0, le=24 * 14)
    benign: BenignSpec
    release: ReleaseSpec = ReleaseSpec()
    campaigns: tuple[CampaignSpec, ...] = ()
    wording: str = Field(DEFAULT_WORDING, description="wording family of every account")
    omit_fields: tuple[str, ...] = Field((), description="optional fields left out of events")

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        ids = [c.id for c in self.campaigns]
        if len(ids) != len(set(ids)):
            raise ValueError("campaign ids must be unique")
        if self.wording not in WORDINGS:
            raise ValueError(f"unknown wording {self.wording!r}; known: {', '.join(WORDINGS)}")
        unknown = sorted(set(self.omit_fields) - set(OMITTABLE))
        if unknown:
            raise ValueError(f"omit_fields {unknown} are not optional fields; may omit: "
                             f"{', '.join(OMITTABLE)}")  # fmt: skip
        if self.start.tzinfo is None:
            raise ValueError("start needs a UTC offset, e.g. 2026-11-28T00:00:00Z")
        return self

    @property
    def t0(self) -> float:
        return self.start.timestamp()

    @property
    def duration_s(self) -> float:
        return self.hours * 3600.0

    def only(self, types: Iterable[str]) -> Scenario:
        """The scenario with only the campaigns of ``types`` (its benign population whole): a
        campaign alone, with no other campaign sharing its templates or teaching its peers."""
        keep = set(types)
        unknown = keep.difference(CAMPAIGN_TYPES)
        if unknown:
            raise ValueError(f"unknown campaign type {sorted(unknown)}; known: {CAMPAIGN_TYPES}")
        campaigns = tuple(c for c in self.campaigns if c.type in keep)
        name = f"{self.name}[{'+'.join(sorted(keep))}]"
        return self.model_copy(update={"campaigns": campaigns, "name": name})

    def scaled(
        self, scale: float = 1.0, hours: float | None = None, seed: int | None = None
    ) -> Scenario:
        """The same scenario with budgets times ``scale`` and optionally another length/seed."""
        factor = scale * ((hours / self.hours) if hours else 1.0)

        def n(value: int, least: int = 1) -> int:
            return max(least, round(value * factor))

        def k(value: int, least: int = 1) -> int:
            return max(least, round(value * scale))

        b = self.benign
        heavy = b.heavy.model_copy(
            update={"accounts": k(b.heavy.accounts), "events": n(b.heavy.events, 200)}
        )
        benign = b.model_copy(
            update={
                "accounts": k(b.accounts, len(b.personas)),
                "events": n(b.events, 4 * len(b.personas)),
                "heavy": heavy,
                "nats": k(b.nats) if b.nats else 0,
                "enterprises": k(b.enterprises) if b.enterprises else 0,
            }
        )
        campaigns = []
        for c in self.campaigns:
            least = 5 if c.type == "hydra" else 1
            accounts = k(c.accounts, least)
            campaigns.append(
                c.model_copy(update={"accounts": accounts, "events": n(c.events, 3 * accounts)})
            )
        return self.model_copy(
            update={
                "benign": benign,
                "campaigns": tuple(campaigns),
                "hours": hours or self.hours,
                "seed": self.seed if seed is None else seed,
            }
        )


def scenario_names() -> list[str]:
    return sorted(p.parent.name for p in SCENARIOS_DIR.glob("*/spec.json"))


def scenario_path(name_or_path: str | Path) -> Path:
    """A spec file from a folder name under ``simulations/scenarios`` or a path."""
    path = Path(name_or_path)
    if path.is_dir():
        path = path / "spec.json"
    if path.is_file():
        return path
    candidate = SCENARIOS_DIR / str(name_or_path) / "spec.json"
    if candidate.is_file():
        return candidate
    raise FileNotFoundError(
        f"no scenario {str(name_or_path)!r}: give a spec path or one of {scenario_names()}"
    )


def load_scenario(name_or_path: str | Path) -> Scenario:
    return Scenario.model_validate_json(scenario_path(name_or_path).read_bytes())
