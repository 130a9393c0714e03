"""Attack campaigns: who the harvesting accounts are, when they send, and what they ask.

Every campaign takes the same knobs from its spec (accounts, events, start/end as
fractions of the scenario, ``mix`` = share of normal-looking requests from the same
accounts, ``timing``) plus type-specific ``options`` documented on each builder.

Options every campaign takes (the cheap evasions of ``simulations/evasions.py``):
``answer_tokens`` ``[low, high]`` (every completion, reasoning included, in that range,
``max_tokens`` = high), ``seeded`` (temperature 0 and a seed on every request),
``aged_days`` ``[low, high]`` (accounts that old), ``own_payment`` (no payment method
shared between accounts), ``residential`` (every request through a residential proxy
pool), ``no_system`` (harvesting requests carry no system prompt), ``own_agents`` (an SDK
user agent drawn for each account, not one for the campaign), ``one_skeleton`` (the
harvesting script fills one fixed skeleton: every slot but the payload rendered once),
``padded_history`` (every harvesting request carries one made-up turn of history),
``logprobs_only`` (no ``logit_bias`` on any request: probes read their ``top_logprobs`` alone),
and for ``human`` timing ``working_hours`` (sessions 9:00-18:00 local time).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from functools import cached_property
from typing import Any

import numpy as np

from simulations.accounts import AccountPlan, World
from simulations.labels import Label
from simulations.network import Identity, ProxyPool
from simulations.personas import PERSONAS
from simulations.profiles import EventFactory, Profile, Style
from simulations.prompts import grammar
from simulations.schedules import Schedule, schedule
from simulations.spec import CampaignSpec

_REASONERS = (("reasoner-1", 3.0), ("chat-large", 1.0))
PROFILES = {
    p.name: p
    for p in (
        Profile("harvest", "harvest", "harvest", models=_REASONERS, max_tokens=(0, 4096, 8192),
                temperature=(0.0, 0.6, 1.0), templates=3, reasoning=1500.0, err_429=0.02),
        Profile("drip", "drip", "harvest", models=_REASONERS, temperature=(0.7,), stream=0.5,
                reasoning=1200.0),
        Profile("rubric", "rubric", "rubric", models=(("chat-large", 2.0), ("reasoner-1", 1.0)),
                max_tokens=(1024, 2048), temperature=(0.0,), templates=2, seed_p=0.3),
        Profile("probe", "probe", "probe", models=(("chat-large", 2.0), ("chat-small", 1.0)),
                max_tokens=(1,), temperature=(0.0,), logprobs=1.0, top_logprobs=(5, 10, 20),
                logit_bias=(50, 300), templates=2, err_429=0.03),
        Profile("multilingual", "multilingual", "harvest", models=_REASONERS,
                max_tokens=(0, 4096), temperature=(0.6,), templates=2, reasoning=1400.0),
        Profile("mimic", "mimic", "harvest", out_scale=0.7, models=_REASONERS,
                temperature=(0.7, 1.0), stream=0.9, user_ids=True, reasoning=1000.0),
    )
}  # fmt: skip


# The slots a script fills anew on every request (``one_skeleton``): the question (any slot
# named for a problem), the answer to grade, the word or review to probe.
_PAYLOADS = frozenset(
    {"candidate", "spec_id", "d", "word", "review", "aspect", "product", "verdict"}
)


def _is_payload(symbol: str) -> bool:
    return "problem" in symbol or symbol in _PAYLOADS


DEFAULT_LANGUAGES = ("zh", "ru", "es", "fr", "de", "ja", "ko", "pt", "ar", "vi")


class _Builder:
    """Shared plumbing: identities, factories, the normal-traffic mix, labels."""

    def __init__(self, world: World, spec: CampaignSpec) -> None:
        self.world, self.spec = world, spec
        self.rng = world.rng("campaign", spec.id)
        self.nrng = world.np_rng("campaign", spec.id)
        self.t0 = world.t0 + spec.start * world.duration
        self.t1 = world.t0 + spec.end * world.duration
        self.options = spec.options

    def num(self, key: str, default: float) -> float:
        return float(self.options.get(key, default))

    def count(self, key: str, default: int) -> int:
        return int(self.options.get(key, default))

    def words(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(str(v) for v in self.options.get(key, default))

    def created(self, low_days: float, high_days: float) -> float:
        """Account creation ``low..high`` days before the campaign starts (negative: after),
        unless the campaign bought aged accounts (``aged_days``)."""
        if "aged_days" in self.options:
            low_days, high_days = map(float, self.options["aged_days"])
        return round(self.t0 - self.rng.uniform(low_days, high_days) * 86_400.0, 3)

    def identity(
        self,
        created: float,
        payment: str | None = None,
        egress: tuple[tuple[str, int], ...] | None = None,
        proxy: ProxyPool | None = None,
        agents: tuple[str, ...] | None = None,
        keys: int = 1,
    ) -> Identity:
        net = self.world.network
        account_id = net.account_id()
        if self.options.get("own_payment"):
            payment = None
        if self.options.get("residential"):
            proxy = self.residential_pool
        if self.options.get("own_agents"):
            agents = net.agents(1)
        return Identity(
            account_id=account_id,
            payment_fingerprint=payment or net.payment(),
            account_created=min(created, self.t0 - 60.0),
            api_keys=net.api_keys(account_id, keys),
            addresses=egress or net.cloud_egress(self.rng.randint(1, 3), 0.3),
            user_agents=agents or net.agents(1),
            proxy=proxy,
        )

    @cached_property
    def skeleton_rng(self) -> random.Random:
        """Draws of ``one_skeleton`` of their own: the rest of the campaign draws as without."""
        return self.world.rng("one_skeleton", self.spec.id)

    @cached_property
    def residential_pool(self) -> ProxyPool:
        """A residential proxy service: one /24 per account at least, no hosting ASN."""
        return self.world.network.proxy_pool(max(16, self.spec.accounts), hosting_share=0.0)

    def style(self, profile: str, lang: str | None = None) -> Style:
        """A harvesting style of the campaign, with its evasions of length and decoding."""
        chosen = PROFILES[profile]
        if "answer_tokens" in self.options:
            low, high = (int(v) for v in self.options["answer_tokens"])
            chosen = replace(chosen, completion_range=(low, high), max_tokens=(high,))
        if self.options.get("seeded"):
            chosen = replace(chosen, temperature=(0.0,), seed_p=1.0)
        style = Style.choose(chosen, self.rng, lang, self.world.wording)
        if self.options.get("one_skeleton"):
            words = grammar(self.world.wording)
            fixed = words.freeze(style.templates[0], self.skeleton_rng, keep=_is_payload)
            style = replace(style, templates=(fixed,))
        if self.options.get("padded_history"):
            style = replace(style, padded=1)
        if self.options.get("logprobs_only"):  # after the draws: the same accounts, bias aside
            style = replace(style, logit_bias=0)
        return replace(style, system=None) if self.options.get("no_system") else style

    @cached_property
    def normal(self) -> Style:
        """The operator's one script for normal-looking traffic, shared by its accounts.

        It poses as generic use, not as a branded app: no app's system prompt."""
        persona = str(self.options.get("mix_persona", "chat_app"))
        lang = str(self.options.get("mix_language", "en"))
        style = Style.choose(PERSONAS[persona], self.rng, lang, self.world.wording)
        return replace(style, system=self.rng.choice((None, "You are a helpful assistant.")))

    def plan(
        self,
        i: int,
        ident: Identity,
        styles: list[Style],
        times: np.ndarray,
        sessions: np.ndarray | None = None,
    ) -> AccountPlan:
        """One account: ``styles`` are its harvesting styles; normal traffic is mixed in."""
        seed = self.world.seed_for("campaign", self.spec.id, i)
        factories = [EventFactory(ident, s, seed + k) for k, s in enumerate(styles)]
        n = times.shape[0]
        choice: np.ndarray = np.zeros(n, dtype=np.int64)
        if len(styles) > 1:
            choice = np.asarray(self.nrng.integers(0, len(styles), size=n))
        if self.spec.mix > 0:
            factories.append(EventFactory(ident, self.normal, seed + 99))
            choice = np.where(self.nrng.random(n) < self.spec.mix, len(styles), choice)
        label = Label(ident.account_id, "attack", campaign=self.spec.id,
                      campaign_type=self.spec.type)  # fmt: skip
        return AccountPlan(ident, label, factories, times, choice=choice, sessions=sessions)

    def schedule(self, default: str, **defaults: Any) -> Schedule:
        """The campaign's timing: ``spec.timing`` if given, else the type's own style."""
        options = {**defaults, **self.options}
        style = self.spec.timing or default
        return schedule(self.nrng, style, self.spec.events, self.spec.accounts, self.t0,
                        self.t1, options)  # fmt: skip


