"""Heavy honest customers replayed from real traces.

Timing: each heavy account replays one real ServeGen client over a six-hour slice of its
14 days (a random day, same clock hours): the per-10-minute rate curve and the measured
inter-arrival CV are kept; the rate is thinned (never raised) to this provider's size.
Lengths: chat apps from Mooncake, coding products from the Azure code trace, support
and RAG from the Azure conversation trace, API batch workloads from the ServeGen length
distributions of real clients; text comes from the persona builders.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from . import arrivals, models, net, traces
from .emit import Request, Sink
from .personas import BY_NAME, GENERAL
from .population import new_account
from .rand import pick
from .shape import Profile
from .tasks import BUILDERS
from .text_people import chat_system
from .world import Account, Ids, cloud_pool, stream, user_id

Gen = np.random.Generator
# fmt: off
MIX = {"chat_app": 25, "coding_product": 30, "rag_support": 25, "batch_etl": 25, "agent": 20,
       "classification": 14, "translation": 10, "synthetic_data": 8, "eval_harness": 7,
       "content_writer": 6, "embeddings": 6, "aggregator": 3, "tutoring": 6}
LENGTHS = {"chat_app": "mooncake", "coding_product": "azure-code", "rag_support": "azure-conv",
           "agent": "sg-mid", "batch_etl": "sg-mid", "classification": "sg-short",
           "synthetic_data": "sg-long", "aggregator": "azure-conv"}
AGGREGATED = ("chat_app", "coding_assistant", "content_writer", "hobbyist", "agent", "tutoring",
              "rag_support", "translation", "synthetic_data", "classification")
# fmt: on


def _pick_slice(rng: Gen, span: float) -> tuple[str, np.ndarray, np.ndarray]:
    """A real client and a day whose slice has enough activity to be a heavy customer."""
    clients = traces.servegen_clients()
    need = max(2, int(span / 600 * 0.2))
    for _ in range(200):
        client = clients[int(rng.integers(len(clients)))]
        day = int(rng.integers(0, 14))
        offset = day * 86400.0 + 13 * 3600.0
        if offset + span > 14 * 86400.0:
            offset -= 86400.0
        rates, cvs = traces.servegen_slice(client, offset, span)
        if int((rates > 0).sum()) >= need:
            return client, rates, cvs
    return client, rates, cvs


def _times(rng: Gen, t0: float, t1: float, target: float) -> np.ndarray:
    span = t1 - t0
    if not traces.servegen_clients():
        return np.sort(rng.uniform(t0, t1, size=int(target)))
    _, rates, cvs = _pick_slice(rng, span)
    real = float(rates.sum() * 600.0)
    k = min(1.0, target / real) if real > 0 else 0.0
    parts = []
    for w, (rate, cv) in enumerate(zip(rates, cvs, strict=True)):
        lo = t0 + w * 600.0
        parts.append(arrivals.renewal(rng, lo, min(lo + 600.0, t1), rate * k, cv))
    return np.sort(np.concatenate(parts)) if parts else np.empty(0)


@cache
def _sg_pool(want: str) -> tuple[str, ...]:
    """ServeGen clients whose mean output is short (<15), mid (15-150) or long (>150)."""
    out = []
    for client in traces.servegen_clients():
        lens = traces.servegen_lengths(client)
        if lens is None:
            continue
        mean_out = float((lens[2] * lens[3]).sum())
        kind = "short" if mean_out < 15 else ("mid" if mean_out <= 150 else "long")
        if kind == want:
            out.append(client)
    return tuple(out)


class Lengths:
    """Samples (prompt tokens, completion tokens) from one real source."""

    def __init__(self, rng: Gen, source: str | None) -> None:
        self.rows: np.ndarray | None = None
        self.sg: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        if source in ("azure-code", "azure-conv"):
            self.rows = traces.azure(source.split("-")[1])
        elif source == "mooncake":
            moon = traces.mooncake()
            self.rows = None if moon is None else moon[:, :2]
        elif source and source.startswith("sg-"):
            pool = _sg_pool(source[3:])
            if pool:
                lens = traces.servegen_lengths(pool[int(rng.integers(len(pool)))])
                if lens is not None:  # keep cumulative probabilities for fast draws
                    self.sg = (lens[0], np.cumsum(lens[1]), lens[2], np.cumsum(lens[3]))

    def apply(self, rng: Gen, req: Request) -> None:
        if self.rows is not None:
            pin, pout = self.rows[int(rng.integers(len(self.rows)))]
        elif self.sg is not None:
            i, pi, o, po = self.sg
            pin = float(i[min(int(np.searchsorted(pi, rng.random())), len(i) - 1)])
            pout = float(o[min(int(np.searchsorted(po, rng.random())), len(o) - 1)])
        else:
            return
        req.prompt_tokens = max(int(pin), req.prompt_tokens // 4)
        hidden = req.reasoning_tokens or 0
        n = int(req.params.get("n", 1))
        cap = req.params.get("max_tokens")
        visible = int(pout)
        if cap is not None and visible + hidden > cap:
            visible, req.finish_reason = max(0, cap - hidden), "length"
        req.completion_tokens = (visible + hidden) * n
        req.latency = models.latency_ms(rng, req.model, req.prompt_tokens, req.completion_tokens, n)


def _account(ids: Ids, rng: Gen, persona: str) -> tuple[Account, Profile]:
    base = BY_NAME.get(
        persona, BY_NAME["coding_assistant" if persona == "coding_product" else "chat_app"]
    )
    acct = new_account(ids, rng, base, free=False)
    acct.persona, acct.heavy = persona, True
    acct.ips = cloud_pool(rng, acct.region, int(rng.integers(2, 9)))
    if rng.random() < 0.4:  # multi-region deployment
        acct.ips += cloud_pool(rng, "us_east" if acct.region != "us_east" else "eu", 3)
    acct.uas = net.ua_pool(rng, {"py": 4, "node": 3, "http": 3}, int(rng.integers(1, 4)))
    acct.keys = [ids.key() for _ in range(int(rng.integers(2, 9)))]
    # big customers grew over time: older than the persona's typical account
    acct.created = acct.created - 200 * 86400 if acct.created else None
    acct.zdr = rng.random() < 0.2
    if persona in ("chat_app", "coding_product", "rag_support", "aggregator", "tutoring"):
        acct.end_users = int(rng.lognormal(np.log(3000), 1.0)) + 50
    mix = GENERAL if persona == "aggregator" else base.models
    names = sorted(mix)
    prof = Profile(
        acct,
        persona,
        names,
        [mix[n] for n in names],
        0.0,
        variant=int(rng.integers(0, 12)),
        company=acct.account_id[-6:],
    )
    prof.stream = 0.8 if persona in ("chat_app", "coding_product", "aggregator") else 0.05
    prof.max_tokens = None if rng.random() < 0.5 else pick(rng, (256, 1024, 2048, 4096))
    prof.snapshot = 0.5
    prof.err429 = 0.01
    acct.systems = [chat_system(rng, "Orbit")]
    return acct, prof


def run(
    seed: int, scale: float, t0: float, t1: float, release: float, ids: Ids, sink: Sink
) -> list[Account]:
    rng = stream(seed, "heavy")
    factor = min(1.0, scale / 0.25) * (t1 - t0) / (6 * 3600.0)
    names = sorted(MIX)
    w = np.array([MIX[n] for n in names], dtype=float)
    count = max(1, round(w.sum() * scale))
    out = []
    for _ in range(count):
        persona = names[int(rng.choice(len(names), p=w / w.sum()))]
        acct, prof = _account(ids, rng, persona)
        r = stream(seed, "heavy", acct.account_id)
        prof.release = release
        if persona == "aggregator" or r.random() < 0.35:  # launch-day A/B or a new option
            prof.adopt = release + float(r.exponential(1800.0))
            prof.adopt_share = 0.9 if persona == "eval_harness" else float(r.uniform(0.05, 0.3))
        target = min(float(r.lognormal(np.log(360.0), 1.3)) * factor, 25_000.0)
        lengths = Lengths(r, LENGTHS.get(persona))
        for ts in _times(r, t0, t1, target):
            ctx: dict[str, Any] = {"steps": 8}
            if acct.end_users:
                ctx["user"] = user_id(acct, min(int(r.zipf(1.4)) - 1, acct.end_users - 1))
            if persona == "eval_harness" and prof.adopt is not None and ts >= prof.adopt:
                ctx["model"] = models.NEW_MODEL if r.random() < 0.7 else None
            name = persona
            if persona == "aggregator":
                name = AGGREGATED[int(r.integers(len(AGGREGATED)))]
            elif persona == "coding_product":
                name = "coding_assistant"
            req = BUILDERS[name](r, prof, int(r.integers(0, 6)), float(ts), ctx)
            lengths.apply(r, req)
            sink.emit(acct, float(ts), req)
        out.append(acct)
    return out
