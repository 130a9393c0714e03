# ruff: noqa: RUF001 - the text is meant to be in these scripts
"""Wording family ``terse``: hurried, lowercase shorthand, the way people type in a rush.

Written the way a busy developer types into a quick API script or a chat box between two
meetings: lowercase, clipped imperatives, no articles, shorthand ("pls", "w/", "ea.",
"ans", "thx"), arrows and slashes for structure, the odd typo, a one-line system prompt
or none. Tutors, harnesses and help desks type the same way as harvesters. Non-English
requests use each language's own chat shorthand and slip into English ("pls", "ok").
Answers asked for this way are of middling length and spread widely.
"""

from __future__ import annotations

from simulations.i18n import FOREIGN
from simulations.wording.base import KindText, WordingFamily, split

_WORK_FOREIGN = {
    "zh": ["别光给个数，咋算出来的也写上，中间的数别省",
           "推导全写 pls，每一行为啥这么变都标一下",
           "答案 + 过程，别跳，写完自己验一下"],
    "ru": ["не просто ответ, напиши как получил, промежуточные числа не выкидывай",
           "пж распиши всё, у каждого перехода коротко почему",
           "ответ + откуда взялся, ничего не пропускай, в конце проверь"],
    "es": ["no solo el resultado, pon cómo llegas, sin saltarte cuentas",
           "ponlo todo xfa, cada cambio con su porqué",
           "resp + de dónde sale, nada de saltos, y compruébalo al final"],
    "fr": ["pas juste le résultat, mets comment t'y arrives, sans sauter de calcul",
           "tout le calcul stp, chaque transfo avec le pourquoi",
           "rép + d'où ça sort, rien sauter, vérif à la fin"],
    "de": ["nicht nur das ergebnis, schreib wie du drauf kommst, keine rechnung weglassen",
           "ganze herleitung pls, bei jeder umformung kurz warum",
           "erg. + wo's herkommt, nix überspringen, am ende probe machen"],
    "ja": ["答えだけじゃなくて、どうやって出したかも書いて。途中の式とばさないで",
           "導出ぜんぶ書いて pls、式変形ごとに理由ひとこと",
           "答え＋根拠、省略なしで。最後に検算も"],
    "ko": ["답만 말고 어떻게 나왔는지도 써줘, 중간 계산 빼지 말고",
           "풀이 전부 ㄱㄱ, 식 바꿀 때마다 왜 그런지 한 줄씩",
           "답 + 근거, 생략 ㄴㄴ, 마지막에 검산까지"],
    "pt": ["não só o resultado, mostra como chegou, sem pular conta",
           "resolução inteira pfv, cada mudança com o pq",
           "resp + de onde saiu, sem pular nada, confere no final"],
    "ar": ["مش بس الناتج، اكتب ازاي وصلت له ومتفوتش أي حساب",
           "الحل كامل لو سمحت، وكل تحويل قول ليه",
           "الجواب + جه منين، من غير ما تسيب حاجة، وراجع في الآخر"],
    "it": ["non solo il risultato, scrivi come ci arrivi, senza saltare conti",
           "tutto il conto pls, per ogni riga il perché",
           "risp + da dove esce, niente salti, verifica alla fine"],
    "tr": ["sadece sonucu değil, nasıl bulduğunu da yaz, ara işlemleri atlama",
           "çözümün hepsi pls, her satıra kısaca neden",
           "cvp + nereden geldiği, hiçbir şey atlama, sonda kontrol et"],
    "vi": ["đừng chỉ ghi kết quả, ghi luôn cách ra, đừng bỏ phép tính nào",
           "giải hết ra nha, dòng nào cũng ghi tại sao",
           "đ/a + từ đâu ra, ko bỏ gì hết, cuối cùng thử lại"],
}  # fmt: skip

