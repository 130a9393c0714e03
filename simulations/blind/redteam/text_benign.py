"""How honest customers word their requests, per persona.

Honest traffic says harvest-ish things too."""

from __future__ import annotations

import random

from .text_common import (
    CITIES,
    CODE_TASKS,
    LANGS,
    NAMES,
    TOPICS,
    any_problem,
    code_problem,
    logic_problem,
    math_problem,
    science_problem,
)

EVAL_FORMATS = [
    "Question: {p}\nLet's think step by step.",
    "Solve the following math problem. Put the final answer in \\boxed{{}}.\n\n{p}",
    "The following is a multiple choice question about {d}. Think step by step and then finish "
    'with "Answer: X".\n\n{p}\nA) {x1}\nB) {x2}\nC) {x3}\nD) {x4}',
    "{p}\nAnswer:",
    "Complete the function below so that it passes the hidden tests.\n\n# Task: {c}",
    "Problem: {p}\n\nReason through the problem, then output only the final answer after '####'.",
]


def eval_prompt(r: random.Random, fmt: int) -> str:
    f = EVAL_FORMATS[fmt % len(EVAL_FORMATS)]
    return f.format(
        p=math_problem(r) if fmt != 2 else science_problem(r),
        d=r.choice(TOPICS),
        c=code_problem(r),
        x1=r.randint(1, 99),
        x2=r.randint(1, 99),
        x3=r.randint(1, 99),
        x4=r.randint(1, 99),
    )


TUTOR_SYSTEMS = [
    "You are a patient maths tutor for students aged 11-16. Explain step by step, check "
    "understanding, never just give the answer.",
    "You are StudyPal, a homework helper. Use simple language and show each step.",
    "You help university students with physics and chemistry. Be rigorous and show derivations.",
]
TUTOR_USER = [
    "{p}",
    "i dont get this: {p}",
    "can you explain step by step? {p}",
    "how do i even start this?? {p}",
    "explain {t} like I'm 12",
    "why is my answer wrong? {p}",
    "what's the difference between {t} and {t2}?",
    "can you check my working for {p}",
    "ok that makes sense, what about the next part?",
    "can you give me a similar practice question",
]


def tutor_prompt(r: random.Random) -> str:
    t, t2 = r.sample(TOPICS, 2)
    return r.choice(TUTOR_USER).format(p=any_problem(r, (6, 0, 1, 3)), t=t, t2=t2)


SYNTH = [
    "Generate {n} diverse, challenging {d} word problems. For each, give a complete worked "
    "solution with every reasoning step and the final answer. Output JSON lines.",
    "Write a detailed step-by-step solution for the following problem, suitable as a training "
    "example. Explain each step.\n\n{p}",
    "Create a realistic customer-support conversation ({n} turns) about a {x} problem with a "
    "{y} product. Return JSON.",
    "Rewrite the following question in {n} different ways, preserving meaning:\n{p}",
    "Produce an instruction-response pair where the instruction asks about {t} and the response "
    "explains it thoroughly with reasoning.",
    "You are generating data for a reading-comprehension dataset. Write a {n}00-word passage about "
    "{t}, then 5 questions with answers and explanations.",
]


def synth_prompt(r: random.Random) -> str:
    return r.choice(SYNTH).format(
        n=r.randint(3, 12),
        d=r.choice(["algebra", "geometry", "finance", "physics"]),
        p=any_problem(r),
        t=r.choice(TOPICS),
        x=r.choice(["billing", "login", "shipping", "refund"]),
        y=r.choice(["SaaS", "smart-home", "banking", "airline"]),
    )


JUDGE = [
    "You are an impartial judge. Given the question and the model's answer, rate the answer's "
    "correctness 1-10. Explain briefly, then output 'Rating: [[N]]'.\n"
    "[Question]\n{q}\n[Answer]\n{a}",
    "Compare the two assistant responses and decide which is more helpful. Reply with 'A', 'B' or "
    "'tie' and a one-paragraph justification.\nUser: {q}\nA: {a}\nB: {b}",
    "Does the response below contain any factual errors? Think step by step, then answer YES or "
    "NO.\n{a}",
    "Grade the student's essay on {t} against the rubric (thesis, evidence, structure, style), "
    "1-4 per criterion, with a short comment each.\n\nEssay: {e}",
]
SNIPPETS = [
    "The answer is 12 because the rates add.",
    "It is caused by Rayleigh scattering.",
    "Use a hash map to count, then sort by frequency.",
    "x = 4 or x = -1.",
    "The treaty ended the war in 1648.",
    "Because the derivative is positive everywhere.",
]


def judge_prompt(r: random.Random) -> str:
    return r.choice(JUDGE).format(
        q=any_problem(r),
        a=r.choice(SNIPPETS),
        b=r.choice(SNIPPETS),
        t=r.choice(TOPICS),
        e="In this essay I will argue that " + r.choice(TOPICS) + " matters because ...",
    )


SUPPORT_Q = [
    "how do i reset my password",
    "my order #{n} hasn't arrived",
    "can I change my delivery address",
    "i was charged twice this month",
    "where is the invoice for {m}",
    "the app keeps logging me out",
    "do you ship to {c}?",
    "how do I cancel my subscription",
    "what's your refund policy for opened items",
    "is the {x} compatible with iPhone 15",
    "talk to a human please",
    "my discount code doesn't work",
]


