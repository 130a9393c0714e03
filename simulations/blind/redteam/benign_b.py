"""Honest personas, continued: batch jobs, logprob researchers, developers; the registry."""

from __future__ import annotations

from collections.abc import Callable

from . import text_benign as tb
from .arrivals import human_sessions, lognorm_int, renewal, toks
from .benign import (
    _model,
    chat_app,
    coding_agent,
    eval_harness,
    grader,
    support_bot,
    synth_data,
    translation,
    tutoring,
)
from .common import MINI, PRO, Account, emit
from .text_ml import ML, everyday, ml_reasoning
from .world import World


def batch_classify(w: World, a: Account, n: int, tz: float = 0) -> None:
    """Label jobs; some use logprobs (confidence) and logit_bias (restrict to label tokens)."""
    r = a.rng
    lp, bias = r.random() < 0.4, r.choice([0, 0, 2, 3, 5])
    start = r.uniform(w.t0, w.t1 - 1800)
    for t in renewal(r, start, w.t1, r.uniform(0.5, 4.0), 0.5)[:n]:
        p = tb.classify_prompt(r)
        params: dict = {"temperature": 0.0, "max_tokens": r.choice([1, 1, 5, 20])}
        if lp:
            params.update(logprobs=True, top_logprobs=5)
        if bias:
            params["logit_bias"] = bias
        emit(
            a,
            t,
            MINI,
            toks(p) + 60,
            r.randint(1, params["max_tokens"]),
            prompt=p,
            messages=2,
            system="You are a classification model. Answer with the label only.",
            params=params,
        )


def researcher(w: World, a: Account, n: int, tz: float = -5) -> None:
    """Calibration / probing studies: tiny completions with top logprobs."""
    r = a.rng
    start = r.uniform(w.t0, w.t1 - 1200)
    for t in renewal(r, start, w.t1, r.uniform(0.3, 2.0), 0.8)[:n]:
        p = tb.researcher_prompt(r)
        emit(
            a,
            t,
            r.choice([MINI, PRO]),
            toks(p),
            1,
            prompt=p,
            messages=1,
            params={
                "max_tokens": 1,
                "logprobs": True,
                "top_logprobs": r.choice([5, 10, 20]),
                "temperature": 0.0,
            },
            endpoint=r.choice(["/v1/chat/completions", "/v1/completions"]),
        )


def dev(w: World, a: Account, n: int, tz: float = 0) -> None:
    """Individual developers and new accounts: a few sessions of tinkering."""
    r = a.rng
    lang = r.choice(list(ML)) if r.random() < 0.25 else None
    for t in human_sessions(r, w.t0, w.t1, max(1, n // 8), (1, 15), 40):
        if lang:
            p = everyday(r, lang) if r.random() < 0.6 else ml_reasoning(r, lang)
        else:
            p = tb.dev_prompt(r)
        m = _model(w, a, t, (3, 4, 3), adopt=0.5)
        params: dict = {}
        if r.random() < 0.5:
            params["temperature"] = r.choice([0, 0.2, 0.7, 1.0, 1.2])
        if r.random() < 0.4:
            params["max_tokens"] = r.choice([256, 512, 1000, 4096])
        ct = r.randint(1, 40) if len(p) < 25 else lognorm_int(r, 350, 1.0, 1, 6000)
        emit(
            a,
            t,
            m,
            toks(p) + r.randint(5, 200),
            ct,
            prompt=p,
            messages=r.choice([1, 2, 2, 4]),
            params=params or None,
            status=r.choices([200, 400, 401, 429], (94, 3, 1, 2))[0],
        )


PERSONAS: dict[str, Callable[[World, Account, int, float], None]] = {
    "chat_app": chat_app,
    "coding_agent": coding_agent,
    "eval_harness": eval_harness,
    "tutoring": tutoring,
    "synthetic_data": synth_data,
    "grader": grader,
    "support_bot": support_bot,
    "translation": translation,
    "batch_classify": batch_classify,
    "researcher": researcher,
    "developer": dev,
    "new_account": dev,
}
