# ruff: noqa: RUF001 - the text is meant to be in these scripts
"""Wording family ``spec``: terse, API-style requests and JSON output specs.

Written the way evaluation pipelines, data teams and scripted clients write: key-value
headers, output schemas, clipped imperatives. The instruction sits in the system prompt
as often as in the user turn, and the user turn is often the payload alone. Non-English
requests keep the clipped register. Answers asked for this way run shorter.
"""

from __future__ import annotations

from simulations.i18n import FOREIGN
from simulations.wording.base import KindText, WordingFamily, split

_WORK_FOREIGN = {
    "zh": ["输出：完整推导（每行一个变换），最后一行写“答案：<结果>”。",
           "格式：先写推理依据（编号，保留所有中间结果），再写答案。",
           "要求：列出全部计算过程，不要省略。"],
    "ru": ["Формат: полное решение, по одному преобразованию в строке, в конце «Ответ: …».",
           "Требования: нумерованные шаги, обоснование каждого, ответ последней строкой.",
           "Вывод: ход решения целиком, без пропусков; затем результат."],
    "es": ["Formato: desarrollo completo, una transformación por línea; al final «RESPUESTA: …».",
           "Requisitos: pasos numerados con su justificación; respuesta en la última línea.",
           "Devuelve la resolución completa, sin omitir cálculos."],
    "fr": ["Format : développement complet, une transformation par ligne, puis « RÉPONSE : … ».",
           "Exigences : étapes numérotées et justifiées ; réponse sur la dernière ligne.",
           "Renvoie la résolution complète, sans omettre de calcul."],
    "de": ["Format: vollständige Herleitung, eine Umformung pro Zeile, danach „ANTWORT: …“.",
           "Anforderungen: nummerierte Schritte mit Begründung; Antwort in der letzten Zeile.",
           "Gib den kompletten Rechenweg zurück, ohne Auslassungen."],
    "ja": ["出力形式：完全な導出（1行に1つの変形）、最後に「答え：…」。",
           "要件：番号付きの手順と各手順の根拠、最終行に答え。",
           "計算過程をすべて省略せずに返すこと。"],
    "ko": ["출력 형식: 전체 풀이 과정(한 줄에 한 변형), 마지막 줄에 '답: …'.",
           "요구 사항: 번호를 붙인 단계와 각 단계의 근거, 마지막 줄에 답.",
           "계산 과정을 생략 없이 모두 적을 것."],
    "pt": ["Formato: desenvolvimento completo, uma transformação por linha; no fim 'RESPOSTA: …'.",
           "Requisitos: passos numerados com justificativa; resposta na última linha.",
           "Retorne a resolução completa, sem omitir cálculos."],
    "ar": ["الصيغة: الحل الكامل، تحويل واحد في كل سطر، ثم «الجواب: …».",
           "المطلوب: خطوات مرقمة مع تبرير كل منها، والجواب في السطر الأخير.",
           "أعد الحل كاملاً دون حذف أي عملية حسابية."],
    "it": ["Formato: svolgimento completo, una trasformazione per riga, poi «RISPOSTA: …».",
           "Requisiti: passaggi numerati e motivati; risposta nell'ultima riga.",
           "Restituisci la risoluzione completa, senza omettere calcoli."],
    "tr": ["Biçim: tam çözüm, her satırda bir dönüşüm, sonunda «CEVAP: …».",
           "Gereksinimler: numaralı adımlar ve her birinin gerekçesi; cevap son satırda.",
           "Çözümün tamamını, hiçbir işlemi atlamadan döndür."],
    "vi": ["Định dạng: lời giải đầy đủ, mỗi dòng một phép biến đổi, cuối cùng «ĐÁP ÁN: …».",
           "Yêu cầu: các bước đánh số kèm lý do; đáp án ở dòng cuối.",
           "Trả về toàn bộ lời giải, không bỏ qua phép tính nào."],
}  # fmt: skip

