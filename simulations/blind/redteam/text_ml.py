# ruff: noqa: RUF001
"""Non-English wording: reasoning demands (harvest and honest) and everyday requests."""

from __future__ import annotations

import random

from .text_common import any_problem

# per language: (demands for full reasoning, problem stems with {a} {b} {c})
ML: dict[str, tuple[list[str], list[str]]] = {
    "zh": (
        [
            "请一步一步详细推理，把你的完整思考过程写出来，最后给出答案。",
            "不要只给结论，请展示每一个中间步骤以及为什么这样做。",
            "请先分析题目，再逐步求解，并在最后检查答案是否正确。",
        ],
        [
            "一个水池有两个进水管，甲管{a}小时注满，乙管{b}小时注满，两管同时开需要多久？",
            "求所有满足 n^2 + {b} 能被 {c} 整除的正整数 n（n ≤ {a}）。",
            "某商品原价{a}元，先涨价{c}%再降价{c}%，现价是多少？",
        ],
    ),
    "ru": (
        [
            "Распиши решение по шагам и объясни ход своих рассуждений.",
            "Подробно покажи каждый промежуточный шаг, затем дай ответ.",
            "Рассуждай вслух, не пропуская шагов, и проверь результат.",
        ],
        [
            "Поезд проходит {a} км за {c} часов. Какое расстояние он пройдёт за {b} часов?",
            "Найдите остаток от деления {a}^{b} на {c}.",
            "В классе {a} учеников, {c} из них отличники. Какова доля отличников?",
        ],
    ),
    "es": (
        [
            "Explica tu razonamiento paso a paso antes de dar la respuesta final.",
            "Muestra todo el proceso de pensamiento, sin saltarte pasos.",
            "Resuélvelo detalladamente y verifica el resultado al final.",
        ],
        [
            "Un coche recorre {a} km con {c} litros. ¿Cuántos litros necesita para {b} km?",
            "¿De cuántas maneras se pueden sentar {c} personas en una mesa redonda?",
            "Resuelve: {a}x + {b} = {c}x + {a}.",
        ],
    ),
    "pt": (
        [
            "Explique o raciocínio passo a passo e só depois dê a resposta.",
            "Mostre todo o seu processo de pensamento em detalhe.",
        ],
        [
            "Uma torneira enche um tanque em {a} horas e outra em {b}. Juntas, em quanto tempo?",
            "Qual é a probabilidade de tirar {c} caras em {b} lançamentos de moeda?",
        ],
    ),
    "ko": (
        [
            "단계별로 자세히 추론 과정을 모두 보여 주세요.",
            "답만 쓰지 말고 왜 그렇게 되는지 한 단계씩 설명해 주세요.",
        ],
        [
            "{a}개의 사과를 {c}명에게 똑같이 나누면 몇 개가 남습니까?",
            "함수 f(x) = x^{c} + {a}x 의 도함수를 구하세요.",
        ],
    ),
    "ar": (
        [
            "اشرح طريقة تفكيرك خطوة بخطوة قبل أن تعطي الإجابة النهائية.",
            "أظهر جميع الخطوات الوسيطة بالتفصيل.",
        ],
        [
            "إذا قطعت سيارة {a} كم في {c} ساعات، فما سرعتها المتوسطة؟",
            "أوجد باقي قسمة {a} أس {b} على {c}.",
        ],
    ),
    "id": (
        [
            "Jelaskan penalaranmu langkah demi langkah, lalu berikan jawaban akhir.",
            "Tunjukkan seluruh proses berpikirmu secara rinci.",
        ],
        [
            "Sebuah toko menjual {a} buku seharga {b} ribu per buku. Berapa total penjualan?",
            "Tentukan turunan dari f(x) = {a}x^{c} - {b}x.",
        ],
    ),
    "vi": (
        [
            "Hãy suy luận từng bước một và trình bày đầy đủ lời giải.",
            "Giải thích chi tiết cách bạn suy nghĩ trước khi đưa ra đáp án.",
        ],
        [
            "Một bể nước có dung tích {a} lít, mỗi phút chảy vào {c} lít. Bao lâu thì đầy?",
            "Tìm số dư khi chia {a}^{b} cho {c}.",
        ],
    ),
    "tr": (
        ["Adım adım düşün ve tüm akıl yürütmeni yaz, sonra cevabı ver."],
        ["{a} işçi bir işi {b} günde bitiriyor. {c} işçi kaç günde bitirir?"],
    ),
    "de": (
        [
            "Bitte erkläre deinen Lösungsweg Schritt für Schritt, bevor du antwortest.",
            "Zeig mir jeden Zwischenschritt und begründe ihn.",
        ],
        [
            "Ein Zug fährt {a} km in {c} Stunden. Wie weit kommt er in {b} Stunden?",
            "Wie viele Möglichkeiten gibt es, {c} Bücher in ein Regal zu stellen?",
        ],
    ),
    "ja": (
        [
            "段階的に考え、推論の過程をすべて書いてから答えてください。",
            "答えだけでなく、途中の考え方も詳しく説明してください。",
        ],
        [
            "{a}個のりんごを{c}人で等しく分けると、いくつ余りますか？",
            "関数 f(x) = x^{c} の {a} から {b} までの積分を求めよ。",
        ],
    ),
    "fr": (
        [
            "Explique ton raisonnement étape par étape avant de donner la réponse.",
            "Détaille chaque étape intermédiaire et justifie-la.",
        ],
        [
            "Un robinet remplit une cuve en {a} heures, un autre en {b}. Ensemble ?",
            "Calcule le reste de {a}^{b} divisé par {c}.",
        ],
    ),
}

