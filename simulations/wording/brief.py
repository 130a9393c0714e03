# ruff: noqa: RUF001 - the text is meant to be in these scripts
"""Wording family ``brief``: Markdown briefs with headings, bullets and checklists.

Written the way prompt engineers and product teams write prompts: a role section in
the system prompt, "## Requirements" lists, numbered response structures, the
instruction before the payload. Non-English requests keep the bulleted layout.
Answers asked for this way have a narrow, middling length.
"""

from __future__ import annotations

from simulations.i18n import FOREIGN
from simulations.wording.base import KindText, WordingFamily, split

_WORK_FOREIGN = {
    "zh": ["要求：\n- 先写思路\n- 每一处推导注明依据\n- 保留中间结果\n- 最后单独一行写答案",
           "请按以下结构作答：\n1. 题意\n2. 方法\n3. 推导\n4. 检验\n5. 答案",
           "## 回答格式\n- 分析\n- 详细过程\n- 结论"],
    "ru": ["Требования:\n- сначала план\n- каждое действие с обоснованием\n- промежуточные "
           "результаты не опускать\n- ответ отдельной строкой",
           "Структура ответа:\n1. Условие своими словами\n2. Метод\n3. Решение\n4. Проверка\n"
           "5. Ответ",
           "## Оформление\n- Анализ\n- Подробное решение\n- Вывод"],
    "es": ["Requisitos:\n- primero el plan\n- cada operación con su justificación\n- conserva "
           "los resultados intermedios\n- respuesta en línea aparte",
           "Estructura:\n1. Enunciado con tus palabras\n2. Método\n3. Desarrollo\n"
           "4. Comprobación\n5. Respuesta",
           "## Formato\n- Análisis\n- Resolución detallada\n- Conclusión"],
    "fr": ["Consignes :\n- d'abord le plan\n- chaque opération justifiée\n- garder les "
           "résultats intermédiaires\n- réponse sur une ligne à part",
           "Structure :\n1. Reformulation\n2. Méthode\n3. Développement\n4. Vérification\n"
           "5. Réponse",
           "## Présentation\n- Analyse\n- Résolution détaillée\n- Conclusion"],
    "de": ["Vorgaben:\n- zuerst der Plan\n- jede Umformung mit Begründung\n- "
           "Zwischenergebnisse behalten\n- Antwort in eigener Zeile",
           "Aufbau:\n1. Aufgabe in eigenen Worten\n2. Methode\n3. Rechnung\n4. Probe\n"
           "5. Antwort",
           "## Form\n- Analyse\n- Ausführliche Lösung\n- Fazit"],
    "ja": ["条件：\n- まず方針を書く\n- 各段階の根拠を書く\n- 途中の値を残す\n- 答えは別の行に",
           "次の構成で回答：\n1. 問題の言い換え\n2. 解法\n3. 計算\n4. 検算\n5. 答え",
           "## 回答形式\n- 分析\n- 詳しい解答\n- 結論"],
    "ko": ["요구 사항:\n- 먼저 계획\n- 각 과정마다 근거\n- 중간 결과 유지\n- 답은 별도 줄에",
           "다음 구조로 답하세요:\n1. 문제 정리\n2. 방법\n3. 풀이\n4. 검산\n5. 답",
           "## 답변 형식\n- 분석\n- 자세한 풀이\n- 결론"],
    "pt": ["Requisitos:\n- primeiro o plano\n- cada passagem justificada\n- manter os "
           "resultados intermediários\n- resposta em linha separada",
           "Estrutura:\n1. Enunciado com suas palavras\n2. Método\n3. Desenvolvimento\n"
           "4. Verificação\n5. Resposta",
           "## Formato\n- Análise\n- Resolução detalhada\n- Conclusão"],
    "ar": ["المطلوب:\n- الخطة أولاً\n- تبرير كل مرحلة\n- الإبقاء على النتائج الوسيطة\n- "
           "الجواب في سطر مستقل",
           "الهيكل:\n1. إعادة صياغة المسألة\n2. الطريقة\n3. الحل\n4. التحقق\n5. الجواب",
           "## التنسيق\n- التحليل\n- الحل المفصل\n- الخلاصة"],
    "it": ["Requisiti:\n- prima il piano\n- ogni passaggio motivato\n- tenere i risultati "
           "intermedi\n- risposta su una riga a parte",
           "Struttura:\n1. Testo con parole tue\n2. Metodo\n3. Svolgimento\n4. Verifica\n"
           "5. Risposta",
           "## Formato\n- Analisi\n- Soluzione dettagliata\n- Conclusione"],
    "tr": ["Gereksinimler:\n- önce plan\n- her aşamanın gerekçesi\n- ara sonuçları koru\n- "
           "cevap ayrı satırda",
           "Yapı:\n1. Soruyu kendi cümlelerinle yaz\n2. Yöntem\n3. Çözüm\n4. Kontrol\n5. Cevap",
           "## Biçim\n- Analiz\n- Ayrıntılı çözüm\n- Sonuç"],
    "vi": ["Yêu cầu:\n- nêu hướng làm trước\n- mỗi phép biến đổi có lý do\n- giữ kết quả "
           "trung gian\n- đáp án ở dòng riêng",
           "Cấu trúc:\n1. Tóm tắt đề\n2. Phương pháp\n3. Lời giải\n4. Kiểm tra\n5. Đáp án",
           "## Trình bày\n- Phân tích\n- Lời giải chi tiết\n- Kết luận"],
}  # fmt: skip