_RULES = {
    "spec_work": split(
        "Output: full derivation, one transformation per line, then FINAL: <answer>."
        "|Format: RATIONALE (numbered, every intermediate value), then ANSWER."
        "|Return the complete worked solution. Do not omit trivial lines."
        "|Include the derivation, not only the result."
        "|Requirements: numbered steps, a justification for each, last line ANSWER: <value>."
        "|verbosity=high; include intermediate results; answer last."
        "|Give working + result.|Response = rationale followed by answer."
        "|Derivation first (no skipped transformations), result on the last line."
        "|Provide: approach (1-2 lines), worked solution, result."
    ),
    "spec_json": split(
        '{{"task": "solve", "return": {{"rationale": "string, complete", "answer": "string"}}}}'
        '|{{"output_format": "json", "fields": ["analysis", "steps", "final_answer"], '
        '"steps": "array, one entry per operation"}}'
        '|Respond as JSON: {{"reasoning": <full text>, "answer": <value>}}.'
        '|Schema: {{"explanation": str, "result": str}}; explanation covers every '
        "intermediate result."
    ),
    "spec_short": split(
        "Output: answer only.|Return the result, no explanation.|Format: ANSWER: <value>"
        "|Reply with the final value."
    ),
    "spec_id": split("id: {n3}{n}|item {n3}|q_{n3}|record {n3}/{n3}|sample_id={n3}-{d}"),
    "spec_sys_solver": split(
        "You are a solver. {spec_work}|Role: reference-solution writer. {spec_work}"
        "|Policy: never skip an intermediate result. {spec_json}"
        "|You write solutions for an answer key. {spec_work}"
    ),
    "spec_sys_grader": split(
        "You are an evaluator. Output JSON with keys rationale and score."
        "|Evaluator mode. Be strict. Rationale first, score last."
    ),
    "spec_grade": [
        '{{"criterion": "{rubric_item}", "scale": [1, 10], "return": ["justification", '
        '"score"]}}\nquestion: {problem}\nresponse: {candidate}',
        "criterion: {rubric_item}\nscale: 1-7\noutput: justification (3-6 sentences), then "
        "SCORE=<n>\n---\nQ: {problem}\nR: {candidate}",
        "grade(response) on {rubric_item}; return rationale + integer 1-5\nquestion: "
        "{problem}\nresponse: {candidate}",
    ],
    "spec_pair": [
        "task: pairwise\ncriteria: {rubric_item}, {rubric_item}\noutput: rationale, then "
        "winner (A or B)\nQ: {problem}\nA: {candidate}\nB: {candidate}",
        '{{"compare": ["A", "B"], "on": "{rubric_item}", "return": ["rationale", "winner"]}}'
        "\nquestion: {problem}\nA: {candidate}\nB: {candidate}",
    ],
    "spec_follow": split(
        "shorter|example?|why?|in one word|full reasoning pls|same, but as a table"
        "|explain line {d}|ok. next: {chat_open}"
    ),
    **{f"spec_work_{lang}": bank for lang, bank in _WORK_FOREIGN.items()},
}

