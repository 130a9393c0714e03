"""Benign personas and the benign population: real clients' timing, honest linkage, heavy users.

Each benign account replays one real ServeGen client (a random 6-hour stretch of its 14
days) with its per-window rates and fitted inter-arrival shapes; rates are scaled by one
scenario factor so the benign budget is met, except for the heavy accounts, which replay
windows at their real rate (hundreds of requests a second) in a few bursts. Honest reasons
for linkage are built in: corporate NATs shared by unrelated customers, and enterprises whose
sub-accounts share one payment method and egress.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from simulations.accounts import AccountPlan, World
from simulations.arrivals import expected_events, renewal, trace_arrivals
from simulations.i18n import FOREIGN
from simulations.labels import Label
from simulations.network import Identity
from simulations.profiles import REASONING_MODELS, EventFactory, Profile, Style
from simulations.realdata import ClientTrace, TraceSummary, load_trace, summaries

_WORLD_LANGS = (("en", 12.0), ("es", 1.0), ("fr", 1.0), ("de", 1.0), ("pt", 1.0), ("ja", 0.6),
                ("zh", 0.8), ("ko", 0.4), ("ru", 0.6), ("ar", 0.4), ("it", 0.4), ("tr", 0.3),
                ("vi", 0.3))  # fmt: skip
_ALL = (("chat-small", 2.0), ("chat-large", 3.0), ("reasoner-1", 1.5))
Egress = tuple[tuple[str, int], ...]
# (enterprise id, NAT id, egress override, shared payment fingerprint)
Link = tuple[str | None, str | None, Egress | None, str | None]

PERSONAS: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("chat_app", "chat", "azure_conv|mooncake", models=_ALL,
                max_tokens=(0, 1024, 2048), temperature=(0.7, 1.0), stream=0.9, turns=4.0,
                user_ids=True, languages=_WORLD_LANGS, reasoning=350.0),
        Profile("coding_assistant", "coding", "azure_code", models=_ALL,
                max_tokens=(0, 4096, 8192), temperature=(0.0, 0.2, 0.5), stream=0.8,
                tools=(0, 0, 3, 8), turns=3.0, reasoning=900.0),
        Profile("rag_summarisation", "rag", "mooncake|sg_input_heavy",
                models=(("chat-small", 2.0), ("chat-large", 2.0)), max_tokens=(512, 1024),
                temperature=(0.0, 0.2), templates=1, embeddings=0.3),
        Profile("classification", "classification", "sg_tiny",
                models=(("chat-small", 4.0), ("chat-large", 1.0)), max_tokens=(1, 2, 5, 10),
                temperature=(0.0,), logprobs=0.4, top_logprobs=(1, 2, 5), logit_bias=(1, 6),
                logit_bias_p=0.35,
                templates=1),
        Profile("eval_harness", "eval", "sg_medium|azure_conv", out_scale=2.0, models=_ALL,
                max_tokens=(512, 1024, 2048, 4096), temperature=(0.0,), n=(1, 1, 1, 5),
                seed_p=0.5, templates=2, reasoning=900.0, err_429=0.01),
        Profile("tutoring", "tutoring", "azure_conv", out_scale=1.8,
                models=(("chat-large", 2.0), ("reasoner-1", 1.0)), temperature=(0.3, 0.7),
                stream=0.7, turns=3.0, user_ids=True, languages=_WORLD_LANGS, reasoning=700.0),
        Profile("translation", "translation", "sg_short|azure_conv",
                models=(("chat-small", 2.0), ("chat-large", 1.0)), max_tokens=(0, 1024),
                temperature=(0.0, 0.3), templates=6),
        Profile("synthetic_data", "synthetic", "sg_long_output", out_scale=1.5,
                models=(("chat-large", 2.0), ("reasoner-1", 1.0)), max_tokens=(2048, 4096),
                temperature=(0.9, 1.0, 1.2), n=(1, 2, 4), templates=2, reasoning=600.0),
        # A help desk's copilot: agents ask why something fails and how to walk a customer
        # through the fix, in the words harvesters use for reasoning.
        Profile("support_desk", "support", "azure_conv", out_scale=1.3,
                models=(("chat-large", 3.0), ("reasoner-1", 1.0)), max_tokens=(1024, 2048),
                temperature=(0.2, 0.5), stream=0.5, turns=2.5, reasoning=600.0),
    )
}  # fmt: skip
# Which real clients a persona's timing comes from: interactive apps are on most of the
# day ("steady"), batch jobs and harnesses run in bursts ("sparse").
_CLIENTS = {"chat_app": "steady", "coding_assistant": "steady", "tutoring": "steady",
            "eval_harness": "sparse", "synthetic_data": "sparse", "rag_summarisation": "any",
            "classification": "any", "translation": "any", "support_desk": "steady"}  # fmt: skip
_EGRESS = {"coding_assistant": "residential", "eval_harness": "cloud"}


def _pool(kind: str) -> list[TraceSummary]:
    pool = [s for s in summaries() if s.mean_active_rate <= 300.0]
    if kind == "steady":
        return [s for s in pool if s.active_share >= 0.5]
    if kind == "sparse":
        return [s for s in pool if s.active_share < 0.5]
    return pool


def _allocate(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Largest-remainder split of ``total`` with at least one per name (when it fits)."""
    names = sorted(weights)
    floor = 1 if total >= len(names) else 0
    rest = total - floor * len(names)
    mass = sum(weights.values()) or 1.0
    raw = {n: rest * weights[n] / mass for n in names}
    counts = {n: floor + int(raw[n]) for n in names}
    left = total - sum(counts.values())
    for n in sorted(names, key=lambda n: raw[n] - int(raw[n]), reverse=True)[:left]:
        counts[n] += 1
    return counts


