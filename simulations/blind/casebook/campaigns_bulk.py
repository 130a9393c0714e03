"""Two infrastructure-heavy harvests run from rented servers on aged accounts.

bulk-cot-1: a reasoning-trace harvest. Four aged tier-4 accounts bought from a broker (two on
one shell company's card), async workers on rented VMs pulling problems from a seed corpus and
sampling several reasoning traces per problem for later rejection sampling.

logit-probe-1: next-token distribution harvesting. Tiny completions with log-probs, logit_bias
sweeps over token-id blocks to surface tokens outside the top-k, echo tricks on the legacy
completions endpoint.
"""

from __future__ import annotations

from random import Random
from typing import Any

from . import net
from .calls import NEW_MODEL, answer, prompt_tokens, worker_pool
from .core import LEGACY, Account, Log, World, hexid, latency_of
from .population import age, new_account
from .problems import problem

COT_SYSTEMS = [
    "You are a meticulous expert problem solver. Reason step by step, consider alternative "
    "approaches, verify every intermediate result, and only then state the final answer.",
    "You are a world-class scientist and teacher. Think through the problem thoroughly, "
    "showing all of your reasoning in detail before giving a conclusion.",
    "You are an elite competitive programmer. Analyse the problem, explain the algorithm and "
    "its correctness in depth, then give complete, efficient code.",
    "You are a careful reasoner. Write out your full chain of thought.",
]
COT_WRAPS = [
    "{q}\n\nPlease think through this carefully and show your complete reasoning. Put your "
    "final answer in \\boxed{{}}.",
    "Problem:\n{q}\n\nSolve it step by step. Explain why each step is valid and double-check "
    "the result before the final answer.",
    "Solve the following problem. First explain your approach in detail, analyse complexity, "
    "then give a complete solution.\n\n{q}",
    "{q}\n\nShow all work. Think step by step, then give the final answer on its own line.",
]
PROBES = [
    "The",
    "Once upon a time",
    "1, 2, 3,",
    "The capital of France is",
    "def main(",
    "Q: What is the boiling point of water?\nA:",
    "My favourite colour is",
    "import numpy as",
    "Translate to German: cat ->",
    "The opposite of hot is",
    "SELECT * FROM",
    "In 1492,",
    "She opened the door and",
    "The answer is",
    "Dear Sir or Madam,",
    "2 + 2 =",
    "Rate this review from 1 to 5: 'Terrible service.' Rating:",
    "The next prime after 7 is",
]


def _aged(world: World, rng: Random, used: set[str], campaign: str, kind: str) -> Account:
    acct = new_account(rng, used, "attack")
    acct.campaign, acct.campaign_type = campaign, kind
    acct.keys = [hexid(rng, "key_", 32)]
    return acct


def bulk_cot(world: World, rng: Random, used: set[str], log: Log) -> list[Account]:
    cards = [hexid(rng, "pm_", 64) for _ in range(3)]
    shared_vm = net.cloud(rng, ("hetzner",))
    agent = f"AsyncOpenAI/Python {rng.choice(net.SDK_PY)}"
    accounts = []
    for index in range(world.count(4)):
        acct = _aged(world, rng, used, "bulk-cot-1", "bulk_cot")
        acct.created = world.start - age(rng, 150, 420)
        acct.payment = cards[[0, 0, 1, 2][index % 4]]
        acct.tz = 8.0
        acct.egress = [net.cloud(rng, ("hetzner", "ovh", "aws"))]
        if index % 4 < 2:
            acct.egress.append(shared_vm)
        acct.agents = [agent if index % 4 != 2 else "python-httpx/0.27.2"]
        _cot_worker(acct, world.rng(acct.account_id), world, log, index % 4)
        accounts.append(acct)
    return accounts


