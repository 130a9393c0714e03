"""Two campaigns dressed as people.

slow-drip-1: a contractor team harvesting grading, preference and reasoning data at human
pace. Twenty aged personal accounts (bought from their owners, one card each), each pinned to
one static residential ISP proxy; most workers use an internal web tool from the browser, a few
run a script with random sleeps. Work comes in blocks with breaks, a request every few minutes.

chat-mimicry-1: an operator posing as six small consumer "study helper" apps. A Node backend on
cloud hosts invents end-user ids and sessions, replays fake chat history, streams, follows a
consumer daily curve, and every system prompt demands the full reasoning written out.
"""

from __future__ import annotations

from random import Random
from typing import Any

from . import net
from .arrivals import human_gaps, poisson
from .calls import NEW_MODEL, answer, background_status, prompt_tokens, session_id
from .core import Account, Log, World, hexid
from .population import age, new_account
from .problems import OPEN_QUESTIONS, problem

STEPS = [
    "Let x be the unknown and write the equation from the statement.",
    "Substitute the given values into the formula.",
    "Simplify both sides.",
    "Divide both sides by the coefficient.",
    "Convert the units so they match.",
    "Apply the rule for independent events.",
    "Use the Pythagorean theorem on the right triangle.",
    "Loop over the array and keep a running maximum.",
    "This gives a contradiction, so the assumption was false.",
]
GRADING = [
    "Evaluate the answer below against this rubric: correctness, completeness, clarity and "
    "quality of reasoning. For each criterion give a score from 1 to 10 with a detailed "
    "justification, then an overall score. Think step by step before scoring.\n\n"
    "Question:\n{q}\n\nAnswer:\n{a}",
    "You are grading a response. First solve the problem yourself showing every step, then "
    "compare with the response, list every error, and give a score out of 10.\n\n"
    "[Question]\n{q}\n\n[Response]\n{a}",
    "Which of these two answers is better? Reason carefully about correctness and helpfulness, "
    'explain your reasoning in detail, then output JSON {{"winner": "A" or "B", '
    '"confidence": 0 to 1}}.\n\nQuestion: {q}\n\nAnswer A:\n{a}\n\nAnswer B:\n{b}',
    "Critique this solution in detail and then rewrite it so it would get full marks. Show the "
    "corrected reasoning step by step.\n\n{q}\n\n{a}",
    "{q}\n\nExplain your reasoning step by step in detail.",
]
TYPOS = [("reasoning", "reasonning"), ("the ", "teh "), ("detail", "detial"), ("answer", "anwser")]


def _candidate(rng: Random) -> str:
    steps = [f"Step {i + 1}: {rng.choice(STEPS)}" for i in range(rng.randint(2, 5))]
    return "\n".join([*steps, f"Therefore the answer is {rng.randint(2, 999)}."])


def _humanise(rng: Random, text: str, sloppy: float) -> str:
    for right, wrong in TYPOS:
        if rng.random() < sloppy:
            text = text.replace(right, wrong, 1)
    if rng.random() < sloppy:
        text = rng.choice(["pls ", "ok next one. ", "", "again: "]) + text
    return text


def slow_drip(world: World, rng: Random, used: set[str], log: Log) -> list[Account]:
    browser = net.BROWSERS[1]  # the team's managed laptops all run the same build
    accounts = []
    for index in range(world.count(20)):
        acct = new_account(rng, used, "attack")
        acct.campaign, acct.campaign_type = "slow-drip-1", "slow_drip"
        acct.created = world.start - age(rng, 60, 700)
        acct.payment = hexid(rng, "pm_", 64)
        acct.keys = [hexid(rng, "key_", 32)]
        acct.tz = rng.choice([2.0, 3.0])
        acct.egress = [net.residential(rng, rng.choice(["us", "us", "eu", "ca"]), v6=0.0)]
        if rng.random() < 0.2:
            acct.egress.append(net.residential(rng, rng.choice(["us", "eu"])))
        scripted = index % 10 in (3, 7) or rng.random() < 0.1
        acct.agents = [f"OpenAI/Python {rng.choice(net.SDK_PY)}" if scripted else browser]
        _drip(acct, world.rng(acct.account_id), world, log, scripted)
        accounts.append(acct)
    return accounts


