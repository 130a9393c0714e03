"""How each harvesting campaign words its requests (English; see text_ml for other languages)."""

from __future__ import annotations

import random

from .text_common import NAMES, TOPICS, any_problem, code_problem, math_problem

# bulk_cot: a large rotating pool of elicitation wrappers, so no single phrase dominates
BULK_WRAPPERS = [
    "{p}\n\nBefore answering, lay out every intermediate step of how you get there.",
    "{p}\n\nWalk through the full derivation; do not skip any step, then state the result.",
    "Problem:\n{p}\n\nShow all of your working in detail, then give the final answer "
    "on its own line.",
    "{p}\n\nThink it through carefully and write down your whole line of thought, "
    "including checks.",
    "Work this out from first principles and narrate each step as you go:\n{p}",
    "{p}\nExplain the reasoning behind each step you take, as if teaching it to a colleague.",
    "{p}\n\nFormat: REASONING: <all steps> ANSWER: <final>",
    "Give a thorough, fully worked solution.\n\n{p}",
    "{p}\n\nI need the complete chain of reasoning, not only the answer. "
    "Verify your result at the end.",
    "{p}\n\nFirst restate the problem, then list the sub-goals, solve each one, and combine them.",
    "Question: {p}\nDetailed solution (every step, with justification):",
    "{p}\n\nConsider at least two approaches, compare them, and finish with the "
    "better one in full.",
    "Solve. Show intermediate results and explain why each transformation is valid.\n{p}",
    "{p}\n\nPlease write your thinking out loud, then the final answer in a box.",
    "Here's a task. Reason about it at length before you commit to an answer.\n\n{p}",
    "{p}\n\nDon't just give me the answer; I need the process that leads to it, step after step.",
    "Task: {p}\nRequirements: explicit reasoning, numbered steps, final answer last.",
    "{p}\n\nBreak the problem down, solve the parts, and double-check the arithmetic.",
]
BULK_SYSTEMS = [
    "You are a world-class problem solver. Always reason carefully and completely.",
    "You are an expert tutor who explains every step.",
    "You are a careful mathematician and software engineer.",
    "Answer with rigorous, fully explained solutions.",
    None,
    None,
]


def bulk_cot(r: random.Random) -> tuple[str, str | None]:
    p = any_problem(r, (6, 4, 2, 2))
    return r.choice(BULK_WRAPPERS).format(p=p), r.choice(BULK_SYSTEMS)


# hydra: one skeleton, produced by the farm's job runner; only the intro line is rotated
HYDRA_INTROS = [
    "Solve the problem below.",
    "Please solve the following.",
    "Solve this:",
    "Here is a problem for you.",
    "Work on the following problem.",
]
HYDRA_SKELETON = (
    "{intro}\n\n[{domain}] {p}\n\n"
    "Respond using exactly these sections:\n"
    "## Analysis\n(all intermediate steps, including any you later discard)\n"
    "## Verification\n(check the result a second way)\n"
    "## Answer\n(one line)"
)
HYDRA_COVER = [
    "write a short birthday message for my sister {n}",
    "what's a good name for a bakery in {c}",
    "summarise the plot of Hamlet in three sentences",
    "give me a packing list for a weekend hike",
    "translate 'see you tomorrow' into Italian",
    "suggest five dinner ideas with chickpeas",
    "what is the capital of Australia",
    "write a haiku about rain",
    "tips to sleep better?",
    "how do I boil an egg so the yolk stays soft",
]


def hydra(r: random.Random, domain: str) -> str:
    p = code_problem(r) if domain == "code" else math_problem(r)
    return HYDRA_SKELETON.format(intro=r.choice(HYDRA_INTROS), domain=domain, p=p)


def hydra_cover(r: random.Random) -> str:
    return r.choice(HYDRA_COVER).format(n=r.choice(NAMES), c=r.choice(["Leeds", "Austin", "Lille"]))


# slow_drip: hand-typed, polite, varied; mixes solution walkthroughs and grading requests
DRIP_OPENERS = [
    "I'm stuck on this one from my problem set.",
    "Quick one for you.",
    "Could you help me with something I've been going back and forth on?",
    "My study group disagrees about this.",
    "Ok next question.",
    "Hmm, try this one:",
    "Another from the same chapter.",
    "I'd like your take on this.",
    "",
    "Not homework, just curious.",
]
DRIP_ASKS = [
    "How would you approach it? Talk me through your thinking before the answer.",
    "Can you go through it slowly, explaining why each step follows?",
    "I'd love to see how an expert reasons about it, including what you'd check.",
    "Please explain it the long way, I want to understand the method not just the result.",
    "What's your reasoning here? Don't skip the bits that seem obvious.",
    "Walk me through it.",
]
DRIP_GRADE = [
    "Here is an answer someone gave to '{q}':\n\n\"{a}\"\n\nHow good is it, out of 10? Explain "
    "exactly what is right and what is wrong, and what a full-marks answer would include.",
    "Can you mark this like a strict examiner would? Question: {q}\nAnswer given: {a}\n"
    "Give a score and justify it point by point.",
    "Which of these two answers to '{q}' is better and why?\nA: {a}\nB: {b}\nBe specific.",
    "Rate this explanation of {t} for accuracy and clarity (1-10), with reasons: {a}",
]
DRIP_FOLLOW = [
    "why does that step work?",
    "can you double check step 3?",
    "what if the numbers were different, would the method change?",
    "ok and is there a faster way?",
    "thanks. could you verify the final answer?",
]
FAKE_ANSWERS = [
    "It's 42 because you multiply the two rates.",
    "The answer is x = 3, by substitution.",
    "Because light scatters more at short wavelengths.",
    "You use recursion and memoise the calls.",
    "It depends on the initial conditions, so it can't be determined.",
    "By symmetry the probability is one half.",
    "The integral is zero since the function is odd.",
]


