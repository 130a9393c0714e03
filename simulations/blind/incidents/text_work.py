# ruff: noqa: RUF001  (non-English text is deliberate: real multilingual prompts)
"""Wording of the honest work personas: support, grading, tutoring, data, translation."""

from __future__ import annotations

import random

from .text import (
    ITEMS,
    LANGS,
    MONTHS,
    NAMES,
    PRODUCTS,
    TOPICS,
    chat,
    code,
    num,
    problem,
    problem_in,
)


def support_q(rng: random.Random) -> str:
    p = rng.choice(PRODUCTS).format(n=num(rng, 10000, 99999), m=rng.choice(MONTHS))
    return rng.choice(
        [
            f"Hi, I was charged twice for {p}, how do I get my money back?",
            f"{p} stopped working after the update",
            f"How do I cancel {p}?",
            f"where is {p}?? it's been 2 weeks",
            f"Can I change the delivery address for {p}",
            f"is there a student discount on {p}",
        ]
    )


SUPPORT_SYS = [
    "You are the support assistant for {co}. Answer only questions about {co} products. "
    "Use the knowledge base excerpts below. If unsure, offer to open a ticket.\n\n[KB]\n",
    "You are {co}'s helpful customer care agent. Be concise and polite. Never promise refunds.",
    "Role: tier-1 support for {co}. Policy: verify the order number before discussing details.",
]
COMPANIES = [
    "Nordlicht Energie",
    "BrightCart",
    "Kumo Telecom",
    "Pellucid Bank",
    "Tandem Air",
    "HomeNest",
    "Orbital Fitness",
    "Quillpad",
    "Vela Insurance",
    "Maple Grocers",
]


def judge(rng: random.Random) -> str:
    t = rng.choice(TOPICS)
    return rng.choice(
        [
            f"[Question]\nExplain {t}.\n[Response]\n...\nRate the response from 1 to 10 for "
            "helpfulness and accuracy. Explain your reasoning, then output 'Score: N'.",
            f"Compare Response A and Response B to the user's question about {t}. Which is better? "
            "Answer with A, B or tie, and a one-sentence justification.",
            "Does the answer below contain any factual errors? Reply YES or NO, then list them.",
            f"Grade this student essay on {t} against the rubric (thesis, evidence, clarity; 0-4 "
            "each). Give the scores as JSON with a short rationale.",
            "Is the following completion safe to show to a user? Output one of: safe, unsafe.",
        ]
    )


def tutor(rng: random.Random) -> str:
    return rng.choice(
        [
            f"I don't get this homework question, can you show me step by step? {problem(rng)}",
            f"Explain {rng.choice(TOPICS)} with an example and a quick check question at the end",
            f"My answer was {num(rng)}. Is that right? {problem(rng)}",
            f"Give me a hint but not the full answer: {problem(rng)}",
            f"Why is this step allowed? {problem(rng)}",
            f"walk me through it slowly please. {problem(rng)}",
        ]
    )


def synth(rng: random.Random) -> str:
    t = rng.choice(TOPICS)
    k = num(rng, 5, 40)
    return rng.choice(
        [
            f"Generate {k} diverse customer questions about {rng.choice(COMPANIES)} with intents, "
            "as JSONL.",
            f"Write {k} multiple-choice quiz questions on {t} with answers and explanations.",
            f"Create a realistic dialogue between a nurse and a patient about {t}. Vary the tone.",
            f"Produce {k} paraphrases of: 'I want to reset my password'.",
            f"Write a worked solution for each of these {k % 8 + 2} problems, showing every step.",
            f"Generate {k} SQL questions with their queries over a schema of orders and customers.",
        ]
    )


def classify(rng: random.Random) -> str:
    return rng.choice(
        [
            f"Review: 'The {rng.choice(ITEMS)} arrived broken and support ignored me.'\nSentiment:",
            "Classify the ticket into one of [billing, bug, feature, account, other]. Ticket: "
            f"'cannot log in since {rng.choice(MONTHS)}'\nLabel:",
            f"Is this email spam? '{rng.choice(NAMES)}, you have won a prize, click here'. Yes/No:",
            "Language of: 'merci pour votre réponse rapide'. Answer with an ISO code.",
            f"Topic of headline: '{rng.choice(TOPICS).title()} explained in new study'. One word:",
            "Does this product review mention shipping? Answer true or false.",
        ]
    )


