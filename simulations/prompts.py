"""Prompt kinds: the templates, system prompts and follow-ups each persona or campaign uses.

Every kind draws on the shared lexicon, so vocabulary alone does not separate benign from
attack traffic; what differs is the mix (how often reasoning is demanded, how narrow the
topics, how few templates an account repeats) and the metadata around the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from simulations.grammar import Alternatives, Grammar
from simulations.i18n import FOREIGN, i18n_rules
from simulations.lexicon import ENGLISH, _w
from simulations.wording import DEFAULT, family

_EXTRA: dict[str, Alternatives] = {
    "tutor_open": _w(
        "I'm stuck on my homework.|My teacher explained this but I don't get it.|Can you help "
        "me understand this?|I have a test tomorrow.|Quick question from class:"
    ),
    "assistant": _w("Sunny|Max|Ava|Kai|Nova|Pip|Juno|Atlas"),
    "snippet": _w(
        "def process(items):\n    result = []\n    for x in items:\n        if x > {n}:\n"
        "            result.append(x * {d})\n    return result|for (let i = 0; i <= arr.length; "
        "i++) {{ total += arr[i]; }}|SELECT user_id, COUNT(*) FROM orders WHERE created_at > "
        "NOW() - INTERVAL '{d} days' GROUP BY 1;|func sum(xs []int) int {{ s := 0; for _, x := "
        "range xs {{ s += x }}; return s }}"
    ),
    "text_kind": _w("email|product description|support reply|legal notice|menu|tweet"),
    "support_task": _w(
        "reset their password|update the card on file|export last year's invoices|enable "
        "two-factor authentication|restore a deleted project|move their plan to annual billing"
    ),
    "chat_message": _w(
        "you are an idiot and everyone hates you|see you at the meeting tomorrow|can someone "
        "share the slides?|this is the worst service ever|great job on the launch, team"
    ),
    "chat_open": _w(
        "Can you help me write {writing_task}?|Give me a {d}-day itinerary for {city}."
        "|What's the difference between {concept} and {concept}?|Explain {concept} like I'm "
        "{n}.|{science_q}|What should I cook tonight with {item} and rice?|How do I ask my "
        "manager for a raise?|Recommend a book about {topic}."
    ),
}

_CHAT_FOLLOW = _w(
    "Thanks! Can you make it shorter?|Can you give me an example?|Why is that?|Can you "
    "explain that in simpler terms?|Walk me through your reasoning.|Great, next one: "
    "{chat_open}|Interesting. And what about {city}?|Can you say it in one word?|Now {reasoning}"
)
_JUDGE = (
    "Please act as an impartial judge and evaluate the response below for {rubric_item}. "
    "Rate it on a scale of 1 to 10.\n\n[Question]\n{problem}\n\n[Response]\n{candidate}"
)
_PAIRWISE = (
    "Which response is better, A or B? Judge {rubric_item} and {rubric_item}, explain your "
    "reasoning, then answer A or B.\n\n[Question]\n{problem}\n\n[Response A]\n{candidate}"
    "\n\n[Response B]\n{candidate}"
)
_SCORE = (
    "Score the following response on a scale of 1 to 10 for {rubric_item}. {reasoning} Then "
    "give the score.\n\n[Question]\n{problem}\n\n[Response]\n{candidate}"
)


@dataclass(frozen=True)
class PromptKind:
    """What an account of one persona or campaign may send. ``""`` system means none."""

    name: str
    templates: tuple[str, ...]
    systems: tuple[str, ...] = ("",)
    follow_ups: tuple[str, ...] = ()


def _kinds() -> dict[str, PromptKind]:
    translate = tuple(
        t
        for lang in ("en", *FOREIGN)
        for t in (
            f"Translate into {{lang_name}}: {{sentence_{lang}}}",
            f"Translate the following {{text_kind}} into {{lang_name}}, keeping the tone:"
            f"\n\n{{sentence_{lang}}} {{sentence_{lang}}}",
        )
    )
    kinds = [
        PromptKind(
            "chat",
            ("{chat_open}",),
            (
                "",
                "You are {assistant}, a friendly assistant in the {company} app. Keep answers "
                "short.",
                "You are a helpful assistant.",
            ),
            tuple(_CHAT_FOLLOW),
        ),
        PromptKind(
            "coding",
            (
                "{code_problem}",
                "Refactor this {code_lang} snippet to be more readable:\n{snippet}",
                "Add unit tests for a function that {code_task}.",
                "Explain what this code does:\n{snippet}",
                "Write a {code_lang} function that {code_task}. {reasoning}",
            ),
            (
                "You are a coding assistant inside an IDE. Answer with code first.",
                "You are a helpful assistant.",
                "You are a senior software engineer. Be concise.",
            ),
            (
                "That fails with {code_error}. Can you fix it?",
                "Can you add type hints?",
                "Now make it faster.",
                "Explain how you arrived at the answer.",
            ),
        ),
        PromptKind(
            "rag",
            (
                "Context:\n{doc}\n\nQuestion: {rag_question}",
                "Summarize the following {doc_type} in {d} bullet points:\n\n{doc}",
                "Extract all dates, amounts and names from this {doc_type} as JSON:\n\n{doc}",
            ),
            (
                "Answer the question using only the context below. If the answer is not in the "
                "context, say you don't know.",
                "You are a summarisation service for {company}.",
            ),
        ),
        PromptKind(
            "classification",
            (
                "Classify the sentiment of the following review as positive, negative, or "
                "neutral. Reply with one word.\n\nReview: {review}",
                "Assign this support ticket "
                "to one of: billing, technical, account, other. Answer with the category only."
                "\nTicket: {ticket}",
                "Does the following message contain harassment? Answer yes "
                "or no.\nMessage: {chat_message}",
                "Is this review about the {aspect}? Answer yes or no.\n{review}",
            ),
            ("", "You are a classifier. Output only the label.", "You are a helpful assistant."),
        ),
        PromptKind(
            "eval",
            (
                "Question: {math_problem}\n{reasoning_eval}",
                "The following is a multiple choice "
                "question about {subject}.\n\n{science_q}\nA. {word}\nB. {word}\nC. {word}\nD. "
                "{word}\nAnswer:",
                _JUDGE,
                _PAIRWISE,
                "Solve the problem. {answer_format}\n\n{problem}",
                "{problem}\n{reasoning_eval} {answer_format}",
                "Complete the sentence with one word: The {word} is",
                "Repeat the word {word} exactly once.",
                _SCORE,
                "Write a grading rubric with {d} criteria for answers to: {problem}",
            ),
            ("", "{expert}", "You are a strict grader."),
        ),
        PromptKind(
            "tutoring",
            (
                "{tutor_open} {problem} {reasoning_tutor}",
                "{math_problem} {reasoning_tutor}",
                "{tutor_open} {science_q}",
            ),
            (
                "You are a patient tutor for {grade} students. Explain step by step and check "
                "understanding.",
            ),
            (
                "I still don't get step {d}. Can you explain it differently?",
                "Can you give me a similar practice problem?",
                "{reasoning}",
                "Thanks! Next one: {problem}",
            ),
        ),
        PromptKind(
            "translation",
            translate,
            (
                "You are a professional translator. Output only the translation.",
                "",
                "You are a helpful assistant.",
            ),
        ),
        PromptKind(
            "synthetic",
            (
                "Generate {n} diverse {data_kind} for training a model for our {product} app. "
                "Return JSON lines with fields {fields}.",
                "Write {d} variations of the following "
                "question, keeping its meaning: {rag_question}",
                "Create a realistic {doc_type} about {company} for a demo.",
                "Generate a worked example with a step-by-step explanation for: {problem}",
            ),
            ("You generate synthetic training data for {company}. Be diverse and realistic.",),
        ),
        PromptKind(
            "support",
            (
                "Customer ticket: {ticket}\nWhat is the most likely cause, and how should I "
                "troubleshoot it? {reasoning}",
                "Draft a polite reply to this customer: {ticket}",
                "Explain to a customer how to {support_task}. {reasoning_tutor}",
                "Summarise this ticket thread for the next agent:\n\n{ticket} {ticket}",
            ),
            ("You are a support assistant for {company}. Be accurate and friendly.",),
            (
                "The customer says that didn't work. What next?",
                "Make the reply shorter.",
                "{reasoning}",
            ),
        ),
        # --- attack kinds: same lexicon, different mix
        PromptKind(
            "harvest",
            (
                "{problem} {reasoning_harvest}",
                "{reasoning_harvest}\n\n{problem}",
                "{problem}\n\n{reasoning_harvest} {answer_format}",
                "Problem: {math_problem}\n{reasoning_harvest}",
                "{code_problem} {reasoning_harvest}",
                "{logic_problem} {reasoning_harvest}",
                "Question: {math_problem}\n{reasoning_eval}",
            ),
            ("", "{expert}", "{expert} {reasoning_harvest}"),
        ),
        PromptKind(
            "drip",
            (
                "Could you help me understand this? {problem} {reasoning}",
                "{tutor_open} {problem} {reasoning_harvest}",
                "{problem} {reasoning_tutor}",
            ),
            ("", "You are a helpful assistant."),
        ),
        PromptKind(
            "rubric",
            (
                _SCORE,
                _PAIRWISE,
                _JUDGE,
                "Write a grading rubric with {d} criteria for answers to: {problem}",
            ),
            ("You are a strict grader.", "{expert}", ""),
        ),
        PromptKind(
            "probe",
            (
                "{word}",
                "Complete the sentence with one word: The {word} is",
                "Answer yes or no: is the {aspect} of this {product} {verdict}",
                "Repeat the word {word} exactly once.",
                "{word} {word} {word}",
            ),
        ),
        PromptKind(
            "mimic",
            ("{chat_open}",),
            ("", "You are a helpful assistant."),
            (
                "Great, next one: {problem} {reasoning_harvest}",
                "Now {reasoning_harvest}",
                "Walk me through your reasoning.",
                "Interesting. {problem} {reasoning}",
            ),
        ),
    ]
    out = {k.name: k for k in kinds}
    for lang in FOREIGN:
        out[f"tutoring_{lang}"] = PromptKind(
            f"tutoring_{lang}",
            (
                f"{{tutor_open_{lang}}} {{problem_{lang}}} {{reasoning_{lang}}}",
                f"{{problem_{lang}}} {{reasoning_{lang}}}",
            ),
            ("", "You are a patient tutor. Explain step by step and check understanding."),
            (f"{{reasoning_{lang}}}", f"{{problem_{lang}}}"),
        )
        out[f"chat_{lang}"] = PromptKind(
            f"chat_{lang}",
            (f"{{chat_{lang}}}",),
            ("",),
            (f"{{chat_{lang}}}", f"{{reasoning_{lang}}}"),
        )
        out[f"multilingual_{lang}"] = PromptKind(
            f"multilingual_{lang}",
            (
                f"{{problem_{lang}}} {{reasoning_{lang}}}",
                f"{{reasoning_{lang}}}\n{{problem_{lang}}}",
                f"{{tutor_open_{lang}}} {{problem_{lang}}} {{reasoning_{lang}}}",
            ),
        )
    return out


@cache
def grammar(wording: str = DEFAULT) -> Grammar:
    """The shared lexicon, plus the rules of a held-out wording family."""
    rules: dict[str, Alternatives] = {**ENGLISH, **i18n_rules(), **_EXTRA}
    if wording != DEFAULT:
        added = family(wording).rules
        clash = sorted(set(added) & set(rules))
        if clash:
            raise ValueError(f"wording {wording} redefines shared symbols {clash}")
        rules.update(added)
    g = Grammar(rules)
    g.validate()
    return g


@cache
def kinds(wording: str = DEFAULT) -> dict[str, PromptKind]:
    """Every prompt kind; a held-out family replaces the kinds it words its own way."""
    base = _kinds()
    if wording == DEFAULT:
        return base
    own = {name: PromptKind(name, *texts) for name, texts in family(wording).kinds.items()}
    unknown = sorted(set(own) - set(base))
    if unknown:
        raise ValueError(f"wording {wording} words unknown prompt kinds {unknown}")
    return {**base, **own}


def kind(name: str, wording: str = DEFAULT) -> PromptKind:
    try:
        return kinds(wording)[name]
    except KeyError:
        raise KeyError(f"unknown prompt kind {name!r}; known: {sorted(kinds())}") from None
