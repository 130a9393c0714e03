"""Text in languages other than English: everyday chat, and reasoning requests.

``CHAT`` is what honest users of chat apps type in their own language. ``REASON`` holds
the instruction wrappers of a multilingual reasoning harvest (written for this set), and
``WORD_PROBLEMS`` native word problems with number slots, as translated datasets look.
"""

# Text in other scripts is the point of this module; fullwidth punctuation, Cyrillic and
# dotless i are meant, not look-alikes.
# ruff: noqa: RUF001

from __future__ import annotations

# fmt: off
CHAT: dict[str, tuple[str, ...]] = {
    "es": ("¿qué puedo cocinar con arroz, huevos y pimientos?", "ayúdame a escribir un mensaje"
           " de cumpleaños para mi madre", "¿es normal que mi perro duerma tanto?",
           "recomiéndame una serie parecida a Dark", "¿cómo le digo a mi jefe que necesito"
           " vacaciones?", "explícame qué es la inflación"),
    "pt": ("me dá ideias de presente para o dia dos pais", "como faço pra tirar mancha de"
           " vinho do sofá?", "resuma o livro Dom Casmurro", "qual a diferença entre CDB e"
           " tesouro direto?", "escreve uma legenda engraçada pra foto da praia"),
    "de": ("Kannst du mir eine höfliche Absage für ein Vorstellungsgespräch schreiben?",
           "Was kann ich heute Abend mit Kartoffeln und Lauch kochen?", "Erklär mir den"
           " Unterschied zwischen Brutto und Netto", "Wie werde ich meine Erkältung schneller"
           " los?", "Schreib ein kurzes Gedicht über den ersten Schnee"),
    "fr": ("Tu peux m'aider à écrire une lettre de motivation pour un stage ?", "Quelle est la"
           " différence entre un crédit immobilier à taux fixe et variable ?", "Idées de sortie"
           " à Lyon ce week-end", "Comment enlever le calcaire de ma bouilloire ?"),
    "ja": ("今夜の夕飯、鶏肉とキャベツで何か作れる？",
           "上司へのお礼のメールを書いてください", "猫が夜中に鳴く理由は？",
           "京都で紅葉が綺麗な場所を教えて", "英語の勉強を続けるコツは？"),
    "ko": ("오늘 저녁 메뉴 추천해줘", "친구 생일 축하 메시지 써줘", "잠이 안 올 때 어떻게 해야 돼?",
           "부산 1박 2일 여행 코스 짜줘", "자기소개서 첫 문장 좀 다듬어줘"),
    "zh": ("帮我写一段给同事的生日祝福", "周末去杭州玩两天，怎么安排比较好？",
           "怎么跟房东商量降房租？", "推荐几本适合入门的经济学书", "感冒了喝什么比较好"),
    "ru": ("Помоги написать поздравление коллеге с юбилеем", "Что приготовить на ужин из"
           " гречки и курицы?", "Как перестать откладывать дела на потом?", "Посоветуй фильм"
           " на вечер, что-нибудь лёгкое"),
    "hi": ("मेरे दोस्त के जन्मदिन के लिए एक छोटा सा संदेश लिखो", "घर पर पनीर बटर मसाला कैसे बनाएं?",
           "नौकरी के इंटरव्यू की तैयारी कैसे करूं?"),
    "id": ("Bantu aku bikin caption Instagram buat foto liburan", "Resep nasi goreng yang enak"
           " dan simpel apa ya?", "Gimana cara nabung buat beli motor?"),
    "tr": ("Annem için doğum günü mesajı yazar mısın?", "Akşam yemeği için pratik bir tarif"
           " önerir misin?", "İstanbul'da hafta sonu ne yapabilirim?"),
    "vi": ("Gợi ý món ăn tối nay với thịt gà và rau cải", "Viết giúp mình lời chúc sinh nhật"
           " cho bạn thân", "Làm sao để ngủ ngon hơn?"),
    "ar": ("اكتب لي رسالة تهنئة بمناسبة عيد ميلاد أخي", "ما هي أفضل طريقة لتعلم الإنجليزية؟",
           "اقترح علي وصفة عشاء سريعة"),
}
# fmt: on