_RULES = {
    "brief_work": [
        "## Response requirements\n- Start with a one-line plan\n- Number each stage and name "
        "the rule it uses\n- Keep every intermediate value\n- Finish with **Answer:** on its "
        "own line",
        "### Instructions\n* Work the problem before stating any result\n* Put the working "
        "under a heading *Working*\n* Put the result under *Result*",
        "Please use this structure:\n1. Restate the problem\n2. Approach\n3. Worked solution\n"
        "4. Check\n5. Answer",
        "**Must include:**\n- the method and why it applies\n- the full working\n- a sanity "
        "check\n- the final answer in bold",
        "Deliverable:\n- [ ] plan\n- [ ] complete working, no gaps\n- [ ] verification\n"
        "- [ ] final answer",
    ],
    "brief_short": split(
        "**Output:** the answer only.|- Output: final answer only, no working"
        "|Return just the answer."
    ),
    "brief_head": split("## Task|### Problem|**Question**|# Exercise {d}|## Input"),
    "brief_sys": [
        "# Role\nYou are a {subject} expert.\n# Rules\n- Show the working for every result\n"
        "- Use headings and numbered lists\n- End with the final answer in bold",
        "# Role\nReference-solution author.\n# Output\n- Plan\n- Full working, nothing "
        "skipped\n- Check\n- Final answer",
    ],
    "brief_grade": [
        "## Evaluation task\n- Criterion: {rubric_item}\n- Scale: 1 (poor) to 5 (excellent)\n"
        "- Output: a short justification, then `score: N`\n\n## Question\n{problem}\n\n"
        "## Candidate answer\n{candidate}",
        "# Grade the answer\n**Criteria:** {rubric_item}; {rubric_item}\n**Return:**\n1. "
        "strengths\n2. weaknesses\n3. score out of 10\n\n**Question:** {problem}\n"
        "**Answer:** {candidate}",
    ],
    "brief_compare": [
        "## Pairwise comparison\n- Criteria: {rubric_item}; {rubric_item}\n- Explain the "
        "deciding differences\n- Last line: `winner: A` or `winner: B`\n\n### Question\n"
        "{problem}\n\n### A\n{candidate}\n\n### B\n{candidate}",
    ],
    "brief_follow": split(
        "- shorter please|- give an example|Why?|Next: {chat_open}|- one word only|- as a table"
    ),
    **{f"brief_work_{lang}": bank for lang, bank in _WORK_FOREIGN.items()},
}

