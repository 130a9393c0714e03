"""The honest customer base: who they are, how many, and their habits.

Counts are accounts at scale 1 that send at least one request in six hours, before
enterprises, agencies and heavy customers, which are added by ``benign`` and ``heavy``.
Volumes are median requests per account in six hours; spreads are lognormal sigmas, so
every persona has its own long tail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Persona:
    name: str
    count: int
    volume: float
    spread: float
    pattern: str  # sessions | app | jobs | tasks | embed
    curve: str
    age_days: float
    free: float  # share of accounts without a card (free credits)
    net: str  # home | cloud | mixed | office
    uas: Mapping[str, float]
    models: Mapping[str, float]
    early: float = 0.05  # chance to adopt the new model after launch
    zdr: float = 0.0
    users: int = 0  # median number of end users the app forwards (0 = none)
    regions: Mapping[str, float] = field(default_factory=dict)


# fmt: off
WORLD = {"us_east": 24, "us_west": 12, "eu": 18, "uk": 6, "india": 8, "china": 4, "japan": 4,
         "korea": 3, "brazil": 4, "sea": 5, "aus": 2, "mena": 2, "russia": 1}
WEST = {"us_east": 35, "us_west": 20, "eu": 25, "uk": 10, "aus": 3, "brazil": 3, "india": 4}
SCHOOLS = {"us_east": 3, "us_west": 2, "india": 3, "uk": 1, "eu": 1, "sea": 2, "china": 1,
           "brazil": 1, "korea": 1, "japan": 1, "mena": 1}
CHEAP = {"aster-2-mini": 5, "aster-2": 3, "aster-1.5": 0.5}
GENERAL = {"aster-2-mini": 3, "aster-2": 4, "aster-2-pro": 1, "aster-r1-mini": 0.5, "aster-r1": 0.4}
SMART = {"aster-2": 2, "aster-2-pro": 3, "aster-r1": 2, "aster-r1-mini": 1}
CODE = {"aster-coder-2": 4, "aster-2-pro": 2, "aster-2": 1, "aster-r1": 1}

PERSONAS: tuple[Persona, ...] = (
    Persona("tire_kicker", 590, 3, 0.8, "sessions", "dev", 3, 0.7, "home",
            {"browser": 5, "curl": 2, "py": 3}, GENERAL, 0.25, regions=WORLD),
    Persona("hobbyist", 485, 9, 1.0, "sessions", "dev", 120, 0.35, "mixed",
            {"py": 5, "node": 2, "http": 2, "curl": 1}, GENERAL, 0.2, regions=WORLD),
    Persona("indie_app", 320, 32, 1.2, "app", "consumer", 200, 0.1, "cloud",
            {"node": 4, "py": 3, "http": 3, "mobile": 1}, CHEAP, 0.08, users=40, regions=WORLD),
    Persona("coding_assistant", 390, 42, 0.9, "sessions", "dev", 260, 0.05, "home",
            {"ide": 8, "py": 1}, CODE, 0.2, regions=WORLD),
    Persona("rag_support", 190, 36, 1.1, "app", "work", 300, 0.02, "cloud",
            {"py": 5, "node": 3, "http": 2, "automation": 1}, CHEAP, 0.02, 0.1, 60, WEST),
    Persona("agent", 165, 50, 1.1, "tasks", "work", 220, 0.05, "cloud",
            {"py": 5, "automation": 4, "node": 2}, {"aster-2": 4, "aster-2-mini": 3,
            "aster-2-pro": 2, "aster-r1-mini": 1}, 0.12, regions=WEST),
    Persona("batch_etl", 105, 100, 1.0, "jobs", "flat", 320, 0.0, "cloud",
            {"py": 5, "http": 4}, {"aster-2-mini": 6, "aster-2": 3}, 0.02, 0.15, regions=WORLD),
    Persona("classification", 125, 55, 1.2, "app", "work", 300, 0.02, "cloud",
            {"py": 5, "http": 3, "node": 1}, {"aster-2-mini": 8, "aster-2": 2}, 0.01, 0.1,
            regions=WORLD),
    Persona("translation", 80, 40, 1.0, "jobs", "work", 280, 0.05, "cloud",
            {"py": 4, "http": 3, "node": 2}, {"aster-2": 5, "aster-2-mini": 3, "aster-2-pro": 1},
            0.03, regions=WORLD),
    Persona("content_writer", 115, 15, 1.0, "sessions", "work", 150, 0.2, "mixed",
            {"browser": 3, "py": 3, "automation": 3, "node": 1},
            {"aster-2": 5, "aster-2-pro": 3, "aster-2-mini": 2}, 0.05, regions=WEST),
    Persona("embeddings", 135, 40, 1.2, "embed", "flat", 260, 0.05, "cloud",
            {"py": 6, "http": 2, "automation": 2}, {"aster-embed-3": 3, "aster-embed-3-small": 2},
            0.0, regions=WORLD),
    Persona("tutoring", 55, 45, 1.0, "sessions", "school", 240, 0.05, "cloud",
            {"node": 4, "py": 3, "mobile": 2},
            {"aster-2": 4, "aster-2-mini": 3, "aster-r1-mini": 1},
            0.05, users=120, regions=SCHOOLS),
    Persona("eval_harness", 45, 120, 1.0, "jobs", "work", 380, 0.0, "cloud",
            {"py": 7, "http": 2}, SMART, 0.6, regions=WEST),
    Persona("synthetic_data", 35, 80, 1.0, "jobs", "flat", 300, 0.0, "cloud",
            {"py": 7, "http": 2}, {"aster-2": 3, "aster-2-pro": 3, "aster-2-mini": 2}, 0.2,
            regions=WORLD),
    Persona("researcher", 60, 50, 1.3, "jobs", "dev", 400, 0.1, "office",
            {"py": 8, "http": 1}, {"aster-2": 3, "aster-2-mini": 2, "aster-2-pro": 2,
            "aster-r1": 1}, 0.35, regions=WORLD),
    Persona("chat_app", 45, 110, 1.3, "sessions", "consumer", 250, 0.0, "cloud",
            {"node": 4, "py": 2, "mobile": 3, "http": 2}, CHEAP, 0.06, users=300,
            regions=WORLD),
)
# fmt: on

# Sub-accounts of enterprises and agencies take one of these work personas.
# fmt: off
ENTERPRISE_MIX = {"coding_assistant": 3, "rag_support": 3, "agent": 2, "batch_etl": 2,
                  "classification": 2, "copilot": 4, "translation": 1, "embeddings": 1}
AGENCY_MIX = {"indie_app": 3, "content_writer": 2, "rag_support": 2, "chat_app": 1}
COPILOT = Persona("copilot", 0, 30, 1.0, "sessions", "work", 400, 0.0, "office",
                  {"browser": 3, "py": 2, "node": 2}, GENERAL, 0.08, 0.3, 25, WEST)
WORKSHOP = Persona("workshop_student", 35, 10, 0.6, "sessions", "flat", 0.1, 1.0, "office",
                   {"py": 6, "browser": 3, "curl": 1}, {"aster-2-mini": 1}, 0.0,
                   regions={"us_east": 1})
# fmt: on

BY_NAME = {p.name: p for p in (*PERSONAS, COPILOT, WORKSHOP)}