# Wrappers of a reasoning harvest: each asks for the full reasoning in the target
# language, explicitly and at length. "{q}" is the problem.
# fmt: off
REASON: dict[str, tuple[str, ...]] = {
    "zh": ("请一步一步地推理下面的问题，把完整的思考过程都写出来，"
           "包括你检查和修正的地方，最后单独一行给出答案。\n\n题目：{q}",
           "下面是一道题。先详细分析题意，再逐步推导，每一步都要说明理由，"
           "最后用“答案：”给出结论。\n{q}",
           "用中文思考并回答。要求：展示全部中间步骤，不要省略；"
           "如果有多种解法，比较它们。\n问题：{q}"),
    "ru": ("Реши задачу, подробно рассуждая шаг за шагом. Покажи весь ход мысли, включая"
           " проверки, а в конце напиши «Ответ:».\n\nЗадача: {q}",
           "Подумай вслух на русском языке: разбери условие, составь план решения, выполни"
           " каждый шаг с объяснением и проверь результат.\n{q}"),
    "ko": ("다음 문제를 단계별로 자세히 추론해 주세요. 생각하는 과정을 모두 보여주고, "
           "마지막 줄에 정답을 적어 주세요.\n\n문제: {q}",
           "아래 문제를 풀 때 중간 과정을 하나도 빠뜨리지 말고 "
           "한국어로 설명해 주세요.\n{q}"),
    "ja": ("次の問題を、考えた過程をすべて書き出しながら一歩ずつ解いてください。"
           "確認の手順も含め、最後に「答え：」で結論を示してください。\n\n問題：{q}",
           "日本語で推論してください。条件の整理、解法の方針、"
           "各ステップの計算と理由、検算の順に書くこと。\n{q}"),
    "es": ("Resuelve el siguiente problema razonando paso a paso. Escribe todo tu proceso de"
           " pensamiento, incluidas las comprobaciones, y termina con «Respuesta final:».\n\n{q}",
           "Piensa en voz alta y en español: analiza el enunciado, plantea el método y"
           " justifica cada paso antes de dar la respuesta.\nProblema: {q}"),
    "pt": ("Resolva o problema abaixo raciocinando passo a passo. Mostre todo o raciocínio,"
           " inclusive as verificações, e termine com 'Resposta:'.\n\n{q}",),
    "ar": ("حل المسألة التالية خطوة بخطوة، واكتب طريقة تفكيرك كاملة مع التحقق من كل خطوة، "
           "ثم اكتب الإجابة النهائية في سطر منفصل.\n\n{q}",),
    "vi": ("Hãy giải bài toán sau và trình bày toàn bộ quá trình suy luận từng bước, kể cả"
           " phần kiểm tra lại, rồi ghi đáp án ở dòng cuối.\n\n{q}",),
    "id": ("Selesaikan soal berikut dengan menalar langkah demi langkah. Tuliskan seluruh"
           " proses berpikirmu, termasuk pengecekan, lalu tulis jawaban akhir.\n\n{q}",),
    "tr": ("Aşağıdaki problemi adım adım akıl yürüterek çöz. Tüm düşünce sürecini,"
           " kontrollerle birlikte yaz ve en sonda 'Cevap:' satırını ekle.\n\n{q}",),
    "de": ("Löse die folgende Aufgabe Schritt für Schritt und schreibe deinen gesamten"
           " Gedankengang auf, einschließlich aller Zwischenprüfungen."
           " Ende mit 'Antwort:'.\n\n{q}",),
}
# fmt: on