_GRADER = "# Role\nStrict grader."
# Tables packed by hand, one kind of traffic a block.
# fmt: off
_KINDS: dict[str, KindText] = {
    "chat": (
        ("{chat_open}",),
        ("", "# Role\nYou are {assistant}, the assistant in the {company} app.\n# Style\n- "
         "short answers\n- friendly", "You are a helpful assistant."),
        ("{brief_follow}", "{brief_work}", "{brief_follow}"),
    ),
    "coding": (
        ("## Task\nWrite a {code_lang} function that {code_task}.\n\n## Requirements\n- type "
         "hints\n- explain each design decision\n- complexity analysis",
         "## Bug\n`{code_error}` in:\n```\n{snippet}\n```\n## Needed\n- root cause\n- fix",
         "{code_problem}", "## Review\n```\n{snippet}\n```\n- list issues with the reason for "
         "each", "{brief_head}\n{code_problem}\n\n{brief_work}"),
        ("# Role\nSenior engineer in the IDE.\n# Rules\n- code first\n- explain after",
         "You are a helpful assistant."),
        ("Still failing: {code_error}", "- add type hints", "{brief_work}", "- make it faster"),
    ),
    "eval": (
        ("{brief_head}\n{math_problem}\n\n{brief_work}", "{brief_grade}", "{brief_compare}",
         "**Question ({subject})**\n{science_q}\n- A. {word}\n- B. {word}\n- C. {word}\n- D. "
         "{word}\n\n{brief_short}", "{brief_head}\n{problem}\n\n{brief_short}",
         "**Complete with one word:** The {word} is", "**Echo:** {word}"),
        ("", "{brief_sys}", _GRADER),
        (),
    ),
    "tutoring": (
        ("{brief_head}\n{problem}\n\n{brief_work}", "{math_problem}",
         "**Student question ({grade}):** {science_q}"),
        ("# Role\nYou are a tutor for {grade} students.\n# Answer format\n- Explain the idea in "
         "one or two sentences\n- Work the example with each stage labelled\n- Finish with a "
         "question that checks understanding",),
        ("I don't get stage {d}. Can you explain it differently?",
         "- one more practice problem, same difficulty", "{brief_work}", "Next: {problem}"),
    ),
    "synthetic": (
        ("## Generate\n- {n} {data_kind}\n- fields: {fields}\n- format: JSON lines\n- for: our "
         "{product} app", "## Generate\n- a worked example for: {problem}\n\n{brief_work}",
         "## Paraphrase\n- {d} variations of: {rag_question}",
         "## Generate\n- a realistic {doc_type} about {company}"),
        ("# Role\nSynthetic data generator for {company}.\n# Rules\n- diverse\n- realistic",),
        (),
    ),
    "support": (
        ("## Ticket\n{ticket}\n\n## Needed\n- likely causes, most likely first\n- for each: the "
         "check to run and what it tells us\n- a reply draft for the customer",
         "## Ticket\n{ticket}\n\n## Needed\n- a friendly reply, under 120 words",
         "## How-to request\nCustomer wants to {support_task}.\n\n{brief_work}",
         "## Thread\n{ticket}\n{ticket}\n\n## Needed\n- summary for the next agent"),
        ("# Role\nSupport assistant for {company}.\n# Rules\n- be precise\n- explain the reason "
         "behind every troubleshooting action",),
        ("- customer says it still fails", "- shorter", "{brief_work}"),
    ),
    "classification": (
        ("**Classify sentiment** (positive / negative / neutral), one word:\n{review}",
         "**Route ticket** to billing / technical / account / other, category only:\n{ticket}",
         "**Harassment?** yes or no:\n{chat_message}",
         "**About the {aspect}?** yes or no:\n{review}"),
        ("", "# Role\nClassifier.\n# Output\nThe label only."),
        (),
    ),
    # --- campaigns: the same banks, another mix
    "harvest": (
        ("{brief_work}\n\n{brief_head}\n{problem}", "{brief_head}\n{math_problem}\n\n"
         "{brief_work}", "{brief_work}\n\n## Input\n{code_problem}",
         "{brief_head}\n{logic_problem}"),
        ("{brief_sys}", "", "{brief_sys}"),
        (),
    ),
    "drip": (
        ("{brief_head}\n{problem}\n\n{brief_work}", "{tutor_open} {problem}", "{problem}"),
        ("", "You are a helpful assistant."),
        (),
    ),
    "rubric": (
        ("{brief_grade}", "{brief_compare}", "## Task\nWrite a grading rubric\n- {d} criteria\n"
         "- for answers to: {problem}"),
        (_GRADER, ""),
        (),
    ),
    "probe": (
        ("{word}", "**Complete with one word:** The {word} is", "**Echo:** {word}",
         "**About the {aspect}?** yes or no:\n{review}"),
        ("",),
        (),
    ),
    "mimic": (
        ("{chat_open}",),
        ("", "You are a helpful assistant."),
        ("Next: {problem}\n\n{brief_work}", "{brief_work}", "Why?", "{problem}"),
    ),
}
for _lang in FOREIGN:
    _work, _problem = f"{{brief_work_{_lang}}}", f"{{problem_{_lang}}}"
    _KINDS[f"tutoring_{_lang}"] = (
        (f"{_work}\n\n{_problem}", f"{{tutor_open_{_lang}}} {_problem}",
         f"{_problem}\n\n{_work}"),
        ("", "# Role\nTutor. Answer in the student's language.\n# Format\n- idea\n- worked "
         "example\n- check question"),
        (_work, _problem),
    )
    _KINDS[f"chat_{_lang}"] = ((f"{{chat_{_lang}}}",), ("",), (f"{{chat_{_lang}}}", _work))
    _KINDS[f"multilingual_{_lang}"] = (
        (f"{_work}\n\n{_problem}", f"## {_problem}\n\n{_work}", f"{_problem}\n{_work}"),
        ("", "{brief_sys}"),
        (),
    )
# fmt: on

FAMILY = WordingFamily(
    name="brief",
    summary="Markdown briefs: a role section in the system prompt, requirement bullets, "
    "numbered response structures, the instruction before the payload; middling answers",
    prefix="brief_",
    rules=_RULES,
    kinds=_KINDS,
    answer_tokens={"harvest": (950.0, 0.35), "rubric": (400.0, 0.35)},
)
