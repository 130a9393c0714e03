"""Honest back-office traffic: extraction pipelines, synthetic-data jobs, benchmark runs,
classifiers and LLM judges."""

from __future__ import annotations

from random import Random
from typing import Any

from . import texts_work
from .arrivals import cron, poisson, shift
from .calls import answer, background_status, prompt_tokens, worker_pool
from .core import Account, Log, World, latency_of, lognormal
from .problems import problem


def doc_pipeline(acct: Account, rng: Random, world: World, log: Log) -> None:
    """A scheduled job turning documents into JSON: batches every 15, 30 or 60 minutes."""
    model = rng.choice(["kestrel-2-mini", "kestrel-2-mini-2026-07-18", "kestrel-2"])
    params: dict[str, Any] = {"temperature": 0.0, "max_tokens": rng.choice([512, 800, 1500])}
    if rng.random() < 0.4:
        params["seed"] = rng.choice([0, 7, 42, 1234])
    period = rng.choice([900.0, 1800.0, 3600.0, 3600.0, 7200.0])
    median = lognormal(rng, 5.0, 0.9, 1.0, 300.0) * world.volume
    times = cron(
        rng,
        world.start,
        world.end,
        period,
        lambda r: lognormal(r, max(1.0, median), 0.5, 1.0),
        rng.uniform(0.4, 3.0),
        skip=0.1,
    )
    for ts in times:
        prompt = texts_work.extraction_prompt(rng)
        completion, _, finish = answer(rng, model, 170.0, 0.5, params["max_tokens"])
        log.emit(
            acct,
            rng,
            ts,
            model=model,
            status=background_status(rng, model, ts, world),
            prompt_tokens=prompt_tokens(
                texts_work.EXTRACT_SYSTEM, prompt, lognormal(rng, 700, 0.9, 0, 30000)
            ),
            completion_tokens=completion,
            params=params,
            prompt=prompt,
            system=texts_work.EXTRACT_SYSTEM,
            messages=2,
            finish=finish,
        )


def dataset_builder(acct: Account, rng: Random, world: World, log: Log) -> None:
    """Bulk generation of product copy, reviews and FAQs for the customer's own use."""
    model = rng.choice(["kestrel-2", "kestrel-2-mini"])
    params: dict[str, Any] = {"temperature": rng.choice([0.9, 1.0, 1.1]), "max_tokens": 4096}
    if rng.random() < 0.2:
        params["n"] = rng.randint(2, 3)
    for _ in range(rng.choice([1, 1, 2])):
        begin, finish_by = shift(rng, world.start, world.end, rng.uniform(0.5, 3.0))
        jobs = max(1, int(lognormal(rng, 70.0, 0.7, 10.0, 600.0) * world.volume))

        def send(ts: float) -> float:
            prompt = texts_work.dataset_prompt(rng)
            completion, _, finish = answer(rng, model, 1100.0, 0.5, 4096)
            completion *= params.get("n", 1)
            latency = latency_of(rng, model, 200, completion)
            log.emit(
                acct,
                rng,
                ts,
                model=model,
                prompt_tokens=prompt_tokens(None, prompt),
                completion_tokens=completion,
                params=params,
                prompt=prompt,
                messages=1,
                finish=finish,
                latency=latency,
            )
            return latency / 1000.0

        worker_pool(rng, begin, finish_by, rng.randint(2, 6), jobs, send)


def eval_researcher(acct: Account, rng: Random, world: World, log: Log) -> None:
    """Benchmark runs: chain-of-thought maths, log-prob multiple choice, code with pass@k."""
    if rng.random() > 0.35:
        _ad_hoc(acct, rng, world, log)
        return
    adopt = rng.random() < 0.5
    for _ in range(rng.choice([1, 1, 2, 3])):
        kind = rng.choice(["cot", "cot", "mc", "code"])
        model = rng.choice(["kestrel-2", "kestrel-2-mini", "kestrel-think-1"])
        begin, end = shift(rng, world.start, world.end, rng.uniform(0.3, 2.0))
        if adopt and rng.random() < 0.7:
            model = "kestrel-3"
            begin = max(begin, world.release + rng.uniform(600.0, 7200.0))
        jobs = max(1, int(lognormal(rng, 180.0 if kind != "mc" else 350.0, 0.6) * world.volume))
        params: dict[str, Any] = {"seed": rng.choice([0, 42, 1234]), "temperature": 0.0}
        if kind == "mc":
            params.update(max_tokens=1, logprobs=True, top_logprobs=rng.choice([5, 5, 20]))
            if rng.random() < 0.5:
                params["logit_bias"] = 4
        elif kind == "cot":
            params.update(max_tokens=rng.choice([1024, 2048]))
            if rng.random() < 0.3:
                params.update(temperature=0.7, n=rng.choice([4, 5, 8]))
        else:
            params.update(max_tokens=512, temperature=0.2, n=rng.choice([1, 1, 10]))
        _eval_run(acct, rng, log, (begin, end), jobs, kind, model, params)