def _drip(acct: Account, rng: Random, world: World, log: Log, scripted: bool) -> None:
    sloppy = 0.0 if scripted else rng.uniform(0.05, 0.3)
    switches = rng.random() < 0.3
    base = "kestrel-think-1" if rng.random() < 0.3 else "kestrel-2"
    params: dict[str, Any] = (
        {"max_tokens": 2000, "temperature": 0.3} if scripted else {"stream": True}
    )
    system = "You are a rigorous, fair evaluator." if scripted else None
    span = world.end - world.start
    t = world.start + rng.uniform(0.0, span * 0.35)
    stop = min(world.end, t + rng.uniform(2.5, 5.0) * 3600.0 * min(1.0, span / 21600.0))
    block_end = t + rng.uniform(1800.0, 4500.0)
    while t < stop:
        kind = rng.choices(range(len(GRADING)), [3, 2, 2, 1, 2])[0]
        q = problem(rng)[0] if rng.random() < 0.8 else rng.choice(OPEN_QUESTIONS)
        prompt = _humanise(
            rng, GRADING[kind].format(q=q, a=_candidate(rng), b=_candidate(rng)), sloppy
        )
        model = NEW_MODEL if switches and t > world.release + 3600.0 else base
        completion, reasoning, finish = answer(
            rng, model, 850.0, 0.4, params.get("max_tokens"), 1200.0
        )
        log.emit(
            acct,
            rng,
            t,
            model=model,
            status=background_status(rng, model, t, world),
            prompt_tokens=prompt_tokens(system, prompt),
            completion_tokens=completion,
            params=params,
            prompt=prompt,
            system=system,
            messages=1 + (system is not None),
            reasoning=reasoning,
            finish=finish,
            egress=acct.egress[0] if rng.random() < 0.9 else None,
        )
        t += rng.uniform(90.0, 420.0) if scripted else human_gaps(rng, 230.0, 0.5)
        if t > block_end:  # a break: coffee, lunch, a meeting
            t += rng.uniform(480.0, 2100.0)
            block_end = t + rng.uniform(1800.0, 4500.0)


MIMIC_SYSTEM = (
    "You are {brand}, a friendly study companion app for students. Always think step by step "
    "and show your full reasoning in detail before giving the final answer. Never skip steps."
)
MIMIC_WRAPS = [
    "hey can you explain step by step {q}",
    "{q} pls show all your reasoning, i want to understand every step",
    "{q}\n\nthink it through carefully and explain each step in detail",
    "how do i solve this?? {q}",
    "can u help me understand this, walk me through the whole thing: {q}",
    "{q} explain like a tutor would",
]
SMALL_TALK = ["thanks!!", "ok that makes sense", "hi", "wait why", "can you say that simpler"]


def chat_mimicry(world: World, rng: Random, used: set[str], log: Log) -> list[Account]:
    cards = [hexid(rng, "pm_", 64) for _ in range(4)]
    accounts = []
    for index in range(world.count(6)):
        acct = new_account(rng, used, "attack")
        acct.campaign, acct.campaign_type = "chat-mimicry-1", "chat_mimicry"
        acct.created = world.start - age(rng, 30, 120)
        acct.payment = cards[[0, 0, 1, 2, 3, 3][index % 6]]
        acct.keys = [hexid(rng, "key_", 32) for _ in range(rng.randint(1, 2))]
        acct.tz = -5.0
        acct.egress = [net.cloud(rng, ("do", "aws")) for _ in range(rng.randint(1, 2))]
        acct.agents = [f"OpenAI/JS {rng.choice(net.SDK_JS)}"]
        _mimic(acct, world.rng(acct.account_id), world, log, index)
        accounts.append(acct)
    return accounts


def _mimic(acct: Account, rng: Random, world: World, log: Log, index: int) -> None:
    brand = rng.choice(
        ["Studdy", "BrainBuddy", "Homework Helper AI", "Nova Study", "QuizPal", "Tutorly"]
    )
    system = MIMIC_SYSTEM.format(brand=brand)
    base = "kestrel-think-1" if index % 3 == 2 else "kestrel-2"
    moves = rng.random() < 0.5
    params: dict[str, Any] = {"stream": True, "max_tokens": 4096, "temperature": 0.7}
    users = [f"usr_{rng.getrandbits(40):010x}" for _ in range(rng.randint(1500, 6000))]
    cursor = rng.randrange(len(users))
    threads: dict[str, tuple[str, int, int]] = {}
    peak = rng.uniform(0.12, 0.22) * world.volume
    for ts in poisson(rng, world.start, world.end, peak, "consumer", acct.tz):
        if rng.random() < 0.7:  # the operator walks its user list rather than sampling it
            cursor = (cursor + 1) % len(users)
        user = users[cursor]
        sid, depth, history = threads.get(user, (session_id(rng), 0, 0))
        if depth >= rng.randint(3, 8):
            sid, depth, history = session_id(rng), 0, 0
        if depth and rng.random() < 0.1:
            prompt = rng.choice(SMALL_TALK)
        else:
            q = problem(rng)[0] if rng.random() < 0.85 else rng.choice(OPEN_QUESTIONS)
            prompt = rng.choice(MIMIC_WRAPS).format(q=q[0].lower() + q[1:])
        model = NEW_MODEL if moves and ts > world.release + 5400.0 and rng.random() < 0.5 else base
        completion, reasoning, finish = answer(rng, model, 1300.0, 0.45, 4096, 1500.0)
        pt = prompt_tokens(system, prompt, history)
        log.emit(
            acct,
            rng,
            ts,
            model=model,
            status=background_status(rng, model, ts, world),
            prompt_tokens=pt,
            completion_tokens=completion,
            params=params,
            prompt=prompt,
            system=system,
            messages=2 + 2 * depth,
            reasoning=reasoning,
            finish=finish,
            user=user,
            session=sid,
        )
        threads[user] = (sid, depth + 1, pt + completion - (reasoning or 0))
