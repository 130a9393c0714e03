"""Turning an intent (text, expected answer length, model) into a finished request.

Shared by honest personas and campaigns: token counts, hidden reasoning, ``length``
stops, API errors, sampling parameters as SDKs send them, and the new-model gate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import models
from .emit import Request
from .rand import pick
from .world import Account

Gen = np.random.Generator


@dataclass
class Profile:
    """One account's habits, fixed for the window."""

    acct: Account
    persona: str
    models: list[str]
    weights: list[float]
    release: float  # when the new model goes live
    adopt: float | None = None  # when this account starts trying the new model
    adopt_share: float = 0.0
    early_access: bool = False
    variant: int = 0
    company: str = ""
    stream: float = 0.0
    temp: float | None = None  # the temperature the client always sends, if any
    max_tokens: int | None = None
    snapshot: float = 0.0  # share of requests naming a dated snapshot
    err429: float = 0.002
    extra: dict[str, Any] = field(default_factory=dict)


def tokens(text: str | None) -> int:
    """Rough tokenizer: 4 bytes of ASCII or about one non-Latin character per token."""
    if not text:
        return 0
    n = len(text)
    wide = len(text.encode()) - n
    return max(1, int((n - wide / 1.8) / 4 + wide / 1.8 * 0.9))


def choose_model(rng: Gen, prof: Profile, ts: float) -> str:
    if prof.adopt is not None and ts >= prof.adopt and rng.random() < prof.adopt_share:
        return models.NEW_MODEL
    if prof.early_access and rng.random() < prof.adopt_share:
        return models.NEW_MODEL
    u = rng.random() * sum(prof.weights)
    name = prof.models[-1]
    for candidate, w in zip(prof.models, prof.weights, strict=True):
        u -= w
        if u < 0:
            name = candidate
            break
    return models.pinned(rng, name, prof.snapshot) if prof.snapshot else name


def build(
    rng: Gen,
    prof: Profile,
    ts: float,
    *,
    text: str | None,
    system: str | None,
    out: float,
    sigma: float = 0.7,
    hard: float = 0.3,
    extra_in: int = 0,
    messages: int | None = None,
    model: str | None = None,
    endpoint: str = "/v1/chat/completions",
    params: dict[str, Any] | None = None,
    finish: str = "stop",
    user: str | None = None,
    session: str | None = None,
) -> Request:
    """A finished request; ``out`` is the median visible answer length in tokens."""
    name = model or choose_model(rng, prof, ts)
    p: dict[str, Any] = {}
    if prof.max_tokens is not None:
        p["max_tokens"] = prof.max_tokens
    if prof.temp is not None:
        p["temperature"] = prof.temp
    if prof.stream and rng.random() < prof.stream:
        p["stream"] = True
    if params:
        p.update(params)
    n = int(p.get("n", 1))
    prompt_tokens = tokens(text) + tokens(system) + extra_in + 3 * (messages or 1)
    visible = int(max(1.0, rng.lognormal(np.log(max(out, 1.0)), sigma)))
    reasoning = models.reasoning_tokens(rng, name, hard)
    cap = p.get("max_tokens")
    fin = finish
    if cap is not None and visible + reasoning > cap:
        visible, fin = max(0, cap - reasoning), "length"
        reasoning = min(reasoning, cap)
    completion = (visible + reasoning) * n
    status = _status(rng, prof, ts, name, bool(p.get("logprobs")))
    latency = models.latency_ms(rng, name, prompt_tokens, completion, n)
    return Request(
        model=name,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion,
        endpoint=endpoint,
        status=status,
        reasoning_tokens=reasoning * n if models.is_reasoning(name) else None,
        finish_reason=fin,
        messages=messages,
        params=p,
        system=system,
        prompt=text,
        user=user,
        session=session,
        latency=latency,
    )


def _status(rng: Gen, prof: Profile, ts: float, name: str, logprobs: bool = False) -> int:
    if name == models.NEW_MODEL and ts < prof.release and not prof.early_access:
        return 404  # model_not_found until launch
    if logprobs and models.is_reasoning(name):
        return 400  # this provider does not return logprobs from reasoning models
    r = rng.random()
    if r < prof.err429:
        return 429
    r -= prof.err429
    if r < 0.003:
        return pick(rng, (500, 502, 503, 529))
    if r < 0.0045:
        return 400  # context too long, bad schema, ...
    return 200


def embed(rng: Gen, prof: Profile, text: str, batch: int) -> Request:
    """An embeddings call over ``batch`` chunks; the gateway logs the first chunk's text."""
    name = prof.models[0]
    return Request(
        model=name,
        prompt_tokens=tokens(text) * batch,
        completion_tokens=0,
        endpoint="/v1/embeddings",
        status=_status(rng, prof, 0.0, name),
        finish_reason=None,
        prompt=text if rng.random() < 0.6 else None,
        latency=models.latency_ms(rng, name, tokens(text) * batch, 0),
    )
