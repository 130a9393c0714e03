"""Helpers shared by every traffic generator: model choice over the release, answer lengths,
the prompt-token count of a request and background errors."""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass
from random import Random

from .core import World, lognormal, tokens_of

NEW_MODEL = "kestrel-3"


@dataclass
class ModelPlan:
    """A customer's usual model, and whether (when, how much) it moves to the new release."""

    base: str
    adopt_at: float | None = None
    share: float = 0.0
    peeks: tuple[float, ...] = ()  # requests to the new model name before it exists (404)

    def pick(self, rng: Random, ts: float) -> str:
        if self.adopt_at is not None and ts >= self.adopt_at and rng.random() < self.share:
            return NEW_MODEL
        return self.base


def model_plan(
    rng: Random,
    world: World,
    base: str,
    adopt: float,
    delay_minutes: float = 90.0,
    share: tuple[float, float] = (0.2, 0.8),
    peek: float = 0.0,
) -> ModelPlan:
    if rng.random() >= adopt:
        return ModelPlan(base)
    delay = rng.lognormvariate(math.log(delay_minutes * 60.0), 0.8)
    peeks: tuple[float, ...] = ()
    if rng.random() < peek:
        first = world.release - rng.uniform(60.0, 3600.0)
        tries = (first + rng.uniform(0.0, 900.0) for _ in range(rng.randint(1, 3)))
        peeks = tuple(sorted(t for t in tries if world.start <= t < world.release))
    return ModelPlan(base, world.release + delay, rng.uniform(*share), peeks)


def answer(
    rng: Random,
    model: str,
    median: float,
    sigma: float,
    max_tokens: int | None,
    think: float = 700.0,
) -> tuple[int, int | None, str]:
    """(completion tokens incl. hidden reasoning, reasoning tokens or None, finish reason)."""
    visible = lognormal(rng, median, sigma)
    reasoning: int | None = None
    if model == "kestrel-think-1":
        reasoning = lognormal(rng, think * 1.8, 0.75, low=64)
    elif model == NEW_MODEL:
        reasoning = lognormal(rng, think, 0.9, low=16) if rng.random() < 0.75 else 0
    total = visible + (reasoning or 0)
    if max_tokens is not None and total >= max_tokens:
        if reasoning is not None:
            reasoning = min(reasoning, max_tokens)
        return max_tokens, reasoning, "length"
    return total, reasoning, "stop"


def prompt_tokens(system: str | None, prompt: str | None, extra: int = 0) -> int:
    """What the request costs in input: the logged texts plus history, tools and files."""
    return tokens_of(system) + tokens_of(prompt) + 7 + max(0, extra)


def background_status(rng: Random, model: str, ts: float, world: World) -> int:
    """Ordinary failures: a little 5xx, more around the launch when the new model is busy."""
    busy = model == NEW_MODEL and world.release <= ts < world.release + 2400.0
    roll = rng.random()
    if roll < (0.02 if busy else 0.002):
        return rng.choice([500, 502, 503, 529 if busy else 503])
    if roll < (0.035 if busy else 0.004):
        return 429
    if roll < 0.0055:
        return 400
    return 200


def user_pool(rng: Random, size: int, style: str) -> list[str]:
    """End-user ids as an app would pass them: hashes, numbers, emails-hashed or uuids."""
    if style == "num":
        return [str(rng.randint(10_000, 9_999_999)) for _ in range(size)]
    if style == "uuid":
        return [f"{rng.getrandbits(128):032x}" for _ in range(size)]
    return [f"u_{rng.getrandbits(48):012x}" for _ in range(size)]


def session_id(rng: Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def worker_pool(
    rng: Random,
    start: float,
    end: float,
    workers: int,
    jobs: int,
    send: Callable[[float], float],
    pause: float = 0.2,
) -> int:
    """A closed loop: ``workers`` clients each send the next job when the last one returns.
    ``send(ts)`` logs one request and returns how long it took in seconds."""
    free = [start + rng.uniform(0.0, 3.0) for _ in range(max(1, workers))]
    heapq.heapify(free)
    done = 0
    while free and done < jobs:
        ts = heapq.heappop(free)
        if ts >= end:
            continue
        took = send(ts)
        done += 1
        heapq.heappush(free, ts + took + rng.expovariate(1.0 / pause))
    return done
