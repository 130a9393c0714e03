"""Request profiles and the per-account factory that turns a timestamp into a contract event.

A :class:`Profile` describes a kind of traffic (a benign persona, or what a campaign sends).
An account fixes most choices once, as a real application hard-codes them (its model, its
``max_tokens``, its system prompt, the few templates it uses), and :class:`EventFactory`
then varies only what varies per request: text, tokens, session, status and latency.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

import numpy as np
import xxhash

from simulations.network import Identity
from simulations.prompts import grammar, kind
from simulations.tokens import TokenModel, sampler_for
from simulations.wording import DEFAULT, family

REASONING_MODELS = frozenset({"reasoner-1", "reasoner-2"})
# Milliseconds per output token and time to first token, by model.
_SPEED = {"chat-small": (6.0, 180.0), "chat-large": (18.0, 420.0), "reasoner-1": (14.0, 900.0),
          "reasoner-2": (12.0, 800.0), "embed-1": (0.0, 40.0)}  # fmt: skip
SESSION_IDLE_S = 1800.0


@dataclass(frozen=True)
class Profile:
    name: str
    prompt: str
    tokens: str
    out_scale: float = 1.0
    models: tuple[tuple[str, float], ...] = (("chat-large", 1.0),)
    max_tokens: tuple[int, ...] = (0,)
    temperature: tuple[float, ...] = (0.7,)
    top_p: float = 0.0
    n: tuple[int, ...] = (1,)
    logprobs: float = 0.0
    top_logprobs: tuple[int, ...] = (0,)
    logit_bias: tuple[int, int] = (0, 0)
    logit_bias_p: float = 1.0
    stream: float = 0.0
    tools: tuple[int, ...] = (0,)
    seed_p: float = 0.0
    turns: float = 1.0
    templates: int = 0
    user_ids: bool = False
    embeddings: float = 0.0
    err_429: float = 0.002
    err_500: float = 0.002
    reasoning: float = 500.0
    languages: tuple[tuple[str, float], ...] = (("en", 1.0),)
    # (median, sigma) of the visible answer, replacing a parametric source's own.
    answer: tuple[float, float] | None = None
    # Every completion (reasoning included) drawn in [low, high]: answers kept short.
    completion_range: tuple[int, int] | None = None


def _hex(text: str) -> str:
    return xxhash.xxh64_hexdigest(text.encode())


class _Conversation:
    __slots__ = ("last", "sid", "turn", "user")

    def __init__(self, sid: str, last: float, user: str | None) -> None:
        self.sid, self.last, self.user, self.turn = sid, last, user, 0


def weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


@dataclass
class Style:
    """The choices an account makes once and keeps."""

    profile: Profile
    prompt_kind: str
    templates: tuple[str, ...]
    follow_ups: tuple[str, ...]
    system: str | None
    model: str
    max_tokens: int
    temperature: float
    stream: bool
    tools: int
    logprobs: bool
    logit_bias: int
    wording: str = DEFAULT
    # Made-up turns of history every request carries (the matrix's ``padded``): a script
    # that poses as a conversation without holding one.
    padded: int = 0

    @classmethod
    def choose(
        cls, profile: Profile, rng: random.Random, lang: str | None = None, wording: str = DEFAULT
    ) -> Style:
        """Fix an account's choices; ``lang`` overrides the profile's language mix,
        ``wording`` names the family its requests are phrased in."""
        lang = lang or weighted(rng, profile.languages)
        name = profile.prompt if lang == "en" else f"{profile.prompt}_{lang}"
        pk = kind(name, wording)
        templates = pk.templates
        if 0 < profile.templates < len(templates):
            templates = tuple(rng.sample(templates, profile.templates))
        system = grammar(wording).render(rng.choice(pk.systems), rng) or None
        lengths = family(wording).answer_tokens if wording != DEFAULT else {}
        if profile.tokens in lengths:
            profile = replace(profile, answer=lengths[profile.tokens])
        return cls(
            profile=profile,
            prompt_kind=name,
            templates=templates,
            follow_ups=pk.follow_ups,
            system=system,
            model=weighted(rng, profile.models),
            max_tokens=rng.choice(profile.max_tokens),
            temperature=rng.choice(profile.temperature),
            stream=rng.random() < profile.stream,
            tools=rng.choice(profile.tools),
            logprobs=rng.random() < profile.logprobs,
            logit_bias=rng.randint(*profile.logit_bias)
            if profile.logit_bias[1] and rng.random() < profile.logit_bias_p
            else 0,
            wording=wording,
        )


class EventFactory:
    """Builds one account's events in time order; all randomness comes from its own seeds."""

    def __init__(
        self,
        identity: Identity,
        style: Style,
        seed: int,
        offset_s: float = 0.0,
        adopt: tuple[str, float, float] | None = None,
    ) -> None:
        self.identity = identity
        self.style = style
        self.rng = random.Random(seed)
        self.seed = seed
        self.grammar = grammar(style.wording)
        p = style.profile
        source = self.rng.choice(p.tokens.split("|"))
        self.tokens = TokenModel(
            sampler_for(source, self.rng.random(), offset_s, p.answer),
            np.random.default_rng(seed),
            out_scale=p.out_scale,
        )
        # (new model, time this account starts using it, share of its reasoning traffic)
        self.adopt = adopt
        self.seq = 0
        self._sessions: list[_Conversation] = []
        self._forced: dict[int, _Conversation] = {}

    def _session(self, ts: float, forced: int | None) -> tuple[str | None, int, str | None]:
        """``(session_id, turn, user_id)``: continue a recent conversation or start one."""
        p = self.style.profile
        if forced is not None:
            # Human timing already grouped the requests into sessions.
            conv = self._forced.get(forced)
            if conv is None:
                user = self._user() if p.user_ids else None
                conv = self._forced[forced] = _Conversation(self._sid(), ts, user)
            conv.last, conv.turn = ts, conv.turn + 1
            return conv.sid, conv.turn, conv.user
        if p.turns <= 1.0:
            return None, 1, self._user() if p.user_ids else None
        self._sessions = [c for c in self._sessions[-64:] if ts - c.last < SESSION_IDLE_S]
        if self._sessions and self.rng.random() > 1.0 / p.turns:
            conv = self._sessions[-1 - int(self.rng.random() * min(len(self._sessions), 8))]
        else:
            conv = _Conversation(self._sid(), ts, self._user() if p.user_ids else None)
            self._sessions.append(conv)
        conv.last, conv.turn = ts, conv.turn + 1
        return conv.sid, conv.turn, conv.user

    def _sid(self) -> str:
        return "sess_" + _hex(f"{self.seed}:s:{self.rng.random()}")[:14]

    def _user(self) -> str:
        # An app's end users: a few heavy users, a long tail of occasional ones.
        k = int(self.rng.paretovariate(1.2))
        return "u_" + _hex(f"{self.identity.account_id}:{k}")[:10]

    def _model(self, ts: float) -> str:
        model = self.style.model
        adopt = self.adopt
        if adopt and ts >= adopt[1] and model in REASONING_MODELS and self.rng.random() < adopt[2]:
            return adopt[0]
        return model

    def make(
        self,
        ts: float,
        session: int | None = None,
        model: str | None = None,
        text: str | None = None,
    ) -> dict[str, object]:
        rng, st, p = self.rng, self.style, self.style.profile
        self.seq += 1
        ident = self.identity
        ip, asn = ident.egress(rng)
        event: dict[str, object] = {
            "event_id": "req_" + _hex(f"{ident.account_id}:{self.seq}:{self.seed}"),
            "ts": round(ts, 3),
            "account_id": ident.account_id,
            "api_key_id": ident.api_keys[int(rng.random() * len(ident.api_keys))],
        }
        if p.embeddings and rng.random() < p.embeddings:
            return self._embedding(event, ip, asn)
        sid, turn, user = self._session(ts, session)
        if user is not None:
            event["user_id"] = user
        if sid is not None:
            event["session_id"] = sid
        model = model or self._model(ts)
        prompt_tokens, visible = self.tokens.next()
        if turn + st.padded > 1:
            # Chat clients resend the history: later turns carry earlier turns as input.
            prompt_tokens += int((turn + st.padded - 1) * (visible * 0.8 + 60))
        n = rng.choice(p.n)
        completion = visible * n
        reasoning = None
        if p.completion_range is not None:
            completion, reasoning = self._capped(model, n, p.completion_range)
        elif model in REASONING_MODELS:
            reasoning = int(rng.lognormvariate(math.log(p.reasoning), 0.8)) * n
            completion += reasoning
        status = 200
        finish: str | None = "stop"
        roll = rng.random()
        if roll < p.err_429:
            status = 429
        elif roll < p.err_429 + p.err_500:
            status = rng.choice((500, 503))
        elif st.max_tokens and completion >= st.max_tokens * n:
            completion, finish = st.max_tokens * n, "length"
            if reasoning is not None:
                reasoning = min(reasoning, completion)
        elif st.tools and rng.random() < 0.3:
            finish = "tool_calls"
        per_token, ttft = _SPEED.get(model, (15.0, 400.0))
        if status != 200:
            completion, reasoning, finish = 0, None, None
            latency = rng.uniform(15.0, 250.0)
        else:
            latency = ttft * rng.lognormvariate(0.0, 0.35) + completion / n * per_token
            latency += prompt_tokens * 0.02
        event.update(
            client_ip=ip, asn=asn,
            user_agent=ident.user_agents[int(rng.random() * len(ident.user_agents))],
            payment_fingerprint=ident.payment_fingerprint,
            account_created=ident.account_created, model=model, status=status,
            prompt_tokens=int(prompt_tokens), completion_tokens=int(completion),
        )  # fmt: skip
        if reasoning is not None:
            event["reasoning_tokens"] = int(reasoning)
        event["latency_ms"] = round(latency, 1)
        if finish is not None:
            event["finish_reason"] = finish
        event["messages"] = (1 if st.system else 0) + 2 * (turn + st.padded) - 1
        event["params"] = self._params(n)
        if text is None:
            templates = st.follow_ups if turn > 1 and st.follow_ups else st.templates
            text = self.grammar.render(templates[int(rng.random() * len(templates))], rng)
        event["prompt"] = text
        if st.system is not None:
            event["system_prompt"] = st.system
        return event

    def _capped(self, model: str, n: int, bounds: tuple[int, int]) -> tuple[int, int | None]:
        """An answer kept inside ``bounds``, reasoning tokens included."""
        total = self.rng.randint(*bounds)
        if model not in REASONING_MODELS:
            return total * n, None
        return total * n, int(total * self.rng.uniform(0.3, 0.7)) * n

    def _params(self, n: int) -> dict[str, object]:
        st, p, rng = self.style, self.style.profile, self.rng
        params: dict[str, object] = {}
        if st.max_tokens:
            params["max_tokens"] = st.max_tokens
        params["temperature"] = st.temperature
        if p.top_p:
            params["top_p"] = p.top_p
        if n > 1:
            params["n"] = n
        if p.seed_p and rng.random() < p.seed_p:
            params["seed"] = rng.randint(0, 2**31 - 1)
        if st.logprobs:
            params["logprobs"] = True
            params["top_logprobs"] = rng.choice(p.top_logprobs)
        if st.logit_bias:
            params["logit_bias"] = st.logit_bias
        if st.stream:
            params["stream"] = True
        if st.tools:
            params["tools"] = st.tools
        return params

    def _embedding(self, event: dict[str, object], ip: str, asn: int) -> dict[str, object]:
        prompt_tokens, _ = self.tokens.next()
        ident = self.identity
        event.update(
            client_ip=ip, asn=asn, user_agent=ident.user_agents[0],
            payment_fingerprint=ident.payment_fingerprint,
            account_created=ident.account_created, endpoint="/v1/embeddings", model="embed-1",
            status=200, prompt_tokens=int(min(prompt_tokens, 8191)), completion_tokens=0,
            latency_ms=round(40.0 + prompt_tokens * 0.01 + self.rng.random() * 30.0, 1),
            prompt=self.grammar.expand("doc", self.rng),
        )  # fmt: skip
        return event
