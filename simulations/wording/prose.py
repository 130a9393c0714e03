# ruff: noqa: RUF001 - the text is meant to be in these scripts
"""Wording family ``prose``: long, polite, conversational requests in full sentences.

Written the way students, support agents and people at work write to an assistant:
a greeting or an excuse, the question, then what they want and why ("I'm trying to
learn the method"), so the instruction comes after the payload. Harvesters use the
same voice with cover stories (a study guide, an answer key) that synthetic-data
teams use honestly. Answers asked for this way run long.
"""

from __future__ import annotations

from simulations.i18n import FOREIGN
from simulations.wording.base import KindText, WordingFamily, split

_WORK_FOREIGN = {
    "zh": ["能不能慢慢讲给我听？我想弄明白你是怎么想的，中间每一处为什么这样做都说一下。",
           "别只告诉我答案，请把你的思路从头到尾讲清楚，包括你检查过的地方。",
           "我想学会这类题，所以请详细说说解题时脑子里在想什么。"],
    "ru": ["Можешь объяснить не спеша? Хочу понять, как ты рассуждаешь и почему делаешь "
           "каждый переход.",
           "Не пиши только ответ — расскажи, как ты к нему пришёл и что проверял по дороге.",
           "Мне важно научиться решать такие задачи, так что расскажи, о чём думаешь на каждом "
           "этапе."],
    "es": ["¿Me lo puedes explicar con calma? Quiero entender cómo lo piensas y por qué haces "
           "cada cosa.",
           "No me des solo el resultado: cuéntame cómo llegas a él y qué vas comprobando por "
           "el camino.",
           "Quiero aprender a resolver este tipo de problemas, así que explícame qué se te pasa "
           "por la cabeza en cada momento."],
    "fr": ["Tu peux m'expliquer tranquillement ? J'aimerais comprendre comment tu raisonnes et "
           "pourquoi tu fais chaque transformation.",
           "Ne me donne pas juste le résultat : raconte-moi comment tu y arrives et ce que tu "
           "vérifies en chemin.",
           "Je veux apprendre à faire ce genre d'exercice, alors dis-moi à quoi tu penses à "
           "chaque moment."],
    "de": ["Kannst du mir das in Ruhe erklären? Ich möchte verstehen, wie du denkst und warum "
           "du jede Umformung machst.",
           "Bitte nicht nur das Ergebnis: erzähl mir, wie du darauf kommst und was du "
           "unterwegs überprüfst.",
           "Ich will lernen, solche Aufgaben selbst zu lösen, also sag mir, was dir dabei "
           "jeweils durch den Kopf geht."],
    "ja": ["ゆっくり説明してもらえますか？どう考えて、なぜそうするのかを知りたいです。",
           "答えだけでなく、どうやってそこにたどり着いたのか、途中で何を確かめたのかも教えてください。",
           "こういう問題を自分で解けるようになりたいので、考えていることを順番に話してください。"],
    "ko": ["천천히 설명해 줄 수 있어요? 어떻게 생각하는지, 왜 그렇게 하는지 알고 싶어요.",
           "답만 말하지 말고 어떻게 그 답에 도달했는지, 중간에 뭘 확인했는지도 알려 주세요.",
           "이런 문제를 혼자 풀 수 있게 되고 싶어요. 푸는 동안 무슨 생각을 하는지 말해 주세요."],
    "pt": ["Pode me explicar com calma? Quero entender como você pensa e por que faz cada "
           "passagem.",
           "Não me dê só o resultado: conte como chegou nele e o que foi conferindo no caminho.",
           "Quero aprender a resolver esse tipo de questão, então me diga o que passa pela sua "
           "cabeça em cada momento."],
    "ar": ["هل يمكنك أن تشرح لي بهدوء؟ أريد أن أفهم كيف تفكر ولماذا تقوم بكل خطوة.",
           "لا تعطني النتيجة فقط: أخبرني كيف وصلت إليها وما الذي تحققت منه في الطريق.",
           "أريد أن أتعلم حل هذا النوع من المسائل، فقل لي بماذا تفكر في كل مرحلة."],
    "it": ["Me lo spieghi con calma? Voglio capire come ragioni e perché fai ogni passaggio.",
           "Non darmi solo il risultato: raccontami come ci arrivi e cosa controlli lungo la "
           "strada.",
           "Voglio imparare a risolvere questi esercizi, quindi dimmi a cosa pensi in ogni "
           "momento."],
    "tr": ["Bunu sakin sakin anlatabilir misin? Nasıl düşündüğünü ve her dönüşümü neden "
           "yaptığını anlamak istiyorum.",
           "Sadece sonucu verme: oraya nasıl vardığını ve yolda neyi kontrol ettiğini anlat.",
           "Bu tür soruları kendim çözmeyi öğrenmek istiyorum, o yüzden her aşamada aklından ne "
           "geçtiğini söyle."],
    "vi": ["Bạn giải thích từ từ cho mình được không? Mình muốn hiểu bạn nghĩ thế nào và tại "
           "sao làm như vậy.",
           "Đừng chỉ đưa kết quả: kể cho mình bạn đi đến đó ra sao và đã kiểm tra những gì.",
           "Mình muốn tự giải được dạng bài này, nên hãy nói mình nghe bạn nghĩ gì ở từng giai "
           "đoạn."],
}  # fmt: skip

