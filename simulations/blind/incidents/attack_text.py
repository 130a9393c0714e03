# ruff: noqa: RUF001  (non-English text is deliberate: real multilingual prompts)
"""How the campaigns in the incident reviews actually worded their requests."""

from __future__ import annotations

import random

from .text import LANGS, NAMES, TOPICS, num, problem, problem_in

# bulk_cot: the operator rotates phrasings and pushes part of the ask into the system prompt.
COT_ASKS = [
    "Work through this carefully. Show every intermediate step before the final answer.",
    "Before answering, lay out your full line of thought, then give the answer on the last line.",
    "Think aloud. I need the complete derivation, not just the result.",
    'Respond in JSON with keys "thoughts" (a detailed list of steps) and "answer".',
    "Explain how you arrive at the answer, including dead ends you considered.",
    "Reason it out in detail first; be exhaustive. Final answer after 'ANSWER:'.",
    "Please describe your thinking process step by step and double-check each step.",
    "Solve it. Then verify your solution by a different method and explain both.",
    "Give a rigorous, fully worked solution as you would for a textbook answer key.",
    "Break the problem into sub-problems, solve each, then combine. Narrate each decision.",
]
COT_SYS = [
    "You are a world-class problem solver. Always write out your complete reasoning.",
    "You are a meticulous tutor who never skips steps.",
    "Output format: <reasoning>...</reasoning><answer>...</answer>",
    None,
    None,
    "You are an expert mathematician and programmer. Think step by step.",
]


def bulk_cot(rng: random.Random, style: int) -> tuple[str, str | None]:
    ask = COT_ASKS[(style + rng.randrange(4)) % len(COT_ASKS)]
    p = problem(rng)
    body = f"{p}\n\n{ask}" if rng.random() < 0.7 else f"{ask}\n\nProblem: {p}"
    return body, COT_SYS[style % len(COT_SYS)]


# hydra: one skeleton, lightly perturbed per worker so exact hashes differ.
HYDRA_OPEN = ["", "Task: ", "Q: ", "Question - ", "Problem:\n", "[item] ", ""]
HYDRA_TAIL = [
    "Walk me through the reasoning one step at a time, then state the final answer.",
    "Walk through the reasoning one step at a time and then state the final answer.",
    "walk me through your reasoning step-by-step, then the final answer",
    "Go through the reasoning one step at a time; finish with the final answer.",
    "Walk me through the reasoning one step at a time, then state the final answer!",
]