def _factor(expected: list[float], budget: float, cap: float) -> float:
    """Scale so that sum(min(e * f, cap)) == budget (bisection on f)."""
    if not expected or sum(expected) <= 0:
        return 0.0
    lo, hi = 0.0, budget / min(e for e in expected if e > 0) + 1.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if sum(min(e * mid, cap) for e in expected) < budget:
            lo = mid
        else:
            hi = mid
    return hi


def _coverage(persona: str, rank: int) -> str | None:
    """Every other one of the first multilingual apps gets its own language, so that even a
    small scenario has tutoring and chat in many languages; the rest follow the weights."""
    if persona in ("tutoring", "chat_app") and rank % 2 == 1 and rank // 2 < len(FOREIGN):
        return FOREIGN[rank // 2]
    return None


def _adoption(world: World, persona: str, style: Style, seed: int) -> tuple[str, float, float]:
    """When a benign account starts using the new model: days for most, an hour for harnesses."""
    rng = world.rng("adopt", seed)
    release = world.scenario.release
    mean_h = 1.0 if persona == "eval_harness" and rng.random() < 0.6 else release.adoption_h
    at = world.release_ts + rng.expovariate(1.0 / mean_h) * 3600.0
    share = rng.uniform(0.2, 1.0) if style.model in REASONING_MODELS else 0.0
    return release.model, at, share


def _identity(world: World, payment: str | None, egress: Egress, heavy: bool) -> Identity:
    net = world.network
    account_id = net.account_id()
    keys = net.api_keys(account_id, net.rng.randint(3, 8) if heavy else net.rng.randint(1, 3))
    new_share = 0.0 if heavy else world.scenario.benign.new_share
    return Identity(
        account_id=account_id,
        payment_fingerprint=payment or net.payment(),
        account_created=net.benign_created(world.t0, new_share),
        api_keys=keys,
        addresses=egress,
        user_agents=net.agents(net.rng.randint(1, 2)),
    )


def _links(world: World, n_accounts: int) -> list[Link]:
    """Per account: (enterprise, nat, egress override, shared payment)."""
    b, net = world.scenario.benign, world.network
    rng = world.rng("links")
    slots = list(range(n_accounts))
    rng.shuffle(slots)
    out: list[Link] = [(None, None, None, None)] * n_accounts
    for e in range(b.enterprises):
        size = rng.randint(*b.subaccounts)
        payment, egress = net.payment(), net.addresses("business", rng.randint(1, 4))
        for _ in range(min(size, len(slots))):
            own = egress if rng.random() < 0.7 else None
            out[slots.pop()] = (f"ent-{e}", None, own, payment)
    for n in range(b.nats):
        nat = net.subnet("business")
        for _ in range(min(rng.randint(*b.nat_accounts), len(slots))):
            hosts = tuple((nat.address(net.rng), nat.asn) for _ in range(rng.randint(1, 3)))
            out[slots.pop()] = (None, f"nat-{n}", hosts, None)
    return out


def _plan(
    world: World,
    persona: str,
    link: Link,
    times: np.ndarray,
    offset_s: float,
    role: str,
    index: int,
    lang: str | None = None,
) -> AccountPlan:
    enterprise, nat, egress, payment = link
    net, heavy = world.network, role == "heavy"
    if egress is None:
        kind = "cloud" if heavy else _EGRESS.get(persona, "cloud")
        hosts = net.rng.randint(4, 12) if heavy else net.rng.randint(1, 6)
        if kind == "cloud":
            egress = net.cloud_egress(hosts, 0.0 if heavy else 0.15)
        else:
            egress = net.addresses(kind, hosts)
    ident = _identity(world, payment, egress, heavy)
    seed = world.seed_for(role, index)
    style = Style.choose(PERSONAS[persona], world.rng("style", seed), lang, world.wording)
    adopt = _adoption(world, persona, style, seed)
    factory = EventFactory(ident, style, seed, offset_s, adopt=adopt)
    label = Label(ident.account_id, "benign", persona=persona, heavy=heavy,
                  enterprise=enterprise, nat=nat)  # fmt: skip
    return AccountPlan(ident, label, [factory], times)


def build_benign(world: World) -> tuple[list[AccountPlan], float]:
    """The benign accounts of the scenario and the rate factor applied to real clients."""
    b = world.scenario.benign
    counts = _allocate(b.accounts, b.personas)
    personas = [name for name in sorted(counts) for _ in range(counts[name])]
    world.rng("personas").shuffle(personas)
    links = _links(world, len(personas))
    chosen: list[tuple[ClientTrace, int, float]] = []
    for i, persona in enumerate(personas):
        rng = world.rng("client", i)
        pool = _pool(_CLIENTS[persona])
        for _ in range(40):
            trace = load_trace(pool[int(rng.random() * len(pool))].name)
            offset = rng.randrange(trace.windows)
            expected = expected_events(trace, offset, world.windows)
            if expected > 0:
                break
        chosen.append((trace, offset, expected))
    cap = b.max_account_share * b.events
    factor = _factor([c[2] for c in chosen], b.events, cap)
    plans = []
    seen: Counter[str] = Counter()
    for i, (persona, (trace, offset, expected)) in enumerate(zip(personas, chosen, strict=True)):
        own = factor * min(1.0, cap / (expected * factor)) if expected > 0 else 0.0
        nrng = world.np_rng("times", i)
        times = trace_arrivals(nrng, trace, offset, world.windows, world.t0, own)
        times = times[times < world.t1]
        if times.size == 0:
            # An account exists in the scenario because it sent something.
            times = np.array([nrng.uniform(world.t0, world.t1)])
        lang = _coverage(persona, seen[persona])
        seen[persona] += 1
        plans.append(_plan(world, persona, links[i], times, offset * 600.0, "benign", i, lang))
    return plans + _heavy(world, factor), factor


def _heavy(world: World, factor: float) -> list[AccountPlan]:
    """Heavy customers: a few bursts at a real client's real peak rates, plus its background."""
    h = world.scenario.benign.heavy
    candidates = [s for s in summaries() if s.peak_rate >= h.min_rate]
    per_account = h.events / h.accounts
    plans = []
    for k in range(h.accounts):
        rng, nrng = world.rng("heavy", k), world.np_rng("heavy-times", k)
        trace = load_trace(candidates[int(rng.random() * len(candidates))].name)
        hot = np.flatnonzero(trace.rate >= h.min_rate)
        bursts, remaining = rng.randint(2, 5), per_account
        parts = []
        for b in range(bursts):
            w = int(hot[int(rng.random() * len(hot))])
            rate = float(trace.rate[w])
            span = min(600.0, remaining / (bursts - b) / rate)
            start = rng.uniform(world.t0, max(world.t0, world.t1 - span))
            burst, _ = renewal(nrng, rate, int(trace.fit[w]), float(trace.shape[w]), span)
            parts.append(burst + start)
            remaining -= burst.shape[0]
        offset = rng.randrange(trace.windows)
        background = expected_events(trace, offset, world.windows)
        bg_factor = min(factor, 0.1 * per_account / background) if background > 0 else 0.0
        parts.append(trace_arrivals(nrng, trace, offset, world.windows, world.t0, bg_factor))
        times = np.sort(np.concatenate(parts))
        times = times[times < world.t1]
        persona = h.personas[k % len(h.personas)]
        link: Link = (None, None, None, None)
        plans.append(_plan(world, persona, link, times, offset * 600.0, "heavy", k))
    return plans