_RULES = {
    "terse_work": split(
        "how'd u get that? write out every line"
        "|ans + every line of the derivation pls"
        "|dont just give the number, justify ea. move"
        "|need the how not just the what. all the math, nothing skipped"
        "|derive it, dont assert it. each eq -> why it follows"
        "|pls put all the math in, not just final #"
        "|explian as u go, final ans on last line"
        "|no shortcuts: every calc written out + why, then ans"
        "|w/ the whole derivation + dbl-check at the end"
        "|annotate ea line (what/why) -> final ans"
        "|wrk it out longhand pls, need to see where each # comes from"
        "|give me the why for every line, not just teh ans"
        "|pls dont skip anything, i need to follow it line by line"
        "|u can be brief but every move needs a because"
        "|full calc, ea line w/ its justification. no hand-waving"
        "|spell out how u got from q to ans, all of it"
    ),
    "terse_short": split(
        "just the ans|ans only, no expl|final # only pls|1 line, ans only thx|ans only"
    ),
    "terse_support": split(
        "top suspects 1st, what ea check would tell us, then reply draft"
        "|how wld u narrow it down? the why at ea fork pls, so i can do it myself nxt time"
        "|list causes -> how to confirm ea -> fix. short"
    ),
    "terse_q": split("q:|Q:|q{d}:|prob:|#{d}{d}|>>|pb {d} -"),
    "terse_chat": split(
        "{d} day itinerary {city} pls|{concept} vs {concept} diff?|eli{n}: {concept}"
        "|dinner idea w/ rice + whatever is in the fridge?|how ask mgr for raise"
        "|book rec re {topic}?|quick q: {science_q}"
    ),
    "terse_sys": split(
        "math solver. write out every line, never just the #|solutions-manual writer. derive "
        "everything, no gaps|solver. {terse_work}|{subject} prof mode. terse. justify every line"
    ),
    "terse_grade": [
        "mark it /10 on {rubric_item}. 2-3 lines why, then the #\nq: {problem}\nans: {candidate}",
        "grade this 1-5 for {rubric_item} + {rubric_item}. whats off? then score\n"
        "q: {problem}\na: {candidate}",
        "{rubric_item} -> good/meh/bad? short why -> x/10\nQ {problem}\nA {candidate}",
    ],
    "terse_compare": [
        "which is better A or B + why ({rubric_item})\nq: {problem}\nA: {candidate}\n"
        "B: {candidate}",
        "A vs B on {rubric_item}/{rubric_item}. pros/cons ea, then pick 1\nq: {problem}\n"
        "A) {candidate}\nB) {candidate}",
    ],
    "terse_follow": split(
        "shorter pls|eg?|y tho|1 word|as table|wait line {d}?? again diff way|ok nxt: {chat_open}"
        "|thx. {city}?"
    ),
    **{f"terse_work_{lang}": bank for lang, bank in _WORK_FOREIGN.items()},
}