def _cot_worker(acct: Account, rng: Random, world: World, log: Log, role: int) -> None:
    domain = [None, "science", "code", None][role]
    model = ["kestrel-think-1", "kestrel-2", "kestrel-2", "kestrel-think-1"][role]
    switch = world.release + rng.uniform(3600.0, 3 * 3600.0) if role == 2 else world.end
    system = COT_SYSTEMS[role]
    wrap = COT_WRAPS[role]
    params: dict[str, Any] = {
        "max_tokens": 16000 if model == "kestrel-think-1" else 8192,
        "temperature": [0.6, 0.8, 0.7, 0.6][role],
    }
    if role == 1:
        params["n"] = 4
    samples = 1 if role == 1 else 4
    workers = max(1, round(rng.randint(6, 12) * world.volume))
    pending: list[tuple[str, int]] = []
    limited = role == 3  # this one starts too hot and gets rate limited until it backs off
    t = world.start + rng.uniform(0.0, 600.0)
    while t < world.end:
        stop = min(world.end, t + rng.uniform(2400.0, 7200.0))

        def send(ts: float) -> float:
            nonlocal limited
            if not pending:
                q = problem(rng, domain)[0]
                pending.extend((q, s) for s in range(samples))
            q, sample = pending.pop(0)
            prompt = wrap.format(q=q)
            used = NEW_MODEL if ts >= switch else model
            call = dict(params, seed=sample * 1000 + 17) if samples > 1 else params
            if limited and ts > world.start + 5400.0:
                limited = False
            status = 429 if rng.random() < (0.14 if limited else 0.02) else 200
            if status == 429:
                pending.insert(0, (q, sample))  # the SDK retries the same request
                log.emit(
                    acct,
                    rng,
                    ts,
                    model=used,
                    status=429,
                    prompt_tokens=0,
                    completion_tokens=0,
                    params=call,
                    prompt=prompt,
                    system=system,
                    messages=2,
                )
                return rng.uniform(0.5, 4.0) * (3.0 if limited else 1.0)
            completion, reasoning, finish = answer(
                rng, used, 1500.0, 0.5, call["max_tokens"], 2600.0
            )
            completion *= call.get("n", 1)
            latency = latency_of(rng, used, 200, completion // call.get("n", 1))
            log.emit(
                acct,
                rng,
                ts,
                model=used,
                prompt_tokens=prompt_tokens(system, prompt),
                completion_tokens=completion,
                params=call,
                prompt=prompt,
                system=system,
                messages=2,
                reasoning=reasoning,
                finish=finish,
                latency=latency,
            )
            return latency / 1000.0

        worker_pool(rng, t, stop, workers * (2 if limited else 1), 10**9, send, 0.15)
        t = stop + rng.uniform(180.0, 900.0)  # queue reload, crash-restart, VM reboot


def logit_probe(world: World, rng: Random, used: set[str], log: Log) -> list[Account]:
    accounts = []
    for index in range(world.count(2)):
        acct = _aged(world, rng, used, "logit-probe-1", "logit_probe")
        acct.created = world.start - age(rng, 45, 130)
        acct.payment = hexid(rng, "pm_", 64)
        acct.tz = 3.0
        if index % 2 == 0:
            acct.egress, acct.agents = (
                [net.cloud(rng, ("linode", "vultr"))],
                ["python-requests/2.32.3"],
            )
        else:
            acct.egress = [net.residential(rng, "eu", v6=0.0)]
            acct.agents = [f"OpenAI/Python {rng.choice(net.SDK_PY[:3])}"]
        _probe(acct, world.rng(acct.account_id), world, log, legacy=index % 2 == 1)
        accounts.append(acct)
    return accounts


def _probe(acct: Account, rng: Random, world: World, log: Log, legacy: bool) -> None:
    """A single-threaded sweep: per probe prompt a baseline, then bias blocks over the vocab."""
    model = "kestrel-2" if not legacy else "kestrel-2-mini"
    top = 5 if legacy else 20
    block = rng.choice([100, 200, 300])
    limited_at = world.start + 0.37 * (world.end - world.start)  # the first key starts to get 429s
    t = limited_at + rng.uniform(300.0, 1800.0) if legacy else world.start + rng.uniform(0.0, 900.0)
    pace = 1.0 / max(0.05, world.volume)
    throttled_since: float | None = None
    while t < world.end:
        stop = min(world.end, t + rng.uniform(1200.0, 3600.0))
        probe, offset = rng.choice(PROBES), 0
        while t < stop:
            params: dict[str, Any] = {
                "max_tokens": 1,
                "logprobs": True,
                "top_logprobs": top,
                "temperature": 0.0,
                "seed": 0,
            }
            if offset:
                params["logit_bias"] = block if rng.random() < 0.8 else rng.randint(1, 8)
            echo = legacy and rng.random() < 0.4
            if echo:
                params["max_tokens"] = 0
            late = not legacy and t > limited_at
            status = 429 if late and rng.random() < 0.25 else 200
            if status == 429 and throttled_since is None:
                throttled_since = t
            log.emit(
                acct,
                rng,
                t,
                model=model,
                endpoint=LEGACY if legacy else "/v1/chat/completions",
                status=status,
                prompt_tokens=prompt_tokens(None, probe),
                completion_tokens=0 if echo else 1,
                params=params,
                prompt=probe,
                messages=None if legacy else 1,
                finish="length",
            )
            offset = (offset + 1) % rng.choice([80, 200, 700])
            if offset == 0:
                probe = rng.choice(PROBES)
            gap = rng.uniform(0.6, 1.4) * pace
            if throttled_since is not None and not legacy:
                gap *= 3.0  # operator slows this key down and moves load to the other one
            t += gap + rng.uniform(0.12, 0.35)
        t = stop + rng.uniform(300.0, 1800.0)