def support_prompt(r: random.Random) -> str:
    return r.choice(SUPPORT_Q).format(
        n=r.randint(10000, 99999),
        m=r.choice(["October", "November"]),
        c=r.choice(CITIES),
        x=r.choice(["charger", "case", "hub"]),
    )


def support_system(company: str) -> str:
    return (
        f"You are the customer support assistant for {company}. Answer only from the context "
        "below. If unsure, offer to connect the customer with an agent.\n\n### Context\n"
        "[retrieved help-centre articles]"
    )


AGENT_USER = [
    "Fix the failing test in tests/test_{w}.py",
    "Refactor {w}.py to remove the duplicated parsing logic",
    "Add type hints to the {w} module",
    "Why does this raise KeyError?\n```\n{w} = cfg['{w}']\n```",
    "Implement the TODO in src/{w}/handler.{e}",
    "Tool result: exit code 1\n{w}: command not found",
    "Tool result: 3 passed, 1 failed",
    "Continue.",
    "Write a migration that adds a {w}_id column",
]
AGENT_WORDS = ["billing", "auth", "parser", "scheduler", "cache", "export", "router", "invoice"]


def agent_prompt(r: random.Random) -> str:
    return r.choice(AGENT_USER).format(w=r.choice(AGENT_WORDS), e=r.choice(["py", "ts", "go"]))


AGENT_SYSTEM = (
    "You are an autonomous coding agent working in the user's repository. Use the "
    "provided tools to read files, run commands and edit code. Think before acting."
)


def translate_prompt(r: random.Random, lang: str) -> str:
    doc = r.choice(
        [
            "Terms of service section 4",
            "product description for a {x}",
            "release notes for version 2.{n}",
            "this support article about {t}",
        ]
    )
    return f"Translate into {lang}, keeping formatting and tone:\n\n" + doc.format(
        x=r.choice(["kettle", "tent", "laptop bag"]), n=r.randint(1, 30), t=r.choice(TOPICS)
    )


CLASSIFY = [
    "Classify the sentiment of this review as positive, negative or neutral. Reply with one "
    "word.\nReview: {s}",
    "Is the following email spam? Answer yes or no.\n{s}",
    "Assign one category (billing, technical, account, other) to this ticket:\n{s}",
    "Extract the company name and the amount from: {s}. Return JSON.",
    "Label the language of this text (ISO code only): {s}",
]
SENTS = [
    "The delivery was late but the staff were lovely.",
    "Worst purchase ever, broke in a day.",
    "Invoice INV-{n} from Acme Ltd for $1,2{n}.00",
    "I can't log in since the update.",
    "Congratulations! You've won a free cruise, click here",
    "Works as described.",
]


def classify_prompt(r: random.Random) -> str:
    return r.choice(CLASSIFY).format(s=r.choice(SENTS).format(n=r.randint(10, 99)))


CHAT_USER = [
    "what's a good gift for my dad who likes fishing",
    "help me write a message to my landlord about the heating",
    "explain {t} simply",
    "plan a 3 day trip to {c}",
    "{p}",
    "rewrite this to sound more professional: hey, can't make it friday",
    "give me a workout plan",
    "what does it mean when my cat slow blinks",
    "write a poem about {t}",
    "is it safe to eat rice left out overnight",
    "summarise the news about {t}",
    "think step by step: {p}",
    "what's the best way to learn {l}",
    "tell me a fun fact",
]


def chat_prompt(r: random.Random) -> str:
    return r.choice(CHAT_USER).format(
        t=r.choice(TOPICS), c=r.choice(CITIES), p=any_problem(r, (3, 1, 2, 3)), l=r.choice(LANGS)
    )


DEV_USER = [
    "test",
    "hello",
    "Say hi",
    "What model are you?",
    "Write a {l} function that {c}.",
    "{p}",
    "Explain the difference between TCP and UDP",
    "Generate a SQL query to get the top 5 customers by revenue",
    "Summarise this README for me",
    "Give me 10 startup ideas about {t}",
    "Reply with OK",
    "ping",
    "Explain your reasoning step by step: {p}",
    "{q}",
]


def dev_prompt(r: random.Random) -> str:
    return r.choice(DEV_USER).format(
        l=r.choice(LANGS),
        c=r.choice(CODE_TASKS),
        t=r.choice(TOPICS),
        p=any_problem(r),
        q=logic_problem(r),
    )


def code_complete_prompt(r: random.Random) -> str:
    return (
        f"# file: {r.choice(AGENT_WORDS)}_{r.choice(['utils', 'service', 'models'])}."
        f"{r.choice(['py', 'ts', 'java'])}\n...\ndef {r.choice(AGENT_WORDS)}_"
        f"{r.choice(['load', 'save', 'validate', 'merge'])}("
    )


COMPANIES = [
    "Northwind Outfitters",
    "Bluebird Telecom",
    "Casa Verde Homes",
    "Skyline Air",
    "Pixelforge Games",
    "Greenleaf Grocers",
    "Atlas Bank",
    "Meridian Insurance",
]


def person(r: random.Random) -> str:
    return r.choice(NAMES)


def researcher_prompt(r: random.Random) -> str:
    return r.choice(
        ["Q: {p}\nA:", "Statement: {s}\nTrue or False?", "{s} The sentiment is"]
    ).format(p=science_problem(r), s=r.choice(SENTS).format(n=r.randint(10, 99)))