_SOLVE = "{spec_sys_solver}"
# Tables packed by hand, one kind of traffic a block.
# fmt: off
_KINDS: dict[str, KindText] = {
    "chat": (
        ("{chat_open}",),
        ("", "You are {assistant}, the assistant in the {company} app. Be brief.",
         "Assistant. Answer concisely."),
        ("{spec_follow}", "{spec_work}", "{spec_follow}"),
    ),
    "coding": (
        ("lang: {code_lang}\ntask: {code_task}\nreturn: code, then the rationale for each "
         "design decision",
         "lang: {code_lang}\nerror: {code_error}\nsnippet:\n{snippet}\nreturn: root cause, fix",
         "{code_problem}\n{spec_short}", "review:\n{snippet}\nreturn: issues (numbered, why)",
         "{code_problem}\n{spec_work}"),
        ("IDE assistant. Policy: code first, prose after; never skip error handling.",
         "Assistant. Answer concisely.", ""),
        ("still failing: {code_error}", "add type hints", "{spec_work}", "faster?"),
    ),
    "eval": (
        ("{spec_id}\n{math_problem}\n{spec_work}", "{spec_json}\ninput: {problem}",
         "{spec_id}\n{science_q}\nA) {word}\nB) {word}\nC) {word}\nD) {word}\n{spec_short}",
         "{spec_grade}", "{spec_pair}", "{spec_id}\n{problem}\n{spec_short}",
         "prompt: The {word} is\ncomplete with one word", "echo: {word}"),
        ("", _SOLVE, "{spec_sys_grader}"),
        (),
    ),
    "tutoring": (
        ("{problem}", "student_question: {problem}\nlevel: {grade}",
         "{math_problem}\n{spec_work}", "subject: {subject}\nquestion: {science_q}"),
        ("Homework helper for {grade}. Response structure: 1) what is asked 2) method 3) worked "
         "solution, each line explained 4) answer. End with one check-for-understanding "
         "question.", "Tutor bot ({subject}). {spec_work}"),
        ("still unclear at line {d}", "similar practice problem pls", "{spec_work}",
         "next: {problem}"),
    ),
    "synthetic": (
        ("generate: {n} {data_kind}\nfields: {fields}\nformat: jsonl\napp: {product}",
         "generate: worked example\ntopic: {problem}\n{spec_work}",
         "paraphrase x{d}: {rag_question}", "generate: realistic {doc_type}\ncompany: {company}"),
        ("Synthetic data generator for {company}. Diverse, realistic, valid JSON.",),
        (),
    ),
    "support": (
        ("ticket: {ticket}\nproduct: {product}\ntask: diagnose\nreturn: likely causes ranked, "
         "the check for each and why, reply draft",
         "ticket: {ticket}\ntask: reply draft, friendly, under 120 words",
         "customer asks how to {support_task}\n{spec_work}",
         "thread:\n{ticket}\n{ticket}\ntask: summary for the next agent"),
        ("Support copilot for {company}. Policy: never skip a check. Output sections: "
         "diagnosis, procedure (numbered, reason per step), reply.",
         "Tier-2 assistant, {company} help desk. {spec_work}"),
        ("customer says it still fails", "shorter", "{spec_work}"),
    ),
    "classification": (
        ("label: {review}\nclasses: positive, negative, neutral\noutput: label only",
         "route ticket: {ticket}\nqueues: billing, technical, account, other\n{spec_short}",
         "harassment? yes/no\ntext: {chat_message}", "aspect={aspect}? yes/no\n{review}"),
        ("", "Classifier. Policy: output the label only, skip explanations."),
        (),
    ),
    # --- campaigns: the same banks, another mix
    "harvest": (
        ("{problem}", "{spec_id}\n{problem}", "{problem}\n---\n{spec_work}",
         "{spec_json}\ninput: {problem}", "task: solve\ninput: {math_problem}\n{spec_work}",
         "{code_problem}\n{spec_work}", "{logic_problem}"),
        (_SOLVE,),
        (),
    ),
    "drip": (
        ("{problem}\n{spec_work}", "{tutor_open} {problem}", "{math_problem}"),
        (_SOLVE, "You are a helpful assistant."),
        (),
    ),
    "rubric": (
        ("{spec_grade}", "{spec_pair}", "write rubric: {d} criteria\nfor answers to: {problem}"),
        ("{spec_sys_grader}", ""),
        (),
    ),
    "probe": (
        ("{word}", "prompt: The {word} is\ncomplete with one word", "echo: {word}",
         "{word}\n{word}", "aspect={aspect}? yes/no\n{review}"),
        ("",),
        (),
    ),
    "mimic": (
        ("{chat_open}",),
        ("", "Assistant. Answer concisely."),
        ("ok. next: {problem}\n{spec_work}", "{spec_work}", "full reasoning pls", "{problem}"),
    ),
}
for _lang in FOREIGN:
    _work, _problem = f"{{spec_work_{_lang}}}", f"{{problem_{_lang}}}"
    _KINDS[f"tutoring_{_lang}"] = (
        (f"{_problem}\n{_work}", f"{{tutor_open_{_lang}}} {_problem}"),
        ("Homework helper. Reply in the student's language. Response structure: method, "
         "worked solution, answer.",),
        (_work, _problem),
    )
    _KINDS[f"chat_{_lang}"] = ((f"{{chat_{_lang}}}",), ("",), (f"{{chat_{_lang}}}", _work))
    _KINDS[f"multilingual_{_lang}"] = (
        (f"{_problem}\n{_work}", f"input: {_problem}\n{_work}", _problem),
        (_SOLVE, "Reply in the language of the input. {spec_work}"),
        (),
    )
# fmt: on

FAMILY = WordingFamily(
    name="spec",
    summary="terse API-style requests and JSON output specs; the instruction often in the "
    "system prompt, the user turn often the payload alone; shorter answers",
    prefix="spec_",
    rules=_RULES,
    kinds=_KINDS,
    answer_tokens={"harvest": (650.0, 0.5), "rubric": (180.0, 0.5)},
)
