"""What honest back-office jobs and people send: extraction, evals, classifiers, judges,
graders, translators, power users, hobbyists and hackathon teams."""

from __future__ import annotations

from random import Random

from .problems import NAMES, problem

EXTRACT_SYSTEM = (
    "You extract structured data. Return only valid JSON matching the schema. Use null for "
    "missing fields. Do not add commentary."
)
VENDORS = ["Acme Industrial", "Nordlicht GmbH", "Blue Heron Foods", "Kowalski & Sons", "Tatsu KK"]
GOODS = ["widget", "cable", "license", "service hour", "pallet"]
SURNAMES = ["Okafor", "Lindqvist", "Tanaka", "Moreau", "Singh"]
JOBS = ["data engineer", "nurse", "accountant", "designer"]
SKILLS = ["SQL", "Excel", "Python", "Figma", "SAP", "triage", "IFRS"]
LAWS = ["England", "Delaware", "Bavaria"]


def extraction_prompt(rng: Random) -> str:
    kind = rng.choice(["invoice", "receipt", "resume", "contract", "shipping notice"])
    if kind in ("invoice", "receipt"):
        lines = "\n".join(
            f"{rng.randint(1, 40)} x {rng.choice(GOODS)} @ {rng.randint(200, 90000) / 100:.2f}"
            for _ in range(rng.randint(2, 9))
        )
        date = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
        vat = rng.choice([7, 19, 20, 21])
        body = (
            f"{rng.choice(VENDORS)}\nInvoice no. {rng.randint(10000, 99999)}  Date: {date}\n"
            f"{lines}\nVAT {vat}%"
        )
        schema = '{"vendor": str, "number": str, "date": str, "lines": [...], "total": float}'
    elif kind == "resume":
        skills = ", ".join(rng.sample(SKILLS, 3))
        body = (
            f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}\nSenior {rng.choice(JOBS)}, "
            f"{rng.randint(3, 20)} years. Skills: {skills}"
        )
        schema = '{"name": str, "title": str, "years": int, "skills": [str]}'
    else:
        body = (
            f"This {kind} is entered into between {rng.choice(VENDORS)} and {rng.choice(VENDORS)} "
            f"on {rng.randint(1, 28)} March 2026. Term: {rng.randint(6, 36)} months. Notice: "
            f"{rng.choice([30, 60, 90])} days. Governing law: {rng.choice(LAWS)}."
        )
        schema = '{"parties": [str], "start": str, "term_months": int, "notice_days": int}'
    return f"Schema: {schema}\n\nDocument ({kind}):\n{body}"


def dataset_prompt(rng: Random) -> str:
    product = rng.choice(
        [
            "wireless earbuds",
            "a standing desk",
            "a budgeting app",
            "hiking boots",
            "a meal-kit subscription",
            "a project management tool",
        ]
    )
    kind = rng.choice(
        [
            "customer reviews",
            "FAQ entries",
            "support tickets",
            "product descriptions",
            "search queries",
            "onboarding emails",
        ]
    )
    many, negative = rng.choice([10, 20, 25, 50]), rng.randint(10, 40)
    return (
        f"Generate {many} realistic {kind} for {product}. Vary tone, length and sentiment "
        f"({negative}% negative). Output a JSON array of objects with fields text and label."
    )


def gsm_prompt(rng: Random, shots: int) -> str:
    parts = [
        f"Question: {problem(rng, 'math')[0]}\nAnswer: <worked solution> #### {rng.randint(2, 900)}"
        for _ in range(shots)
    ]
    parts.append(f"Question: {problem(rng, 'math')[0]}\nAnswer: Let's think step by step.")
    return "\n\n".join(parts)


MC_SUBJECTS = [
    "high_school_biology",
    "college_physics",
    "professional_law",
    "econometrics",
    "world_religions",
    "clinical_knowledge",
    "formal_logic",
    "virology",
]


def mc_prompt(rng: Random) -> str:
    q, _ = problem(rng, rng.choice(["science", "math", "open"]))
    options = "\n".join(
        f"{letter}. {rng.choice(['True', 'False', 'Cannot be determined'])} ({rng.randint(1, 99)})"
        for letter in "ABCD"
    )
    subject = rng.choice(MC_SUBJECTS).replace("_", " ")
    return (
        f"The following are multiple choice questions about {subject}.\n\n{q}\n{options}\nAnswer:"
    )


TICKETS = [
    "I can't log in since the update, it says token expired",
    "please cancel my plan, too expensive",
    "the invoice shows the wrong company name",
    "your app crashed and I lost my draft!!!",
    "do you offer student discounts?",
    "this is a scam, I want my money back",
    "how do I export to CSV",
    "buy cheap followers now at my site",
]
CLASSIFY_SYSTEM = (
    "Classify the message into exactly one label: {labels}. Reply with the label only."
)
LABEL_SETS = [
    "billing, technical, cancellation, sales, spam",
    "safe, unsafe",
    "positive, neutral, negative",
    "urgent, normal, low",
]


def classify_prompt(rng: Random) -> str:
    return f"Message: {rng.choice(TICKETS)}\nLabel:"


JUDGE_SYSTEM = (
    "Please act as an impartial judge and evaluate the two responses to the user question. "
    "Consider helpfulness, accuracy and depth. Output your verdict strictly as [[A]], [[B]] or "
    "[[C]] for a tie, after a short explanation."
)


