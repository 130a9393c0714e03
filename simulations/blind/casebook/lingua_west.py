# ruff: noqa: E501, RUF001
"""Phrase banks in Russian, Spanish, Portuguese, German and French (same keys as the east)."""

from __future__ import annotations

WEST: dict[str, dict[str, list[str]]] = {
    "ru": {
        "explain": [
            "Подробно объясни {topic}, рассуждая шаг за шагом и приводя конкретные примеры.",
            "Как эксперт, системно разбери {topic}: сначала изложи ход мысли, затем раскрой каждый шаг и подведи итог.",
            "По теме «{topic}»: выпиши всю цепочку рассуждений, прежде чем сделать вывод. Чем подробнее, тем лучше.",
            "Расскажи про {topic}: предпосылки, принцип, типичные ошибки и применение, обосновывая каждый пункт.",
        ],
        "solve": [
            "Первая труба наполняет бассейн за {a} ч, вторая за {b} ч. Обе работали {c} ч, затем первую закрыли. Сколько ещё времени нужно второй? Распиши решение по шагам.",
            "Цену товара подняли на {x}%, затем снизили на {y}%, и он стал стоить {p} руб. Какова исходная цена? Реши пошагово и сделай проверку.",
        ],
        "topics": [
            "ответственность за нарушение договора",
            "как вакцины формируют иммунитет",
            "сложность быстрой сортировки",
            "связь процентной ставки и инфляции",
            "фотосинтез",
            "трёхстороннее рукопожатие TCP",
            "теорема Байеса в медицинских тестах",
            "причины распада Римской империи",
        ],
        "chat": [
            "Помоги написать вежливое письмо клиенту с извинениями за задержку",
            "Куда сходить в Петербурге за выходные?",
            "Переведи на английский: Будем рады сотрудничеству",
            "Придумай короткую сказку на ночь про ёжика",
            "Что приготовить на ужин из курицы и гречки?",
            "Сделай этот текст более официальным: завтра меня не будет",
        ],
        "support": [
            "Где скачать счёт?",
            "С карты списали деньги дважды",
            "Как сменить номер телефона?",
        ],
    },
    "es": {
        "explain": [
            "Explica con detalle {topic}, razonando paso a paso y con ejemplos concretos.",
            "Como experto, analiza {topic} de forma sistemática: primero el planteamiento, luego cada paso y al final un resumen.",
            "Sobre {topic}: escribe todo el razonamiento completo antes de llegar a la conclusión. Sé lo más detallado posible.",
            "Haz una explicación completa de {topic}: contexto, principio, errores frecuentes y aplicaciones, justificando cada punto.",
        ],
        "solve": [
            "Un grifo llena un depósito en {a} horas y otro en {b} horas. Se abren juntos {c} horas y luego se cierra el primero. ¿Cuánto tarda el segundo en terminar? Desarrolla la solución paso a paso.",
            "Un producto sube un {x}% y después baja un {y}%, quedando en {p} euros. ¿Cuál era el precio inicial? Resuélvelo paso a paso y comprueba el resultado.",
        ],
        "topics": [
            "la responsabilidad por incumplimiento de contrato",
            "cómo las vacunas entrenan al sistema inmune",
            "la complejidad del quicksort",
            "la relación entre tipos de interés e inflación",
            "la fotosíntesis",
            "el saludo de tres vías de TCP",
            "el teorema de Bayes en pruebas médicas",
            "la Transición española",
        ],
        "chat": [
            "ayúdame a escribir un correo para disculparme con un cliente por el retraso",
            "qué ver en Lisboa en un fin de semana?",
            "tradúceme esto al inglés: quedo atento a sus comentarios",
            "inventa un cuento corto para dormir sobre un dragón tímido",
            "qué puedo cenar con arroz, huevos y espinacas",
            "reescribe esto más formal: mañana no puedo ir a la reunión",
        ],
        "support": [
            "¿Dónde descargo mi factura?",
            "Me cobraron dos veces este mes",
            "¿Cómo cambio mi correo?",
        ],
    },
    "pt": {
        "explain": [
            "Explique em detalhes {topic}, raciocinando passo a passo e com exemplos concretos.",
            "Como especialista, analise {topic} de forma sistemática: primeiro a linha de raciocínio, depois cada etapa e por fim um resumo.",
            "Sobre {topic}: escreva todo o raciocínio antes de chegar à conclusão. Seja o mais detalhado possível.",
            "Faça uma explicação completa de {topic}: contexto, princípio, erros comuns e aplicações, justificando cada ponto.",
        ],
        "solve": [
            "Uma torneira enche um tanque em {a} horas e outra em {b} horas. Abertas juntas por {c} horas, a primeira é fechada. Quanto tempo a segunda leva para terminar? Mostre o passo a passo.",
            "Um produto subiu {x}% e depois caiu {y}%, ficando em R$ {p}. Qual era o preço original? Resolva passo a passo e confira.",
        ],
        "topics": [
            "a responsabilidade por quebra de contrato",
            "como as vacinas treinam o sistema imunológico",
            "a complexidade do quicksort",
            "a relação entre juros e inflação",
            "a fotossíntese",
            "o handshake de três vias do TCP",
            "o teorema de Bayes em exames médicos",
            "o Plano Real",
        ],
        "chat": [
            "me ajuda a escrever um e-mail pedindo desculpas pro cliente pelo atraso",
            "roteiro de 3 dias no Rio, o que não posso perder?",
            "traduz pro inglês: fico no aguardo do seu retorno",
            "cria uma historinha pra dormir sobre um gato astronauta",
            "o que fazer de jantar com frango e batata doce",
            "deixa esse texto mais formal: amanhã não vou conseguir ir",
        ],
        "support": [
            "Onde baixo minha nota fiscal?",
            "Fui cobrado duas vezes",
            "Como troco meu e-mail de acesso?",
        ],
    },
    "de": {
        "explain": [
            "Erkläre ausführlich {topic}, denke Schritt für Schritt und nenne konkrete Beispiele.",
            "Analysiere als Experte {topic} systematisch: zuerst der Gedankengang, dann jeder Schritt, am Ende eine Zusammenfassung.",
            "Zum Thema {topic}: Schreibe die vollständige Argumentation auf, bevor du zu einem Schluss kommst.",
            "Gib eine umfassende Erklärung zu {topic}: Hintergrund, Prinzip, typische Irrtümer und Anwendungen, jeweils begründet.",
        ],
        "solve": [
            "Rohr A füllt ein Becken in {a} Stunden, Rohr B in {b} Stunden. Beide laufen {c} Stunden, dann wird A geschlossen. Wie lange braucht B noch? Bitte mit Rechenweg.",
            "Ein Artikel wird um {x} % teurer und danach um {y} % billiger und kostet dann {p} Euro. Wie hoch war der ursprüngliche Preis? Schritt für Schritt mit Probe.",
        ],
        "topics": [
            "die Haftung bei Vertragsverletzung",
            "wie Impfstoffe das Immunsystem trainieren",
            "die Komplexität von Quicksort",
            "den Zusammenhang von Leitzins und Inflation",
            "die Photosynthese",
            "den TCP-Drei-Wege-Handshake",
            "den Satz von Bayes bei medizinischen Tests",
            "die Wiedervereinigung 1990",
        ],
        "chat": [
            "Hilf mir bei einer Entschuldigungsmail an einen Kunden wegen Lieferverzug",
            "Was kann man an einem Wochenende in Wien unternehmen?",
            "Übersetze ins Englische: Wir freuen uns auf die Zusammenarbeit",
            "Schreib eine kurze Gute-Nacht-Geschichte über einen kleinen Igel",
            "Was koche ich heute mit Linsen und Karotten?",
            "Formuliere das höflicher: Schicken Sie mir das bis morgen",
        ],
        "support": [
            "Wo finde ich meine Rechnung?",
            "Mir wurde doppelt abgebucht",
            "Wie ändere ich meine E-Mail-Adresse?",
        ],
    },
    "fr": {
        "explain": [
            "Explique en détail {topic}, en raisonnant étape par étape avec des exemples concrets.",
            "En tant qu'expert, analyse {topic} de façon méthodique : d'abord la démarche, puis chaque étape, enfin un résumé.",
            "Au sujet de {topic} : rédige tout le raisonnement avant de conclure. Sois aussi détaillé que possible.",
            "Fais une présentation complète de {topic} : contexte, principe, erreurs fréquentes et applications, en justifiant chaque point.",
        ],
        "solve": [
            "Un robinet remplit une cuve en {a} heures, un autre en {b} heures. Ouverts ensemble {c} heures, on ferme le premier. Combien de temps faut-il au second pour finir ? Détaille le calcul.",
            "Un article augmente de {x} % puis baisse de {y} % et coûte alors {p} euros. Quel était le prix initial ? Résous pas à pas et vérifie.",
        ],
        "topics": [
            "la responsabilité contractuelle",
            "la façon dont les vaccins entraînent le système immunitaire",
            "la complexité du tri rapide",
            "le lien entre taux d'intérêt et inflation",
            "la photosynthèse",
            "la poignée de main TCP en trois temps",
            "le théorème de Bayes en dépistage",
            "la Révolution de 1789",
        ],
        "chat": [
            "aide-moi à écrire un mail d'excuse à un client pour un retard de livraison",
            "que faire à Lyon en un week-end ?",
            "traduis en anglais : je reste à votre disposition",
            "invente une petite histoire pour s'endormir avec un renard curieux",
            "une idée de dîner rapide avec des pâtes et des courgettes ?",
            "reformule plus poliment : envoyez-moi ça avant demain",
        ],
        "support": [
            "Où télécharger ma facture ?",
            "J'ai été débité deux fois",
            "Comment changer mon adresse e-mail ?",
        ],
    },
}