_GRADER = "u grade answers. why first, number last"
_ASST = "helpful asst"
# Tables packed by hand, one kind of traffic a block.
# fmt: off
_KINDS: dict[str, KindText] = {
    "chat": (
        ("{chat_open}", "{terse_chat}"),
        ("", "{assistant} - {company} app asst. keep it short", _ASST),
        ("{terse_follow}", "{terse_work}", "{terse_follow}"),
    ),
    "coding": (
        ("{code_lang} fn that {code_task}. big-O + why for ea design choice",
         "getting {code_error} here:\n{snippet}\nwhats causing it + fix?", "{code_problem}",
         "review pls, list issues + why:\n{snippet}", "{code_problem}\n{terse_work}"),
        ("ide copilot. snippet > prose", _ASST, ""),
        ("still {code_error}", "add types", "{terse_work}", "faster?"),
    ),
    "eval": (
        ("{terse_q} {math_problem}\n{terse_work}", "{terse_grade}", "{terse_compare}",
         "{terse_q} {science_q}\na) {word} b) {word} c) {word} d) {word}\n{terse_short}",
         "{terse_q} {problem}\n{terse_short}", "fill 1 word: The {word} is", "repeat back: {word}"),
        ("", "{terse_sys}", _GRADER),
        (),
    ),
    "tutoring": (
        ("{problem} {terse_work}", "{math_problem}", "hw q ({grade}): {science_q}",
         "{tutor_open} {problem}"),
        ("tutor for {grade}. short expl, 1 solved ex w/ ea line explained, end w/ 1 check q",),
        ("lost at line {d}, diff way?", "1 more like this pls", "{terse_work}",
         "nxt: {problem}"),
    ),
    "synthetic": (
        ("gen {n} {data_kind}, fields {fields}, jsonl, for {product} app",
         "gen 1 solved ex for: {problem}\n{terse_work}", "{d} paraphrases: {rag_question}",
         "realistic {doc_type} re {company}"),
        ("synth data gen for {company}. mix it up, keep it real-looking",),
        (),
    ),
    "support": (
        ("ticket: {ticket}\n{terse_support}", "reply to this, friendly, <100 words: {ticket}",
         "cust wants to {support_task}. {terse_work}",
         "tl;dr this thread for next agent:\n{ticket}\n{ticket}"),
        ("support asst @ {company}. be exact, say the why behind ea troubleshooting move",),
        ("cust says still broken", "shorter", "{terse_work}", "{terse_support}"),
    ),
    "classification": (
        ("sentiment? pos/neg/neutral, 1 word:\n{review}",
         "route -> billing/technical/account/other, category only:\n{ticket}",
         "harassment y/n:\n{chat_message}", "re {aspect}? y/n\n{review}"),
        ("", "just emit the label"),
        (),
    ),
    # --- campaigns: the same banks, another mix
    "harvest": (
        ("{problem}\n{terse_work}", "{terse_work}\n{terse_q} {problem}",
         "{terse_q} {math_problem} -> {terse_work}", "{code_problem} {terse_work}",
         "{logic_problem}\n{terse_work}", "{problem}"),
        ("", "{terse_sys}", ""),
        (),
    ),
    "drip": (
        ("{problem} {terse_work}", "{tutor_open} {problem}", "{problem}"),
        ("", _ASST),
        (),
    ),
    "rubric": (
        ("{terse_grade}", "{terse_compare}", "need {d} grading criteria for answers to: "
         "{problem}"),
        (_GRADER, ""),
        (),
    ),
    "probe": (
        ("{word}", "fill 1 word: The {word} is", "repeat back: {word}",
         "re {aspect}? y/n\n{review}", "{word} {word}"),
        ("",),
        (),
    ),
    "mimic": (
        ("{terse_chat}",),
        ("", _ASST),
        ("ok nxt: {problem}\n{terse_work}", "{terse_work}", "y tho", "{problem}"),
    ),
}
for _lang in FOREIGN:
    _work, _problem = f"{{terse_work_{_lang}}}", f"{{problem_{_lang}}}"
    _KINDS[f"tutoring_{_lang}"] = (
        (f"{_problem} {_work}", f"{{tutor_open_{_lang}}} {_problem}", f"{_work}\n{_problem}"),
        ("", "tutor. reply in student's lang. short expl + 1 solved ex"),
        (_work, _problem),
    )
    _KINDS[f"chat_{_lang}"] = ((f"{{chat_{_lang}}}",), ("",), (f"{{chat_{_lang}}}", _work))
    _KINDS[f"multilingual_{_lang}"] = (
        (f"{_problem} {_work}", f"{_work}\n{_problem}", f"{_problem}\n-> {_work}"),
        ("", "reply in input lang. {terse_work}"),
        (),
    )
# fmt: on

FAMILY = WordingFamily(
    name="terse",
    summary="hurried lowercase shorthand: clipped imperatives, abbreviations (pls, w/, ea., "
    "ans), arrows and slashes, typos, one-line system prompts or none; middling answers",
    prefix="terse_",
    rules=_RULES,
    kinds=_KINDS,
    answer_tokens={"harvest": (1100.0, 0.6), "rubric": (300.0, 0.5)},
)