def judge_prompt(rng: Random) -> str:
    q, _ = problem(rng)
    a = rng.choice(
        [
            "The answer is 12, since the rates add.",
            "It depends; more context needed.",
            "Step 1: set up the equation. Step 2: solve. Result: 7.",
        ]
    )
    b = rng.choice(
        [
            "I believe the result is 14.",
            "Using the formula directly gives 9.5.",
            "Answer: 12. Check: 12 satisfies both conditions.",
        ]
    )
    return f"[User Question]\n{q}\n\n[Response A]\n{a}\n\n[Response B]\n{b}"


ESSAY_TOPICS = [
    "the causes of the First World War",
    "whether homework should be banned",
    "the symbolism in Lord of the Flies",
    "renewable energy in our town",
    "social media and teenagers",
    "the water cycle",
]
ESSAY_SENTENCES = [
    "In my opinion this is a very important topic for everyone.",
    "There are many reasons for this, firstly the economy was bad.",
    "On the other hand some people think differently and they have a point.",
    "For example my uncle works at a solar farm and he says it is the future.",
    "In conclusion, it is clear that we need to think carefully about it.",
    "Historians disagree about this but most agree that alliances were a factor.",
]


def essay_prompt(rng: Random) -> str:
    essay = " ".join(rng.choices(ESSAY_SENTENCES, k=rng.randint(6, 14)))
    return (
        f"Grade this year {rng.randint(7, 11)} essay on {rng.choice(ESSAY_TOPICS)} out of "
        f"{rng.choice([10, 20, 25])} using my rubric (argument, evidence, structure, spelling and "
        f"grammar). Give two strengths and two targets written to the student.\n\n{essay}"
    )


POWER_ASKS = [
    "I'm a {role} and I'm trying to decide between {a} and {b} for {goal}. Here's my situation: "
    "{detail} What would you recommend and what am I missing?",
    "Can you walk me through {topic}? I've read a few articles but still don't get the intuition.",
    "Here's my plan for {goal}: {detail} Poke holes in it.",
    "Help me think through this: {problem}",
    "I need to explain {topic} to my team tomorrow. Draft a 5 minute outline.",
]
ROLES = [
    "product manager",
    "nurse",
    "high school teacher",
    "freelance designer",
    "PhD student",
    "small business owner",
    "backend engineer",
    "lawyer",
]


def power_prompt(rng: Random) -> str:
    return rng.choice(POWER_ASKS).format(
        role=rng.choice(ROLES),
        a=rng.choice(["Postgres", "renting", "an MBA", "Rust", "a Roth IRA"]),
        b=rng.choice(["DynamoDB", "buying", "a bootcamp", "Go", "paying off debt"]),
        goal=rng.choice(["our new product", "the next five years", "a team of four", "my thesis"]),
        detail=rng.choice(
            [
                "budget is tight and we have 3 months.",
                "I have two kids and a mortgage.",
                "we expect 10x growth next year.",
                "my advisor is on sabbatical.",
            ]
        ),
        topic=rng.choice(
            [
                "how transformers use attention",
                "option pricing",
                "CRDTs",
                "how vaccines are tested",
                "the CAP theorem",
                "Bayesian updating",
            ]
        ),
        problem=problem(rng)[0],
    )


HOBBY = [
    "test",
    "hello",
    "hi are you working?",
    "say something funny",
    "write a haiku about {x}",
    "what is the capital of {y}",
    "tell me a joke about {x}",
    "Explain {z} like I'm five",
    "list 5 facts about {x}",
    "ping",
]


def hobby_prompt(rng: Random) -> str:
    return rng.choice(HOBBY).format(
        x=rng.choice(["cats", "coffee", "Mondays", "the ocean", "robots", "pizza"]),
        y=rng.choice(["Australia", "Canada", "Peru", "Kenya", "Mongolia"]),
        z=rng.choice(["blockchain", "black holes", "the stock market", "APIs", "DNA"]),
    )


HACK_SYSTEM = "You are a helpful assistant."
HACK_ASKS = [
    "Give me three ideas for an app that helps {who} with {what}.",
    "Write a short pitch for an app that helps {who} with {what}.",
    "Return a JSON list of 5 tasks for a {who} who wants to {what}.",
    "Summarize this in one sentence: Our team is building a tool for {who} to {what}.",
]


def hack_prompt(rng: Random, theme: tuple[str, str]) -> str:
    return rng.choice(HACK_ASKS).format(who=theme[0], what=theme[1])


TRANSLATE_SYSTEM = (
    "You are a professional localisation engine. Translate faithfully, preserve placeholders "
    "like {{name}} and HTML tags, and keep the tone of a consumer app."
)
UI_STRINGS = [
    "Your order has shipped! Track it <a href='{{url}}'>here</a>.",
    "Save 20% on your first year when you switch to annual billing.",
    "We couldn't process your payment. Please update your card details.",
    "Welcome back, {{name}}! You have 3 new messages.",
    "Free returns within 30 days. No questions asked.",
    "This feature is available on the Pro plan.",
]


def translate_prompt(rng: Random, target: str) -> str:
    lines = "\n".join(rng.sample(UI_STRINGS, rng.randint(1, 4)))
    return f"Translate to {target}:\n\n{lines}"
