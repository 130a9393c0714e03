# ruff: noqa: RUF001 - the stems are meant to be in these scripts
"""Cues of what a prompt asks for that do not hang on any one phrase.

The phrase flags of :mod:`service.features.content` match the wording public
reports quote; a campaign that rewords its requests matches them only in part.
These cues read the same excerpt for *kinds* of words instead: stems that ask
for reasoning or explanation (``reason``, ``deriv``, ``justif``, ``rationale``,
``推理``...), stems that ask for all of it (``entire``, ``verbatim``, ``don't
skip``...), stems of grading and comparison, and the marks of an answer-format
instruction (``Answer:``, tags, JSON, a boxed result). Elicitation is weighed
by how many *different* stems a prompt uses, so rewording one phrase moves the
cue a little; it does not switch it off.

All stems go into the one automaton of :mod:`service.features.content`, each
with its language, which is how a reasoning request's language is told.
"""

from __future__ import annotations

# Stems that ask for a worked answer: each says it nearly alone (two make the cue full).
_SPECIFIC = {
    "en": "reasoning|step by step|step-by-step|steps|thought process|thinking process"
    "|rationale|derivation| derive |justify|justification|chain of|intermediate|deliberat"
    "|logic behind|line of reasoning|train of thought|how you got|how you arrived"
    "|how you reached|show your work|show the work|work through|walk through|walk me through"
    "|think through|think aloud|think out loud|reason through|solution path|problem-solving",
    "zh": "推理|步骤|思考过程|思路|逐步|推导",
    "ja": "推論|手順|考え方|段階的|途中式",
    "ko": "추론|단계|풀이",
    "ru": "рассужд|пошаг|шаг за|по шагам|вывод решения",
    "es": "razonamiento|razona|paso a paso|pasos",
    "fr": "raisonnement|étape|pas à pas|démarche",
    "pt": "raciocínio|passo a passo|etapas",
    "it": "ragionamento|passaggi|passo dopo",
    "de": "schritt|gedankengang|herleitung|lösungsweg",
    "tr": "adım|akıl yürüt|çözüm yolu",
    "vi": "lập luận|suy luận|từng bước|các bước",
    "ar": "الاستدلال|خطوة|خطوات",
}
# Stems as common in chat as in harvesting: several are needed before the cue is full.
_GENERIC = {
    "en": "explain|explanation|in detail|detailed|elaborate|break down|breakdown|spell out"
    "|lay out|articulat|narrat| outline| infer| deduc| logic| thinking| think | thought"
    "| process| approach|why each|each stage|each part| verify|check each| working",
    "zh": "解释|说明|详细|为什么",
    "ja": "説明|詳しく|考え",
    "ko": "설명|자세히|생각",
    "ru": "объясн|подробн|логик",
    "es": "explica|detalla|lógica",
    "fr": "expliqu|détaill|logique",
    "pt": "explique|detalh|lógica",
    "it": "spiega|dettagli|logica",
    "de": "erklär|begründ|ausführlich|logik",
    "tr": "açıkla|gerekçe|mantı",
    "vi": "giải thích|chi tiết",
    "ar": "شرح|تفكير|منطق",
}
# Stems that ask for all of it: the whole trace rather than an explanation.
_COMPLETE = {
    "en": " internal| inner| hidden| raw |verbatim| complete| entire| full | fully| whole| every "
    "|all of|all the|nothing out|don't skip|do not skip|without skipping|no step|exhaustive"
    "|unabridged|monologue|scratchpad|scratch work|stream of|out loud|aloud|including the"
    "|leave nothing|omit nothing|each and every",
    "zh": "完整|全部|所有",
    "ja": "全て|すべて|完全",
    "ko": "전체|모든",
    "ru": "полн|весь|все ",
    "es": "completo|entero|toda",
    "fr": "complet|entier|tout",
    "pt": "completo|inteiro|todo",
    "it": "completo|intero|tutto",
    "de": "vollständig|gesamt|alle ",
    "tr": "tüm|bütün|eksiksiz",
    "vi": "toàn bộ|đầy đủ",
    "ar": "كامل|جميع",
}
# Stems of grading, scoring, ranking and pairwise comparison (reward-model data).
_GRADE = {
    "en": " grade| grading| score| scoring| rate | rating| judge|evaluat| assess| rank | ranking"
    "|rubric|criteria|criterion|which is better|which one is better|is better|preferred"
    "|prefer |compare the|comparison|out of 10|out of ten|1 to 10|1-10|1 and 10|/10"
    "|points for|verdict|critique|response a|response b|answer a|answer b|assistant a"
    "|assistant b",
    "zh": "评分|打分|评估|评价|比较",
    "ja": "採点|評価|比較",
    "ko": "채점|평가|비교",
    "ru": "оцени|оценк|сравни",
    "es": "califica|evalúa|puntúa|compara",
    "fr": "évalue| note |compare",
    "pt": "avalie|pontu|compare",
    "it": "valuta|punteggio|confronta",
    "de": "bewert|vergleich|punkte",
    "tr": "puanla|değerlendir|karşılaştır",
    "vi": "chấm điểm|đánh giá|so sánh",
    "ar": "قيّم|تقييم|درجة",
}
# The marks of an answer-format instruction: where and how the final answer must appear.
_FORMAT = {
    "": "\\boxed|boxed|<answer|</|<think|json|answer:|format:|template:",
    "en": "final answer|answer is|in the form|on its own line|on a new line|on the last line"
    "|last line|end with|end your|conclude with|put your answer|put the answer| wrap|return only"
    "|output only|respond with|respond only|reply with|in this format|following format",
    "zh": "答案|最终",
    "ja": "最終|答え",
    "ko": "답:|최종",
    "ru": "ответ:",
    "es": "respuesta:",
    "fr": "réponse:",
    "pt": "resposta:",
    "it": "risposta:",
    "de": "antwort:",
    "tr": "cevap:",
    "vi": "đáp án",
    "ar": "الإجابة",
}

# What the payload is: code or mathematics (how narrow an account's capability focus is).
_CODE = {"": "```|def |function|return |=>|#include|select |public static|console.|import |();"}
_MATH = {
    "": "solve|prove|equation|integral|derivative|probability|compute|calculate|x^|\\frac"
    "|sqrt|theorem|lemma"
}

ELICIT = 1 << 8  # a bit per kind, above the phrase flags of service.features.content
COMPLETE = 1 << 9
GRADE = 1 << 10
FORMAT = 1 << 11
CODE = 1 << 12
MATH = 1 << 13


def _split(text: str) -> list[str]:
    return [part for part in text.split("|") if part.strip()]


def stems() -> list[tuple[str, int, float, str]]:
    """Every stem: its kind bit, its elicitation weight (0 for other kinds), its language
    ("" for marks of no language)."""
    kinds = (
        (_SPECIFIC, ELICIT, 0.55),
        (_GENERIC, ELICIT, 0.3),
        (_COMPLETE, COMPLETE, 0.0),
        (_GRADE, GRADE, 0.0),
        (_FORMAT, FORMAT, 0.0),
        (_CODE, CODE, 0.0),
        (_MATH, MATH, 0.0),
    )
    return [
        (stem, bit, weight, language)
        for table, bit, weight in kinds
        for language, text in table.items()
        for stem in _split(text)
    ]
