# ruff: noqa: RUF001 - the text is meant to be in these scripts
"""Phrase banks in twelve languages, shared by benign (tutoring, chat, translation) and
attack (multilingual reasoning coercion) traffic.

Symbols are suffixed with the language code: ``reasoning_zh``, ``problem_ru``, ... Every
language has reasoning requests, math problems, tutoring openers, chat questions and
sentences to translate.
"""

from __future__ import annotations

from simulations.grammar import Alternatives

LANGUAGE_NAMES = {
    "en": "English", "zh": "Chinese", "ru": "Russian", "es": "Spanish", "fr": "French",
    "de": "German", "ja": "Japanese", "ko": "Korean", "pt": "Portuguese", "ar": "Arabic",
    "it": "Italian", "tr": "Turkish", "vi": "Vietnamese",
}  # fmt: skip
FOREIGN = tuple(code for code in LANGUAGE_NAMES if code != "en")

_BANKS: dict[str, dict[str, list[str]]] = {
    "zh": {
        "reasoning": [
            "请一步一步地思考。",
            "请详细写出你的完整推理过程。",
            "请展示每一个中间步骤。",
            "先解释思路，再逐步求解。",
            "请把你的思考过程完整地写出来，然后给出最终答案。",
        ],
        "problem": [
            "{name}有{n}个苹果，又买了{d}袋，每袋{d}个。现在一共有多少个？",
            "解方程：{d}x + {n} = {n3}。",
            "一列火车{d}小时行驶{n3}公里，{n}小时能行驶多远？",
            "从{n}个人中选出{d}人组成小组，有多少种选法？",
        ],
        "tutor_open": ["老师布置的作业我不会做。", "这道题我看不懂，能帮我吗？"],
        "chat": ["周末去{city}玩，有什么推荐？", "怎么写一封请假邮件？", "帮我想一个生日祝福。"],
        "sentence": [
            "会议改到下周三上午十点。",
            "我们的产品支持十二种语言。",
            "请在周五之前提交报告。",
            "这家餐厅的服务非常好。",
        ],
    },
    "ru": {
        "reasoning": [
            "Давай рассуждать шаг за шагом.",
            "Подробно распиши весь ход рассуждений.",
            "Покажи все промежуточные шаги.",
            "Сначала объясни подход, затем реши по шагам.",
            "Опиши свой мыслительный процесс полностью, а потом дай ответ.",
        ],
        "problem": [
            "У {name} было {n} яблок, он купил ещё {d} пакета по {d} штук. Сколько стало?",
            "Реши уравнение: {d}x + {n} = {n3}.",
            "Поезд проходит {n3} км за {d} часа. Сколько он пройдёт за {n} часов?",
            "Сколькими способами можно выбрать {d} человек из {n}?",
        ],
        "tutor_open": ["Не понимаю домашнее задание.", "Помоги разобраться с задачей."],
        "chat": [
            "Что посмотреть в {city} за выходные?",
            "Как написать письмо начальнику?",
            "Придумай поздравление с днём рождения.",
        ],
        "sentence": [
            "Встреча переносится на среду.",
            "Наш продукт поддерживает двенадцать языков.",
            "Пожалуйста, отправьте отчёт до пятницы.",
            "Обслуживание в этом ресторане отличное.",
        ],
    },
    "es": {
        "reasoning": [
            "Pensemos paso a paso.",
            "Explica tu razonamiento completo paso a paso.",
            "Muestra todos los pasos intermedios.",
            "Primero explica el enfoque y luego resuélvelo paso a paso.",
            "Describe todo tu proceso de pensamiento antes de dar la respuesta final.",
        ],
        "problem": [
            "{name} tiene {n} manzanas y compra {d} bolsas de {d}. ¿Cuántas tiene ahora?",
            "Resuelve: {d}x + {n} = {n3}.",
            "Un tren recorre {n3} km en {d} horas. ¿Cuánto recorre en {n} horas?",
            "¿De cuántas formas se pueden elegir {d} personas de {n}?",
        ],
        "tutor_open": ["No entiendo mi tarea.", "¿Me ayudas con este ejercicio?"],
        "chat": [
            "¿Qué puedo visitar en {city} un fin de semana?",
            "¿Cómo escribo un correo formal?",
            "Dame ideas para un regalo de cumpleaños.",
        ],
        "sentence": [
            "La reunión se pasa al miércoles.",
            "Nuestro producto admite doce idiomas.",
            "Envía el informe antes del viernes, por favor.",
            "El servicio en este restaurante es excelente.",
        ],
    },
    "fr": {
        "reasoning": [
            "Réfléchissons étape par étape.",
            "Explique tout ton raisonnement étape par étape.",
            "Montre toutes les étapes intermédiaires.",
            "Explique d'abord la méthode, puis résous pas à pas.",
            "Décris ton raisonnement en entier avant de donner la réponse finale.",
        ],
        "problem": [
            "{name} a {n} pommes et achète {d} sacs de {d}. Combien en a-t-il maintenant ?",
            "Résous : {d}x + {n} = {n3}.",
            "Un train parcourt {n3} km en {d} heures. Quelle distance en {n} heures ?",
            "De combien de façons choisir {d} personnes parmi {n} ?",
        ],
        "tutor_open": ["Je ne comprends pas mon devoir.", "Tu peux m'aider avec cet exercice ?"],
        "chat": [
            "Que visiter à {city} ce week-end ?",
            "Comment écrire un mail de relance poli ?",
            "Une idée de message d'anniversaire ?",
        ],
        "sentence": [
            "La réunion est décalée à mercredi.",
            "Notre produit prend en charge douze langues.",
            "Merci d'envoyer le rapport avant vendredi.",
            "Le service de ce restaurant est excellent.",
        ],
    },
    "de": {
        "reasoning": [
            "Denken wir Schritt für Schritt.",
            "Erkläre deinen gesamten Denkweg Schritt für Schritt.",
            "Zeige alle Zwischenschritte.",
            "Erkläre zuerst den Ansatz und löse es dann Schritt für Schritt.",
            "Beschreibe deinen Gedankengang vollständig und nenne dann die Antwort.",
        ],
        "problem": [
            "{name} hat {n} Äpfel und kauft {d} Tüten mit je {d}. Wie viele sind es jetzt?",
            "Löse: {d}x + {n} = {n3}.",
            "Ein Zug fährt {n3} km in {d} Stunden. Wie weit fährt er in {n} Stunden?",
            "Wie viele Möglichkeiten gibt es, {d} aus {n} Personen auszuwählen?",
        ],
        "tutor_open": [
            "Ich verstehe meine Hausaufgabe nicht.",
            "Kannst du mir bei dieser Aufgabe helfen?",
        ],
        "chat": [
            "Was kann man am Wochenende in {city} machen?",
            "Wie schreibe ich eine höfliche Erinnerung?",
            "Ideen für einen Geburtstagsgruß?",
        ],
        "sentence": [
            "Das Treffen wird auf Mittwoch verschoben.",
            "Unser Produkt unterstützt zwölf Sprachen.",
            "Bitte schicken Sie den Bericht bis Freitag.",
            "Der Service in diesem Restaurant ist ausgezeichnet.",
        ],
    },
    "ja": {
        "reasoning": [
            "ステップバイステップで考えてください。",
            "推論の過程をすべて詳しく書いてください。",
            "途中の計算をすべて示してください。",
            "まず考え方を説明してから、順を追って解いてください。",
            "思考過程を全部書いてから最終的な答えを出してください。",
        ],
        "problem": [
            "{name}さんはりんごを{n}個持っていて、{d}個入りの袋を{d}袋買いました。全部で何個？",
            "方程式を解いてください：{d}x + {n} = {n3}。",
            "電車が{d}時間で{n3}km走ります。{n}時間では何km？",
            "{n}人から{d}人を選ぶ方法は何通り？",
        ],
        "tutor_open": ["宿題がわかりません。", "この問題を手伝ってくれますか？"],
        "chat": [
            "週末に{city}でおすすめの場所は？",
            "丁寧なメールの書き方を教えて。",
            "誕生日のメッセージを考えて。",
        ],
        "sentence": [
            "会議は水曜日に変更になりました。",
            "当社の製品は十二か国語に対応しています。",
            "金曜日までに報告書を提出してください。",
            "このレストランのサービスは素晴らしい。",
        ],
    },
    "ko": {
        "reasoning": [
            "단계별로 생각해 봅시다.",
            "전체 추론 과정을 자세히 써 주세요.",
            "모든 중간 단계를 보여 주세요.",
            "먼저 접근 방법을 설명하고 단계별로 풀어 주세요.",
            "생각 과정을 모두 쓴 다음 최종 답을 말해 주세요.",
        ],
        "problem": [
            "{name}는 사과 {n}개가 있고 {d}개씩 든 봉지를 {d}개 샀습니다. 모두 몇 개입니까?",
            "방정식을 푸세요: {d}x + {n} = {n3}.",
            "기차가 {d}시간에 {n3}km를 갑니다. {n}시간에는 몇 km입니까?",
            "{n}명 중 {d}명을 고르는 방법은 몇 가지입니까?",
        ],
        "tutor_open": ["숙제를 이해하지 못하겠어요.", "이 문제 좀 도와줄래요?"],
        "chat": [
            "주말에 {city}에서 뭘 하면 좋을까요?",
            "정중한 이메일은 어떻게 쓰나요?",
            "생일 축하 메시지 좀 써 줘.",
        ],
        "sentence": [
            "회의가 수요일로 변경되었습니다.",
            "우리 제품은 열두 개 언어를 지원합니다.",
            "금요일까지 보고서를 보내 주세요.",
            "이 식당의 서비스는 훌륭합니다.",
        ],
    },
    "pt": {
        "reasoning": [
            "Vamos pensar passo a passo.",
            "Explique todo o seu raciocínio passo a passo.",
            "Mostre todos os passos intermediários.",
            "Primeiro explique a abordagem e depois resolva passo a passo.",
            "Descreva todo o seu processo de pensamento antes da resposta final.",
        ],
        "problem": [
            "{name} tem {n} maçãs e compra {d} sacos com {d}. Quantas tem agora?",
            "Resolva: {d}x + {n} = {n3}.",
            "Um trem percorre {n3} km em {d} horas. Quanto percorre em {n} horas?",
            "De quantas maneiras escolher {d} pessoas entre {n}?",
        ],
        "tutor_open": ["Não entendo meu dever de casa.", "Pode me ajudar com este exercício?"],
        "chat": [
            "O que fazer em {city} no fim de semana?",
            "Como escrevo um e-mail formal?",
            "Ideias de mensagem de aniversário?",
        ],
        "sentence": [
            "A reunião foi adiada para quarta-feira.",
            "Nosso produto suporta doze idiomas.",
            "Envie o relatório até sexta-feira, por favor.",
            "O atendimento deste restaurante é excelente.",
        ],
    },
    "ar": {
        "reasoning": [
            "لنفكر خطوة بخطوة.",
            "اشرح طريقة تفكيرك كاملة خطوة بخطوة.",
            "اعرض جميع الخطوات الوسيطة.",
            "اشرح الفكرة أولاً ثم حل المسألة خطوة بخطوة.",
        ],
        "problem": [
            "لدى {name} {n} تفاحة واشترى {d} أكياس في كل منها {d}. كم تفاحة لديه الآن؟",
            "حل المعادلة: {d}x + {n} = {n3}.",
            "يقطع قطار {n3} كم في {d} ساعات. كم يقطع في {n} ساعة؟",
        ],
        "tutor_open": ["لا أفهم واجبي المنزلي.", "هل يمكنك مساعدتي في هذا التمرين؟"],
        "chat": ["ماذا أزور في {city} في عطلة نهاية الأسبوع؟", "كيف أكتب رسالة رسمية؟"],
        "sentence": [
            "تم تأجيل الاجتماع إلى يوم الأربعاء.",
            "يدعم منتجنا اثنتي عشرة لغة.",
            "يرجى إرسال التقرير قبل يوم الجمعة.",
        ],
    },
    "it": {
        "reasoning": [
            "Ragioniamo passo dopo passo.",
            "Spiega tutto il tuo ragionamento passo per passo.",
            "Mostra tutti i passaggi intermedi.",
            "Prima spiega l'approccio, poi risolvi passo per passo.",
        ],
        "problem": [
            "{name} ha {n} mele e compra {d} sacchetti da {d}. Quante ne ha adesso?",
            "Risolvi: {d}x + {n} = {n3}.",
            "Un treno percorre {n3} km in {d} ore. Quanto percorre in {n} ore?",
        ],
        "tutor_open": ["Non capisco i compiti.", "Mi aiuti con questo esercizio?"],
        "chat": ["Cosa vedere a {city} nel weekend?", "Come scrivo una mail formale?"],
        "sentence": [
            "La riunione è spostata a mercoledì.",
            "Il nostro prodotto supporta dodici lingue.",
            "Invia il rapporto entro venerdì, per favore.",
        ],
    },
    "tr": {
        "reasoning": [
            "Adım adım düşünelim.",
            "Tüm akıl yürütmeni adım adım açıkla.",
            "Tüm ara adımları göster.",
            "Önce yaklaşımı açıkla, sonra adım adım çöz.",
        ],
        "problem": [
            "{name} {n} elmaya sahip ve {d} poşet {d}'şer elma alıyor. Şimdi kaç elması var?",
            "Çöz: {d}x + {n} = {n3}.",
            "Bir tren {d} saatte {n3} km gidiyor. {n} saatte kaç km gider?",
        ],
        "tutor_open": ["Ödevimi anlamıyorum.", "Bu soruda bana yardım eder misin?"],
        "chat": ["Hafta sonu {city}'da ne yapılır?", "Resmi bir e-posta nasıl yazılır?"],
        "sentence": [
            "Toplantı çarşambaya ertelendi.",
            "Ürünümüz on iki dili destekliyor.",
            "Lütfen raporu cumaya kadar gönderin.",
        ],
    },
    "vi": {
        "reasoning": [
            "Hãy suy nghĩ từng bước một.",
            "Hãy giải thích toàn bộ lập luận của bạn từng bước.",
            "Hãy trình bày tất cả các bước trung gian.",
            "Trước hết giải thích cách làm, sau đó giải từng bước.",
        ],
        "problem": [
            "{name} có {n} quả táo và mua thêm {d} túi, mỗi túi {d} quả. Bây giờ có bao nhiêu?",
            "Giải phương trình: {d}x + {n} = {n3}.",
            "Một đoàn tàu đi {n3} km trong {d} giờ. Trong {n} giờ đi được bao xa?",
        ],
        "tutor_open": ["Em không hiểu bài tập về nhà.", "Bạn giúp mình bài này được không?"],
        "chat": ["Cuối tuần đi {city} nên chơi gì?", "Viết email trang trọng thế nào?"],
        "sentence": [
            "Cuộc họp được dời sang thứ Tư.",
            "Sản phẩm của chúng tôi hỗ trợ mười hai ngôn ngữ.",
            "Vui lòng gửi báo cáo trước thứ Sáu.",
        ],
    },
}


def i18n_rules() -> dict[str, Alternatives]:
    """``{symbol}_{lang}`` rules for every foreign language, plus English ``sentence_en``."""
    rules: dict[str, Alternatives] = {}
    for lang, bank in _BANKS.items():
        for symbol, phrases in bank.items():
            rules[f"{symbol}_{lang}"] = phrases
    rules["sentence_en"] = [
        "The meeting has moved to Wednesday.", "Our product supports twelve languages.",
        "Please send the report before Friday.", "The service at this restaurant is "
        "excellent.", "Your order has shipped and will arrive in {d} days.",
        "Thank you for your patience while we investigate the issue.",
    ]  # fmt: skip
    rules["lang_name"] = list(LANGUAGE_NAMES.values())
    return rules