_RULES = {
    "prose_work": split(
        "Could you go through this slowly? I'd like to see how you get from the question to "
        "the answer, including the parts you'd normally skip."
        "|Please don't just give me the answer. Talk me through how you'd approach it and why "
        "each move is allowed."
        "|I need to be able to explain this to someone else, so lay out your thinking in "
        "order: what you noticed, what you tried, what you checked, and only then the "
        "conclusion."
        "|When you answer, write the whole line of thought out, including any dead ends, "
        "before you commit to a result."
        "|I'm trying to learn the method, not just get the number, so narrate what you're "
        "doing as you go."
        "|Take your time with this one and explain the logic behind every part of the "
        "solution."
        "|It would really help if you reasoned about it in the open, the way you'd work it "
        "on a whiteboard."
        "|Pretend you're writing the answer key for a teacher: every stage of the solution, "
        "with why it works."
    ),
    "prose_short": split(
        "Just the final answer is fine, no need to explain.|A short answer is enough here."
        "|Please reply with only the answer."
    ),
    "prose_open": split(
        "Hi there!|Hey, quick one.|Hope you don't mind a question.|Sorry if this is basic,"
        "|Okay, so I'm stuck.|Morning! Something I've been puzzling over:"
    ),
    "prose_cover": split(
        "I'm putting together worked solutions for a study guide."
        "|We're building a set of model answers for our course."
        "|This is for a question bank our tutors use."
        "|I'm collecting good explanations for a training handbook."
    ),
    "prose_grade": [
        "Here's a question and an answer someone gave. How good is it on {rubric_item}? "
        "Please tell me what works and what doesn't, then give it a mark out of ten.\n\n"
        "Question: {problem}\n\nAnswer given: {candidate}",
        "Could you mark this answer for me? I care most about {rubric_item}. A few sentences "
        "on why, then a mark from 1 to 5 would be perfect.\n\nThe question was: {problem}\n"
        "The answer was: {candidate}",
    ],
    "prose_compare": [
        "I've got two attempts at the same question and I can't decide which is better on "
        "{rubric_item}. Could you talk through the strengths of each and then pick one?\n\n"
        "Question: {problem}\n\nFirst attempt: {candidate}\n\nSecond attempt: {candidate}",
    ],
    "prose_support": split(
        "Please go through the likely causes one at a time and say what each check would "
        "tell us, then suggest what I should write back."
        "|Could you explain how you'd narrow it down, and your thinking at each point, so I "
        "can handle these myself next time?"
    ),
    "prose_follow": split(
        "Thanks! Could you make it a bit shorter?|Could you give me an example?"
        "|Why is that, though?|Great, next one: {chat_open}|And what about {city}?"
        "|Sorry, I lost you around the part about {word}. Could you explain that bit again?"
    ),
    **{f"prose_work_{lang}": bank for lang, bank in _WORK_FOREIGN.items()},
}