# Native word problems; {a} {b} {c} are integers.
# fmt: off
WORD_PROBLEMS: dict[str, tuple[str, ...]] = {
    "zh": ("一个水池有两根进水管，甲管单独注满需要{a}小时，乙管需要{b}小时。"
           "两管同时打开，多少小时能注满？",
           "某商品先提价{a}%，再降价{b}%，最后售价是{c}元。原价是多少？",
           "从1到{c}的整数中，有多少个数既不能被3整除也不能被{a}整除？"),
    "ru": ("Поезд прошёл {c} км со скоростью {a}0 км/ч, а обратно — со скоростью {b}0 км/ч."
           " Какова средняя скорость на всём пути?",
           "Сколько существует {a}-значных чисел, сумма цифр которых равна {b}?"),
    "ko": ("어떤 수에 {a}를 곱하고 {b}를 더했더니 {c}가 되었습니다. 어떤 수는 무엇입니까?",
           "주머니에 빨간 공 {a}개와 파란 공 {b}개가 있습니다. "
           "두 개를 꺼낼 때 색이 같을 확률은?"),
    "ja": ("{a}人で{b}日かかる仕事を、{c}人で行うと何日かかりますか。",
           "1から{c}までの整数のうち、{a}の倍数でも{b}の倍数でもないものは"
           "いくつありますか。"),
    "es": ("Un tren recorre {c} km a {a}0 km/h y vuelve a {b}0 km/h. ¿Cuál es la velocidad"
           " media del viaje completo?", "¿De cuántas maneras se pueden sentar {a} personas"
           " en una mesa redonda si dos de ellas no quieren estar juntas?"),
    "pt": ("Um capital de R$ {c}00 é aplicado a juros compostos de {a}% ao mês. Em quantos"
           " meses ele dobra?",),
    "ar": ("مستطيل محيطه {c} سم وطوله يزيد عن عرضه بمقدار {a} سم. أوجد مساحته.",),
    "vi": ("Một người đi xe đạp {c} km với vận tốc {a} km/h rồi đi bộ {b} km với vận tốc 5"
           " km/h. Tính vận tốc trung bình.",),
    "id": ("Harga {a} buku dan {b} pensil adalah Rp{c}.000. Jika harga satu buku tiga kali"
           " harga pensil, berapa harga satu pensil?",),
    "tr": ("Bir sınıftaki {c} öğrencinin {a}/{b}'i kız öğrencidir. Kaç erkek öğrenci vardır?",),
    "de": ("Ein Kapital von {c}00 Euro wird zu {a} % Zinseszins angelegt. Nach wie vielen"
           " Jahren hat es sich verdoppelt?",),
}
# fmt: on

# What students type to a homework helper. The last two of each are follow-ups.
# fmt: off
TUTOR_LEADS: dict[str, tuple[str, ...]] = {
    "zh": ("这道题怎么做？", "老师布置的作业，看不懂：", "请帮我讲一下这道题的思路：",
           "第二步为什么这样算？", "我算出来是12，对吗？"),
    "ja": ("この問題の解き方を教えてください：", "宿題でわからない問題があります。",
           "なんでそこで割るんですか？", "答えは3で合ってますか？"),
    "ko": ("이 문제 어떻게 풀어요?", "숙제인데 풀이 과정 좀 알려주세요:",
           "왜 거기서 나눠요?", "답이 12 맞아요?"),
    "es": ("No entiendo este ejercicio:", "¿Me explicas cómo se resuelve esto?",
           "¿por qué se divide ahí?", "¿entonces da 14?"),
    "pt": ("Não entendi esse exercício:", "Como resolve essa questão?",
           "por que divide ali?", "então a resposta é 12?"),
    "vi": ("Bài này làm thế nào ạ?", "Giải thích giúp em bài này:",
           "sao bước 2 lại chia ạ?", "vậy đáp án là 14 đúng không ạ?"),
    "id": ("Soal ini gimana caranya?", "Tolong jelaskan cara mengerjakan soal ini:",
           "kenapa langkah kedua dibagi?", "jadi jawabannya 12 ya?"),
    "hi": ("यह सवाल कैसे हल करें?", "मेरा होमवर्क है, समझ नहीं आया:",
           "दूसरे स्टेप में भाग क्यों दिया?", "तो उत्तर 14 है?"),
    "ar": ("كيف أحل هذه المسألة؟", "لم أفهم هذا التمرين:",
           "لماذا قسمنا هنا؟", "إذن الجواب 12؟"),
    "tr": ("Bu soruyu nasıl çözerim?", "Ödevimde anlamadığım bir soru var:",
           "neden orada bölüyoruz?", "yani cevap 14 mü?"),
    "de": ("Wie löse ich diese Aufgabe?", "Ich verstehe diese Hausaufgabe nicht:",
           "warum teilt man da?", "also ist die Antwort 12?"),
    "ru": ("Как решить эту задачу?", "Не понимаю домашнее задание:",
           "почему там делим?", "значит ответ 14?"),
}
# fmt: on