def _eval_run(
    acct: Account,
    rng: Random,
    log: Log,
    span: tuple[float, float],
    jobs: int,
    kind: str,
    model: str,
    params: dict[str, Any],
) -> None:
    shots = rng.choice([0, 0, 5, 8])

    def send(ts: float) -> float:
        reasoning: int | None = None
        if kind == "mc":
            prompt, completion, finish = texts_work.mc_prompt(rng), 1, "length"
        elif kind == "cot":
            prompt = texts_work.gsm_prompt(rng, shots)
            completion, reasoning, finish = answer(rng, model, 240.0, 0.5, params["max_tokens"])
        else:
            prompt = problem(rng, "code")[0]
            completion, reasoning, finish = answer(rng, model, 180.0, 0.5, 512)
        completion *= params.get("n", 1)
        latency = latency_of(rng, model, 200, completion)
        log.emit(
            acct,
            rng,
            ts,
            model=model,
            prompt_tokens=prompt_tokens(None, prompt),
            completion_tokens=completion,
            params=params,
            prompt=prompt,
            messages=1,
            reasoning=reasoning,
            finish=finish,
            latency=latency,
        )
        return latency / 1000.0

    worker_pool(rng, span[0], span[1], rng.choice([4, 8, 16, 32]), jobs, send, pause=0.05)


def _ad_hoc(acct: Account, rng: Random, world: World, log: Log) -> None:
    """A researcher between runs: a few hand-written probes from a notebook."""
    for ts in poisson(
        rng, world.start, world.end, rng.uniform(2.0, 12.0) / 3600.0, "office", acct.tz
    ):
        prompt, _ = problem(rng)
        model = rng.choice(
            ["kestrel-2", "kestrel-think-1", "kestrel-3" if ts > world.release else "kestrel-2"]
        )
        completion, reasoning, finish = answer(rng, model, 350.0, 0.8, None)
        log.emit(
            acct,
            rng,
            ts,
            model=model,
            prompt_tokens=prompt_tokens(None, prompt),
            completion_tokens=completion,
            prompt=prompt,
            messages=1,
            reasoning=reasoning,
            finish=finish,
            params={"temperature": 0.0},
        )


def classifier(acct: Account, rng: Random, world: World, log: Log) -> None:
    """Routing or moderation: one token out, restricted to the label tokens, with log-probs."""
    labels = rng.choice(texts_work.LABEL_SETS)
    system = texts_work.CLASSIFY_SYSTEM.format(labels=labels)
    count = labels.count(",") + 1
    params: dict[str, Any] = {"temperature": 0.0, "max_tokens": rng.choice([1, 1, 2, 5])}
    if rng.random() < 0.7:
        params["logit_bias"] = count
    if rng.random() < 0.6:
        params.update(logprobs=True, top_logprobs=min(20, count))
    model = rng.choice(["kestrel-2-mini", "kestrel-2-mini-2026-07-18"])
    rate = lognormal(rng, 22.0, 1.0, 2.0, 1500.0) / 3600.0 * world.volume
    times = poisson(rng, world.start, world.end, rate, rng.choice(["office", "flat"]), acct.tz)
    if rng.random() < 0.2:  # a backfill over last week's messages
        times += cron(rng, world.start, world.end, 7200.0, lambda r: r.randint(20, 150), 0.3)
    for ts in sorted(times):
        prompt = texts_work.classify_prompt(rng)
        completion = rng.randint(1, params["max_tokens"])
        log.emit(
            acct,
            rng,
            ts,
            model=model,
            status=background_status(rng, model, ts, world),
            prompt_tokens=prompt_tokens(system, prompt),
            params=params,
            prompt=prompt,
            completion_tokens=completion,
            system=system,
            messages=2,
            finish="length" if completion == params["max_tokens"] else "stop",
        )


def llm_judge(acct: Account, rng: Random, world: World, log: Log) -> None:
    """An eval platform grading model outputs pairwise, batches triggered by CI."""
    params: dict[str, Any] = {"temperature": 0.0}
    if rng.random() < 0.6:
        params["max_tokens"] = rng.choice([256, 512, 1024])
    for _ in range(rng.randint(1, 3)):
        begin, end = shift(rng, world.start, world.end, rng.uniform(0.2, 1.0))
        model = "kestrel-3" if begin > world.release and rng.random() < 0.3 else "kestrel-2"
        jobs = max(1, int(rng.randint(15, 100) * world.volume))
        _judge_batch(acct, rng, log, (begin, end), jobs, model, params)


def _judge_batch(
    acct: Account,
    rng: Random,
    log: Log,
    span: tuple[float, float],
    jobs: int,
    model: str,
    params: dict[str, Any],
) -> None:
    system = texts_work.JUDGE_SYSTEM

    def send(ts: float) -> float:
        prompt = texts_work.judge_prompt(rng)
        completion, reasoning, finish = answer(rng, model, 170.0, 0.5, params.get("max_tokens"))
        latency = latency_of(rng, model, 200, completion)
        log.emit(
            acct,
            rng,
            ts,
            model=model,
            params=params,
            prompt=prompt,
            system=system,
            prompt_tokens=prompt_tokens(system, prompt),
            completion_tokens=completion,
            messages=2,
            reasoning=reasoning,
            finish=finish,
            latency=latency,
        )
        return latency / 1000.0

    worker_pool(rng, span[0], span[1], rng.randint(2, 8), jobs, send)