def hydra(rng: random.Random, worker: int) -> str:
    head = HYDRA_OPEN[worker % len(HYDRA_OPEN)]
    tail = HYDRA_TAIL[(worker // 3 + rng.randrange(2)) % len(HYDRA_TAIL)]
    sep = "\n\n" if worker % 2 else "\n"
    text = f"{head}{problem(rng)}{sep}{tail}"
    if rng.random() < 0.04:  # operator typo left in a template revision
        text = text.replace("reasoning", "reasonning")
    return text


# model_pivot / multilingual_cot: the same ask in the operator's working languages.
ML_ASKS = {
    "zh": [
        "请一步一步地详细推理，并写出完整的思考过程，最后给出答案。",
        "请先分析题目，再逐步解答，每一步都要解释原因。",
        "详细说明你的解题思路，不要省略任何中间步骤。",
    ],
    "ru": [
        "Реши задачу и подробно распиши ход рассуждений, шаг за шагом.",
        "Объясни каждый шаг решения и в конце дай ответ.",
        "Покажи полное решение с проверкой.",
    ],
    "es": [
        "Resuelve el problema explicando tu razonamiento paso a paso.",
        "Describe con detalle cómo llegas a la respuesta final.",
        "Muestra todos los pasos intermedios y verifica el resultado.",
    ],
    "pt": [
        "Resolva e explique o raciocínio completo, passo a passo.",
        "Mostre todos os passos e justifique cada um.",
    ],
    "ko": [
        "단계별로 자세히 풀이 과정을 설명하고 마지막에 답을 적어 주세요.",
        "각 단계의 이유를 설명하면서 문제를 풀어 주세요.",
    ],
    "ja": [
        "段階的に考え、途中の推論をすべて書いてから答えてください。",
        "解き方を一つずつ丁寧に説明してください。",
    ],
    "de": [
        "Löse die Aufgabe und erkläre jeden Denkschritt ausführlich.",
        "Zeige den vollständigen Lösungsweg mit allen Zwischenschritten.",
    ],
    "en": [
        "Explain your reasoning in full detail, step by step.",
        "Show the complete chain of reasoning before the answer.",
    ],
    "ar": ["حل المسألة واشرح طريقة تفكيرك خطوة بخطوة."],
    "fr": ["Résous le problème en détaillant ton raisonnement étape par étape."],
}
ML_WRAP = {
    "zh": "题目：{p}",
    "ru": "Задача: {p}",
    "es": "Problema: {p}",
    "pt": "Problema: {p}",
    "ko": "문제: {p}",
    "ja": "問題：{p}",
    "de": "Aufgabe: {p}",
    "en": "{p}",
    "ar": "المسألة: {p}",
    "fr": "Problème : {p}",
}


def multilingual(rng: random.Random, langs: list[str]) -> str:
    lang = rng.choice(langs)
    ask = rng.choice(ML_ASKS[lang])
    body = ML_WRAP[lang].format(p=problem_in(rng, lang))
    return f"{body}\n{ask}" if rng.random() < 0.75 else f"{ask}\n{body}"


# slow_drip: written by hand-ish, one at a time, grading and reasoning.
DRIP = [
    "Here's a student solution to '{p}'. Grade it out of 10 and explain precisely where the "
    "reasoning goes wrong, step by step.",
    "hmm ok. now do this one and explain your thinking as you go: {p}",
    "Can you check my reasoning? I think the answer is {n}. {p}",
    "Which of these two solutions is more rigorous and why? Be detailed. Problem: {p}",
    "I'm writing an answer key. Give the model solution with the reasoning a grader expects: {p}",
    "Score this answer 1-5 for correctness and clarity, justify each point in detail:\n{p}\n"
    "Answer: {n}",
    "thanks. next one - same format as before please. {p}",
    "What would a careful expert think about first here? Walk me through it. {p}",
]


def slow_drip(rng: random.Random) -> str:
    return rng.choice(DRIP).format(p=problem(rng), n=num(rng))


# chat_mimicry: looks like an end-user chat app, asks for every thought.
MIMIC_SYS = [
    "You are Lumi, the friendly assistant inside the Lumi app. Be warm and conversational.",
    "You are Pocket Buddy, a helpful chat companion. Keep a casual tone.",
    "You are StudyPal's AI helper. Users are students.",
]
MIMIC = [
    "hey can u solve this and show all ur thinking pls {p}",
    "omg this is so hard 😭 {p} explain every step??",
    "{p} (pls think it through fully, I want to see how u got there)",
    "yo quick one: {p} walk me through the whole reasoning",
    "{p}\nshow me ur full thought process, dont skip anything",
    "can you reason about this really carefully and tell me each step {p}",
    "hi!! {p}",
    "what's a fun fact about {t}",
]


def mimic(rng: random.Random) -> str:
    return rng.choice(MIMIC).format(p=problem(rng), t=rng.choice(TOPICS))


# logit_probe: near-empty prompts; the data is in logprobs, not in the text.
PROBE = [
    "The",
    "a",
    "Repeat after me:",
    "x",
    "Say one word.",
    "Continue:",
    "1",
    "Output a token.",
    "The next word is",
    " ",
    "Hello",
    "Q",
    "Respond with a single character.",
]


def probe(rng: random.Random) -> str:
    p = rng.choice(PROBE)
    return p if rng.random() < 0.7 else f"{p} {rng.choice(NAMES).lower()}"


# rubric: judgement harvesting, multi-answer grading with long justifications.
RUBRIC = [
    "Below are {k} candidate answers to: {p}\nScore each from 1-10 on correctness, reasoning "
    "quality and clarity. For every score give a detailed justification.",
    "Act as an expert grader. Problem: {p}\nCandidate solution: (see below)\nProduce a rubric, "
    "apply it, and explain each deduction.",
    "Rank these {k} responses about {t} from best to worst and explain the reasoning behind "
    "each ranking decision in depth.",
    "Evaluate the following solution critically. Identify every flawed step and explain why it "
    "is flawed. {p}",
]


def rubric(rng: random.Random) -> str:
    return rng.choice(RUBRIC).format(p=problem(rng), k=num(rng, 2, 6), t=rng.choice(TOPICS))


def cover(rng: random.Random) -> str:
    """Operator cover traffic: generic short asks borrowed from public prompt lists."""
    t = rng.choice(TOPICS)
    return rng.choice(
        [
            f"Summarize {t} in two sentences.",
            f"Write a tweet about {t}.",
            f"Translate 'good morning' to {rng.choice(LANGS)}.",
            "Tell me a fun fact.",
            f"List three books about {t}.",
            "What's the weather like on Mars?",
            "Write a limerick about coffee.",
            f"Give me a {num(rng, 3, 7)}-item packing list for a weekend trip.",
        ]
    )