def bulk_cot(b: _Builder) -> list[AccountPlan]:
    """A few established-looking accounts pulling long reasoning answers at volume."""
    agents = ("python-requests/2.32.3", "OpenAI/Python 1.54.4", "python-httpx/0.27.2")
    plans = []
    for i, (times, sessions) in enumerate(b.schedule("constant")):
        ident = b.identity(b.created(5, 200), agents=(b.rng.choice(agents),), keys=2)
        plans.append(b.plan(i, ident, [b.style("harvest")], times, sessions))
    return plans


def hydra(b: _Builder) -> list[AccountPlan]:
    """Hundreds of new accounts behind one proxy pool, round-robin so each stays small.

    Options: ``proxy_subnets`` (default accounts/3), ``payment_group`` (accounts per shared
    payment fingerprint, default 12), ``created_days`` (max age, default 10).
    """
    a, net = b.spec.accounts, b.world.network
    pool = net.proxy_pool(b.count("proxy_subnets", max(8, a // 3)))
    group = b.count("payment_group", 12)
    max_age = b.num("created_days", 10.0)
    agents = net.agents(2)
    style = b.style("harvest")  # one operator, one script: shared templates and system prompt
    payments = [net.payment() for _ in range(-(-a // group))]
    plans = []
    for i, (times, sessions) in enumerate(b.schedule("round_robin")):
        ident = b.identity(b.created(-0.05, max_age), payments[i // group], proxy=pool,
                           agents=agents)  # fmt: skip
        plans.append(b.plan(i, ident, [style], times, sessions))
    return plans


def slow_drip(b: _Builder) -> list[AccountPlan]:
    """A few accounts with human sessions and think times, each under any rate threshold."""
    plans = []
    for i, (times, sessions) in enumerate(b.schedule("human", per_session=8.0, think_s=50.0)):
        net = b.world.network
        ident = b.identity(b.created(30, 900), egress=net.addresses("residential", 2))
        plans.append(b.plan(i, ident, [b.style("drip")], times, sessions))
    return plans


def rubric(b: _Builder) -> list[AccountPlan]:
    """Reward-model harvesting: grading, scoring and pairwise judgements with reasons.

    Options: ``shared_payment`` (one payment method for all accounts, default true).
    """
    payment = b.world.network.payment() if b.options.get("shared_payment", True) else None
    plans = []
    for i, (times, sessions) in enumerate(b.schedule("poisson")):
        ident = b.identity(b.created(10, 60), payment)
        plans.append(b.plan(i, ident, [b.style("rubric")], times, sessions))
    return plans


def logit_probe(b: _Builder) -> list[AccountPlan]:
    """logit_bias + logprobs on one-token completions (output-projection extraction)."""
    plans = []
    for i, (times, sessions) in enumerate(b.schedule("constant")):
        ident = b.identity(b.created(0.5, 3))
        plans.append(b.plan(i, ident, [b.style("probe")], times, sessions))
    return plans


def model_pivot(b: _Builder) -> list[AccountPlan]:
    """A reseller's accounts moving most traffic to the new model within hours of release.

    Options: ``pivot_lag_h`` (default 1.0), ``pivot_share`` (default 0.8), ``ramp_h``
    (hours from first use to full share, default 1.0).
    """
    lag = b.num("pivot_lag_h", 1.0) * 3600.0
    share = b.num("pivot_share", 0.8)
    ramp = max(1.0, b.num("ramp_h", 1.0) * 3600.0)
    net, release = b.world.network, b.world.scenario.release
    payments = [net.payment(), net.payment()]
    agents = ("litellm/1.55.2", "OpenAI/Python 1.57.0")
    switch = b.world.release_ts + lag
    plans = []
    for i, (times, sessions) in enumerate(b.schedule("poisson")):
        ident = b.identity(b.created(30, 120), payments[i % 2], agents=agents, keys=4)
        p_new = np.clip((times - switch) / ramp, 0.0, 1.0) * share
        moved = b.nrng.random(times.shape[0]) < p_new
        plan = b.plan(i, ident, [b.style("harvest")], times, sessions)
        plan.models = [release.model if m else None for m in moved.tolist()]
        plans.append(plan)
    return plans


def multilingual_cot(b: _Builder) -> list[AccountPlan]:
    """Reasoning-trace coercion in many languages, accounts firing in synchronised ticks.

    Options: ``languages`` (default ten), ``languages_per_account`` (default 3),
    ``payment_group`` (default 4), ``proxy_subnets`` (default 12).
    """
    langs = b.words("languages", DEFAULT_LANGUAGES)
    per = b.count("languages_per_account", 3)
    group = b.count("payment_group", 4)
    net, a = b.world.network, b.spec.accounts
    pool = net.proxy_pool(b.count("proxy_subnets", 12), hosting_share=0.6)
    payments = [net.payment() for _ in range(-(-a // group))]
    plans = []
    for i, (times, sessions) in enumerate(b.schedule("synchronised")):
        ident = b.identity(b.created(0.5, 20), payments[i // group], proxy=pool)
        mine = [langs[(i + k) % len(langs)] for k in range(min(per, len(langs)))]
        styles = [b.style("multilingual", lang) for lang in mine]
        plans.append(b.plan(i, ident, styles, times, sessions))
    return plans


def chat_mimicry(b: _Builder) -> list[AccountPlan]:
    """Harvesting dressed as chat-app sessions: multi-turn, user ids, streaming, think times."""
    plans = []
    timing = b.schedule("human", per_session=6.0, think_s=25.0, around_the_clock=True)
    for i, (times, sessions) in enumerate(timing):
        agents = ("OpenAI/NodeJS 4.73.1", "axios/1.7.9")
        ident = b.identity(b.created(20, 200), agents=agents, keys=2)
        plans.append(b.plan(i, ident, [b.style("mimic")], times, sessions))
    return plans


BUILDERS: dict[str, Callable[[_Builder], list[AccountPlan]]] = {
    "bulk_cot": bulk_cot, "hydra": hydra, "slow_drip": slow_drip, "rubric": rubric,
    "logit_probe": logit_probe, "model_pivot": model_pivot,
    "multilingual_cot": multilingual_cot, "chat_mimicry": chat_mimicry,
}  # fmt: skip


def build_campaign(world: World, spec: CampaignSpec) -> list[AccountPlan]:
    return BUILDERS[spec.type](_Builder(world, spec))