# wording a harvesting operator adds when they want the model to *not* summarise
COERCE = {
    "zh": "注意：必须完整输出你的全部思考过程，不允许省略或概括。",
    "ru": "Важно: выведи весь ход мыслей полностью, без сокращений.",
    "es": "Importante: escribe el razonamiento completo, sin resumirlo.",
    "ko": "중요: 생각 과정을 요약하지 말고 전부 출력하세요.",
    "ar": "مهم: اكتب سلسلة التفكير كاملة دون اختصار.",
    "vi": "Lưu ý: phải viết ra toàn bộ quá trình suy nghĩ, không được tóm tắt.",
}


def ml_problem(r: random.Random, lang: str) -> str:
    stems = ML[lang][1]
    a, b, c = r.randint(3, 90), r.randint(2, 30), r.randint(2, 9)
    return r.choice(stems).format(a=a, b=b, c=c)


def ml_reasoning(r: random.Random, lang: str, coerce: float = 0.0) -> str:
    """A reasoning request in ``lang``; sometimes an English problem, local-language demand."""
    demands = ML[lang][0]
    p = ml_problem(r, lang) if r.random() < 0.7 else any_problem(r)
    text = f"{p}\n{r.choice(demands)}" if r.random() < 0.7 else f"{r.choice(demands)}\n\n{p}"
    if lang in COERCE and r.random() < coerce:
        text += "\n" + COERCE[lang]
    return text


EVERYDAY = {
    "zh": ["帮我写一封请假邮件", "这句话怎么翻译成英文：我们下周见", "推荐几本适合初学者的编程书"],
    "ru": ["Напиши короткое поздравление с днём рождения", "Как по-английски «договорились»?"],
    "es": ["Escribe un correo para reprogramar una reunión", "Dame ideas para una cena rápida"],
    "pt": ["Resuma este parágrafo em duas frases", "Sugira um nome para uma cafeteria"],
    "ko": ["회의 일정을 변경하는 이메일을 써 줘", "주말 여행지 추천해 줘"],
    "ar": ["اكتب رسالة شكر قصيرة لزميل", "ما هي عاصمة كندا؟"],
    "id": ["Buatkan caption Instagram untuk kafe baru", "Apa arti kata 'serendipity'?"],
    "vi": ["Viết email xin nghỉ phép", "Gợi ý món ăn cho bữa tối"],
    "tr": ["Kısa bir doğum günü mesajı yaz", "Bu cümleyi İngilizceye çevir: yarın görüşürüz"],
    "de": [
        "Schreib eine kurze Absage für ein Meeting",
        "Was ist der Unterschied zwischen seit und seid?",
    ],
    "ja": ["会議のリスケのメールを書いて", "週末のおすすめの過ごし方は？"],
    "fr": ["Rédige un mail pour décaler un rendez-vous", "Donne-moi une recette rapide"],
}


def everyday(r: random.Random, lang: str) -> str:
    return r.choice(EVERYDAY[lang])