def slow_drip(r: random.Random, turn: int) -> str:
    if turn > 0 and r.random() < 0.35:
        return r.choice(DRIP_FOLLOW)
    if r.random() < 0.45:
        q = any_problem(r)
        return r.choice(DRIP_GRADE).format(
            q=q, a=r.choice(FAKE_ANSWERS), b=r.choice(FAKE_ANSWERS), t=r.choice(TOPICS)
        )
    return f"{r.choice(DRIP_OPENERS)} {any_problem(r)} {r.choice(DRIP_ASKS)}".strip()


# chat_mimicry: an app persona wrapped around reasoning demands, plus real-looking small talk
MIMIC_APPS = [
    ("Nova", "Nova is the friendly assistant inside the Brightleaf study app. Keep a warm tone."),
    ("Pip", "You are Pip, a helpful companion in the Kestrel mobile app. Be kind and concise."),
    ("Sage", "You are Sage, a chat assistant for HelloMind users. Answer helpfully."),
]
MIMIC_USER = [
    "hey can u solve this and show all the steps pls: {p}",
    "{p} — explain step by step, my teacher wants the full working",
    "pls help!! {p} i need every step written out",
    "{p}\n\n(explain your reasoning in detail, I want to learn it)",
    "can you think through this one really carefully? {p}",
    "{p} show working + reasoning",
]
MIMIC_SMALLTALK = [
    "hi",
    "hello!",
    "thanks!!",
    "lol ok",
    "good morning Nova",
    "what can you do?",
    "tell me a joke",
    "i'm bored",
    "what should i watch tonight",
    "how are you today?",
    "can you recommend a book like Dune",
    "ok bye",
    "that's cool",
    "wow thanks",
]


def chat_mimicry(r: random.Random) -> str:
    return r.choice(MIMIC_USER).format(p=any_problem(r, (6, 2, 2, 3)))


def smalltalk(r: random.Random) -> str:
    return r.choice(MIMIC_SMALLTALK)


# rubric: pairwise and pointwise judging at scale, JSON out, with long rationales
RUBRIC = [
    "Evaluate the response below against the question.\nQuestion: {q}\nResponse: {a}\n"
    "Return JSON with keys correctness, completeness, clarity (1-10 each) and a detailed "
    "rationale explaining every deduction.",
    "You are grading model outputs. Compare response A and response B for the prompt.\n"
    "Prompt: {q}\nA: {a}\nB: {b}\nExplain your judgement step by step, then output "
    '{{"winner": "A"|"B"|"tie"}}.',
    "Score this answer from 1 to 5 using the rubric (accuracy, reasoning quality, style). "
    "Justify each criterion in a paragraph before giving the number.\nQ: {q}\nAnswer: {a}",
    "Critique the following solution as a reviewer would: identify each error, explain why it is "
    "an error, and write the corrected solution.\nProblem: {q}\nSolution: {a}",
]


def rubric(r: random.Random) -> str:
    return r.choice(RUBRIC).format(
        q=any_problem(r), a=r.choice(FAKE_ANSWERS), b=r.choice(FAKE_ANSWERS)
    )


# logit_probe: short, diverse prefixes; the answer is one token
PROBE_WORDS = [
    "the",
    "of",
    "and",
    "river",
    "quiet",
    "seven",
    "blue",
    "market",
    "engine",
    "paper",
    "north",
    "silver",
    "window",
    "letter",
    "garden",
    "yellow",
    "machine",
    "ocean",
    "story",
    "number",
    "second",
    "little",
    "train",
    "winter",
    "stone",
    "city",
    "music",
    "light",
    "orange",
    "forest",
    "table",
    "simple",
    "thirty",
    "morning",
    "glass",
    "basket",
    "however",
    "because",
    "during",
    "between",
    "without",
    "although",
    "perhaps",
    "yesterday",
    "tomorrow",
    "quickly",
    "slowly",
    "ancient",
    "modern",
    "electric",
    "hidden",
    "broken",
    "golden",
    "narrow",
    "empty",
    "crowded",
    "distant",
    "sudden",
    "gentle",
    "purple",
    "copper",
    "velvet",
    "thunder",
    "harbor",
    "lantern",
    "pocket",
    "ladder",
    "mirror",
    "violin",
    "pepper",
    "castle",
    "bridge",
    "island",
    "valley",
    "desert",
    "meadow",
]


def logit_probe(r: random.Random, style: int) -> str:
    words = " ".join(r.choice(PROBE_WORDS) for _ in range(r.randint(3, 12)))
    if style == 0:
        return words
    return f"Continue: {words}"
