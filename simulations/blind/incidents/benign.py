"""Honest customers: one request builder per persona, fixed per-account configuration."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from . import text as T
from . import text_work as W
from .core import NEW_MODEL, RELEASE_OFFSET, START, Account, Sink, hid


@dataclass
class Style:
    """What one customer's integration sends every time (real clients rarely vary this)."""

    model: str
    temperature: float | None
    max_tokens: int | None
    stream: bool
    system: str | None
    extra: dict[str, object] = field(default_factory=dict)
    adopt_at: float | None = None  # moves to the new model after this time, if set
    users: list[str] = field(default_factory=list)
    lang: str | None = None  # the app's main non-English market, if any


CODER_SYS = [
    "You are a coding agent working in the user's repository. Use the tools to read, search and "
    "edit files and to run commands. Make minimal, correct changes. " + "<repo map> " * 40,
    "You are an expert software engineer embedded in an IDE. Answer with code edits in unified "
    "diff format. Current file and open tabs follow.",
    "You are a helpful pair programmer. Think about edge cases. Prefer small functions.",
]


def ln(rng: random.Random, median: float, sigma: float, lo: int = 0, hi: int = 200000) -> int:
    return max(lo, min(hi, int(rng.lognormvariate(0, sigma) * median)))


ERR = {"eval_harness": 0.02, "batch_classify": 0.015, "synth_data": 0.02, "api_platform": 0.01}
Req = tuple[str, int, int, str, dict[str, object], int, str]  # model, pt, ct, prompt, extra...


def style_for(rng: random.Random, persona: str) -> Style:
    pick = rng.choice
    temp = pick([None, 0.0, 0.2, 0.7, 0.7, 1.0])
    s = Style(pick(["chat-large", "chat-small"]), temp, pick([None, 512, 1024, 4096]), False, None)
    if persona in ("chat_app", "tutoring", "new_app"):
        s.stream = rng.random() < 0.8
        s.system = pick(
            [
                "You are a helpful assistant.",
                "You are Sunny, a cheerful study buddy.",
                "You are a patient tutor. Explain step by step and check understanding.",
                f"You are the assistant in the {pick(W.COMPANIES)} app. Today is 2026-12-01.",
                None,
            ]
        )
        s.users = [hid(rng, "u_", 8) for _ in range(rng.randint(5, 400))]
        if rng.random() < 0.3:
            s.lang = pick(list(W.LOCAL))
        if persona == "tutoring":
            s.model = pick(["reason-mini", "chat-large", "reason-pro"])
    elif persona == "coding_agent":
        s.model, s.temperature = pick(["code-xl", "code-xl", "chat-large", "reason-pro"]), 0.0
        s.max_tokens, s.stream = pick([4096, 8192, 16384]), rng.random() < 0.7
        s.system = pick(CODER_SYS)
        s.extra = {"tools": rng.randint(4, 24)}
    elif persona == "eval_harness":
        s.model = pick(["reason-pro", "reason-mini", "chat-large"])
        s.temperature, s.max_tokens = pick([0.0, 0.6, 1.0]), pick([4096, 8192, 32768])
        s.extra = {"seed": pick([0, 42, 1234])} if rng.random() < 0.6 else {}
        if rng.random() < 0.25:
            s.extra["n"] = pick([4, 8, 16])
        s.system = pick([None, None, "Answer the question. Put the final answer in \\boxed{}."])
    elif persona == "synth_data":
        s.model, s.temperature = pick(["chat-large", "reason-pro"]), pick([0.9, 1.0, 1.2])
        s.max_tokens = pick([4096, 8192])
        if rng.random() < 0.3:
            s.extra = {"n": pick([2, 4])}
    elif persona == "llm_judge":
        s.model, s.temperature, s.max_tokens = pick(["chat-large", "reason-mini"]), 0.0, 512
        s.system = pick(["You are a strict but fair evaluator.", None, "You grade answers."])
    elif persona == "support_bot":
        s.system = pick(W.SUPPORT_SYS).format(co=pick(W.COMPANIES))
        s.users = [hid(rng, "cust-", 6) for _ in range(rng.randint(20, 2000))]
        s.stream = rng.random() < 0.5
    elif persona == "batch_classify":
        s.model, s.temperature, s.max_tokens = (
            pick(["chat-small", "chat-small", "chat-large"]),
            0.0,
            pick([1, 1, 3, 5, 16]),
        )
        if rng.random() < 0.5:
            s.extra = {"logprobs": True, "top_logprobs": pick([2, 5, 10])}
        if rng.random() < 0.3:
            s.extra["logit_bias"] = rng.randint(2, 12)
    elif persona == "researcher":
        s.model = pick(["reason-pro", "chat-large", "chat-small"])
        s.extra = {"logprobs": True, "top_logprobs": pick([5, 10, 20])}
        s.max_tokens = pick([1, 1, 16, 512])
        if rng.random() < 0.25:
            s.extra["logit_bias"] = rng.randint(1, 50)
    elif persona == "translation":
        s.temperature = pick([0.0, 0.3])
        s.system = pick(["You are a professional translator. Output only the translation.", None])
    if persona in ("chat_app", "eval_harness", "researcher", "new_app", "tutoring", "hobbyist"):
        chance = {"eval_harness": 0.35, "researcher": 0.4, "hobbyist": 0.1}.get(persona, 0.15)
        if rng.random() < chance:
            s.adopt_at = START + RELEASE_OFFSET + rng.expovariate(1 / 3600)
    return s