_EXAMINER = "You are an experienced examiner. Be fair and specific."
# Tables packed by hand, one kind of traffic a block.
# fmt: off
_KINDS: dict[str, KindText] = {
    "chat": (
        ("{chat_open}",),
        ("", "You are {assistant}, a warm and helpful assistant in the {company} app.",
         "You are a helpful assistant.", "You are a patient and thorough explainer."),
        ("{prose_follow}", "{prose_work}", "{prose_follow}"),
    ),
    "coding": (
        ("I've got this {code_lang} code and it throws {code_error}. I've been staring at it "
         "for an hour. Could you explain what's actually going wrong, not just the fix?\n\n"
         "{snippet}",
         "Could you write a {code_lang} function that {code_task}? {prose_work}",
         "{code_problem}",
         "Can you explain what this does, line by line? I inherited it and nobody documented "
         "it.\n\n{snippet}"),
        ("You are a friendly senior engineer pairing with a colleague.",
         "You are a helpful assistant."),
        ("That still fails with {code_error}. Any idea why?", "Could you add type hints?",
         "{prose_work}", "Can you make it faster?"),
    ),
    "eval": (
        ("Here is a question. {prose_work}\n\n{problem}", "{prose_grade}", "{prose_compare}",
         "Answer the following question. {prose_short}\n\n{problem}",
         "Which word best completes the sentence: 'The {word} is ...'? Reply with a single "
         "word.", "Say '{word}' and nothing else.",
         "Here's a {subject} question. {prose_short}\n\n{science_q}"),
        ("", _EXAMINER),
        (),
    ),
    "tutoring": (
        ("{prose_open} {problem} {prose_work}", "{tutor_open} {math_problem} {prose_work}",
         "{prose_open} {science_q}", "{problem}"),
        ("You are a friendly tutor for {grade} students. Explain patiently, in plain language, "
         "and check that the student is following.",),
        ("{prose_follow}", "Could you give me one more like this to practise on?",
         "{prose_work}", "Thanks, that helped! Here's the next one: {problem}"),
    ),
    "synthetic": (
        ("{prose_cover} Could you write {n} {data_kind} with the fields {fields}, as JSON "
         "lines?", "{prose_cover} Please write a worked solution for this, with all of the "
         "reasoning a student would need: {problem}",
         "Could you come up with {d} other ways of asking this? {rag_question}",
         "Please write a realistic {doc_type} about {company} that we can use in a demo."),
        ("You help {company} create realistic, varied training material.",),
        (),
    ),
    "support": (
        ("A customer wrote in: \"{ticket}\" Could you help me work out what's going on? "
         "{prose_support}",
         "Can you help me write a friendly reply to this customer? They said: \"{ticket}\"",
         "A customer wants to know how to {support_task}. Could you explain it the way you'd "
         "explain it to someone who isn't technical, and say why each part matters?",
         "Here's a long thread, can you sum it up for whoever picks it up next? {ticket} "
         "{ticket}"),
        ("You are a support assistant for {company}. Be accurate, kind and clear.",),
        ("They say that didn't work either. What would you try next?",
         "Could you make the reply a little shorter?", "{prose_support}"),
    ),
    "classification": (
        ("Is this review positive, negative or neutral? Just the one word, please.\n\n"
         "{review}", "Which team should handle this ticket: billing, technical, account or "
         "other? Only the team name, please.\n\n{ticket}",
         "Would you say this message is harassment? Yes or no.\n\n{chat_message}",
         "Is this review talking about the {aspect}? Yes or no.\n\n{review}"),
        ("", "You label text. Reply with the label and nothing else."),
        (),
    ),
    # --- campaigns: the same banks, another mix
    "harvest": (
        ("{problem}\n\n{prose_work}", "{prose_cover} {problem}\n\n{prose_work}",
         "{prose_open} {problem} {prose_work}", "{code_problem}\n\n{prose_work}",
         "{prose_cover} {logic_problem} {prose_work}"),
        ("", "You are a patient and thorough explainer.", "You are a helpful assistant."),
        (),
    ),
    "drip": (
        ("{prose_open} {problem} {prose_work}", "{tutor_open} {problem}",
         "{problem} {prose_work}"),
        ("", "You are a helpful assistant."),
        (),
    ),
    "rubric": (
        ("{prose_grade}", "{prose_compare}", "Could you draft a marking scheme with {d} "
         "criteria for answers to this question? {problem}"),
        (_EXAMINER, ""),
        (),
    ),
    "probe": (
        ("{word}", "Which word best completes the sentence: 'The {word} is ...'? Reply with a "
         "single word.", "Is this review talking about the {aspect}? Yes or no.\n\n{review}",
         "Say '{word}' and nothing else."),
        ("",),
        (),
    ),
    "mimic": (
        ("{chat_open}",),
        ("", "You are a helpful assistant."),
        ("Okay, different question: {problem} {prose_work}", "{prose_work}",
         "Why is that, though?", "Interesting! {problem}"),
    ),
}
for _lang in FOREIGN:
    _work, _problem = f"{{prose_work_{_lang}}}", f"{{problem_{_lang}}}"
    _KINDS[f"tutoring_{_lang}"] = (
        (f"{{tutor_open_{_lang}}} {_problem} {_work}", f"{_problem} {_work}",
         f"{{tutor_open_{_lang}}} {_problem}"),
        ("", "You are a friendly tutor. Explain patiently, in the student's language."),
        (_work, _problem),
    )
    _KINDS[f"chat_{_lang}"] = ((f"{{chat_{_lang}}}",), ("",), (f"{{chat_{_lang}}}", _work))
    _KINDS[f"multilingual_{_lang}"] = (
        (f"{_problem}\n\n{_work}", f"{{tutor_open_{_lang}}} {_problem} {_work}",
         f"{_problem} {_work}"),
        ("",),
        (),
    )
# fmt: on

FAMILY = WordingFamily(
    name="prose",
    summary="long, polite, conversational requests in full sentences; the instruction "
    "after the payload, cover stories (study guides, answer keys); longer answers",
    prefix="prose_",
    rules=_RULES,
    kinds=_KINDS,
    answer_tokens={"harvest": (2200.0, 0.7), "rubric": (520.0, 0.5)},
)