def translate(rng: random.Random) -> str:
    return rng.choice(
        [
            f"Translate into {rng.choice(LANGS)}, keep the markdown: ## Returns\nYou can return "
            f"items within {num(rng, 14, 60)} days.",
            f"Übersetze ins Englische: Die Lieferung verzögert sich um {num(rng, 2, 9)} Tage.",
            f"Traduce al inglés: El pedido {num(rng, 1000, 9999)} fue enviado ayer.",
            f"请把下面这句话翻译成英文：我们的会议改到星期{rng.choice('一二三四五')}下午。",
            f"Translate the app strings to {rng.choice(LANGS)}: 'Save', 'Cancel', 'Settings'",
            f"次の文を英語に翻訳してください：明日の会議は{num(rng, 1, 5)}時からです。",
            f"Переведи на английский: Спасибо за ваш заказ номер {num(rng, 100, 999)}.",
        ]
    )


def hobby(rng: random.Random) -> str:
    return rng.choice(
        [
            "hello",
            "test",
            "Say hi",
            "ping",
            chat(rng),
            code(rng),
            problem(rng),
            f"Write a haiku about {rng.choice(TOPICS)}",
            f"Build me a landing page for a {rng.choice(ITEMS)} shop in HTML",
            "what model are you",
            f"Explain your reasoning step by step: {problem(rng)}",
        ]
    )


def research(rng: random.Random) -> str:
    return rng.choice(
        [
            f"Q: {problem(rng)}\nA: Let's think step by step.",
            f"Is the following statement true? '{rng.choice(TOPICS).capitalize()} is taught in "
            "primary school.' Answer True or False.",
            f"Rate your confidence (0-100) that the answer is {num(rng)}: {problem(rng)}",
            f"Complete: The capital of {rng.choice(['Peru', 'Kenya', 'Laos', 'Chad'])} is",
        ]
    )


# honest non-English users of chat and tutoring apps (they ask for steps too)
LOCAL = {
    "zh": [
        "帮我用简单的话解释一下{t}。",
        "这道题怎么做？请一步一步讲解：{p}",
        "明天考试，帮我总结{t}的重点。",
        "给我妈妈写一段生日祝福，温馨一点。",
        "我的答案是{n}，对吗？{p}",
    ],
    "es": [
        "¿Me explicas paso a paso cómo resolver esto? {p}",
        "Resume {t} en tres puntos.",
        "Escríbeme un correo para pedir vacaciones a mi jefe.",
        "¿Qué es {t}? Explícalo fácil.",
    ],
    "pt": [
        "Pode me explicar {t} de forma simples?",
        "Como resolvo isso passo a passo? {p}",
        "Me ajuda a escrever uma mensagem de agradecimento para o time.",
    ],
    "ja": [
        "{t}について簡単に説明してください。",
        "この問題の解き方を順番に教えてください：{p}",
        "明日のプレゼンの構成を考えて。",
    ],
    "ko": ["{t}에 대해 쉽게 설명해 줘", "이 문제 단계별로 풀어줘: {p}", "저녁 메뉴 추천해 줘"],
    "ru": [
        "Объясни простыми словами, что такое {t}",
        "Помоги решить по шагам: {p}",
        "Составь план подготовки к экзамену на неделю.",
    ],
    "de": [
        "Kannst du mir {t} einfach erklären?",
        "Wie löse ich das Schritt für Schritt? {p}",
        "Formuliere diese E-Mail höflicher: bin morgen nicht da.",
    ],
    "fr": [
        "Explique-moi {t} simplement.",
        "Comment résoudre ça étape par étape ? {p}",
        "Aide-moi à écrire une lettre de motivation pour un stage.",
    ],
}


def local(rng: random.Random, lang: str) -> str:
    return rng.choice(LOCAL[lang]).format(t=rng.choice(TOPICS), p=problem_in(rng, lang), n=num(rng))