def build(rng: random.Random, persona: str, s: Style, turn: int) -> Req:
    """One request of ``persona``: model, prompt/completion tokens, text, params, depth."""
    pt: int
    ct: int
    extra: dict[str, object] = {}
    ep = "/v1/chat/completions"
    msgs = 1 + 2 * turn
    if persona == "coding_agent":
        prompt, pt, ct = T.code(rng), ln(rng, 7000, 0.8, 400, 190000), ln(rng, 160, 1.2, 1)
        msgs = 3 + 2 * turn + rng.randint(0, 6)
    elif persona == "eval_harness":
        prompt = f"{T.problem(rng)}\nLet's think step by step, then give the final answer."
        pt, ct = ln(rng, 260, 0.5, 40), ln(rng, 1100, 0.9, 20)
        msgs = 1 if not s.system else 2
    elif persona == "synth_data":
        prompt, pt, ct = W.synth(rng), ln(rng, 350, 0.6, 50), ln(rng, 1800, 0.6, 100)
    elif persona == "llm_judge":
        prompt, pt, ct = W.judge(rng), ln(rng, 1500, 0.7, 100), ln(rng, 140, 0.8, 1)
    elif persona == "support_bot":
        prompt, pt, ct = W.support_q(rng), ln(rng, 2200, 0.5, 300), ln(rng, 170, 0.6, 10)
    elif persona == "batch_classify":
        prompt, pt, ct = W.classify(rng), ln(rng, 180, 0.6, 20), rng.randint(1, 3)
        msgs = 1
        if s.extra.get("embed"):
            ep, ct = "/v1/embeddings", 0
    elif persona == "translation":
        prompt = W.translate(rng)
        pt = ln(rng, 400, 0.9, 20)
        ct = int(pt * rng.uniform(0.8, 1.4))
    elif persona == "tutoring":
        prompt, pt, ct = W.tutor(rng), ln(rng, 350, 0.6, 30) + 200 * turn, ln(rng, 600, 0.6, 40)
    elif persona == "researcher":
        prompt, pt, ct = W.research(rng), ln(rng, 200, 0.7, 5), ln(rng, 30, 1.5, 1)
    elif persona == "hobbyist":
        prompt, pt, ct = W.hobby(rng), ln(rng, 60, 1.0, 3), ln(rng, 300, 1.0, 1)
    elif persona == "hackathon":
        prompt = rng.choice(
            [
                f"Build a {rng.choice(T.ITEMS)} tracker web app with login. Explain each step.",
                T.code(rng),
                T.chat(rng),
                T.problem(rng),
            ]
        )
        pt, ct = ln(rng, 500, 1.0, 5), ln(rng, 700, 0.8, 5)
    else:  # chat_app, new_app, api_platform
        prompt, pt, ct = T.chat(rng), ln(rng, 250, 0.8, 5) + 150 * turn, ln(rng, 280, 0.8, 3)
    if s.lang and persona in ("chat_app", "tutoring", "new_app") and rng.random() < 0.8:
        prompt = W.local(rng, s.lang)
    model = s.model
    if s.adopt_at is not None and rng.random() < 0.85:
        model = "__adopt__"
    if model.startswith("reason") or model == "__adopt__":
        ct = int(ct * rng.uniform(1.3, 2.5))
    extra.update(s.extra)
    return model, pt, ct, prompt, extra, msgs, ep


def params_of(s: Style, extra: dict[str, object]) -> dict[str, object]:
    p: dict[str, object] = {}
    if s.max_tokens is not None:
        p["max_tokens"] = s.max_tokens
    if s.temperature is not None:
        p["temperature"] = s.temperature
    if s.stream:
        p["stream"] = True
    for k, v in extra.items():
        if k != "embed":
            p[k] = v
    return p


def emit_req(
    sink: Sink,
    rng: random.Random,
    acct: Account,
    s: Style,
    persona: str,
    ts: float,
    turn: int = 0,
    session: str | None = None,
    user: str | None = None,
    tokens: tuple[int, int] | None = None,
    system: str | None = None,
) -> None:
    model, pt, ct, prompt, extra, msgs, ep = build(rng, persona, s, turn)
    if model == "__adopt__":
        model = NEW_MODEL if s.adopt_at is not None and ts >= s.adopt_at else s.model
    if tokens is not None:
        pt, ct = tokens
    n = extra.get("n")
    if isinstance(n, int) and n > 1:
        ct *= n  # completion tokens count all choices
    p = params_of(s, extra) if ep != "/v1/embeddings" else {}
    if ep == "/v1/embeddings":
        model = "embed-3"
    sink.emit(
        acct,
        ts,
        model,
        pt,
        ct,
        prompt=prompt,
        system=system or s.system,
        params=p or None,
        messages=msgs if ep != "/v1/embeddings" else None,
        endpoint=ep,
        user=user,
        session=session,
        err=ERR.get(persona, 0.004),
    )
