# ruff: noqa: RUF001  (non-English text is deliberate: real multilingual prompts)
"""Shared vocabulary and the honest customers' wording."""

from __future__ import annotations

import random

NAMES = [
    "Priya",
    "Tomás",
    "Mei",
    "Jonas",
    "Aisha",
    "Kenji",
    "Olga",
    "Diego",
    "Fatima",
    "Liam",
    "Sven",
    "Chloé",
    "Ravi",
    "Noor",
    "Hannah",
    "Mateo",
    "Yuki",
    "Kwame",
    "Ines",
    "Arjun",
]
ITEMS = [
    "apples",
    "notebooks",
    "tickets",
    "bolts",
    "cupcakes",
    "bus passes",
    "marbles",
    "litres of paint",
    "shares",
    "tiles",
    "seedlings",
    "concert seats",
]
TOPICS = [
    "photosynthesis",
    "the French Revolution",
    "binary search trees",
    "compound interest",
    "plate tectonics",
    "the Krebs cycle",
    "supply and demand",
    "Ohm's law",
    "recursion",
    "the Pythagorean theorem",
    "vaccines",
    "black holes",
    "TCP handshakes",
    "inflation",
    "Bayes' theorem",
    "the water cycle",
    "quantum tunnelling",
    "eigenvalues",
    "CRISPR",
    "the Treaty of Westphalia",
    "entropy",
    "gradient descent",
    "mitosis",
    "tariffs",
]
LANGS = [
    "French",
    "German",
    "Spanish",
    "Japanese",
    "Portuguese",
    "Italian",
    "Korean",
    "Dutch",
    "Polish",
    "Turkish",
    "Vietnamese",
    "Indonesian",
    "Arabic",
    "Hindi",
    "Chinese (Simplified)",
]
PRODUCTS = [
    "the Aurora X2 router",
    "my Basic plan",
    "order #{n}",
    "the mobile app",
    "SmartBrew 300",
    "my invoice from {m}",
    "the family subscription",
    "the refund I requested",
]
MONTHS = ["March", "April", "June", "July", "September", "October", "November"]
LIBS = [
    "pandas",
    "React",
    "FastAPI",
    "Django",
    "tokio",
    "Spring Boot",
    "numpy",
    "Kubernetes",
    "Terraform",
    "SQLAlchemy",
    "Next.js",
    "pytest",
    "Redis",
    "gRPC",
    "Polars",
    "Flutter",
]
FILES = [
    "src/api/routes.py",
    "lib/parser.ts",
    "cmd/server/main.go",
    "app/models/user.rb",
    "core/src/lib.rs",
    "tests/test_billing.py",
    "web/components/Cart.tsx",
    "pkg/cache/lru.go",
]


def num(rng: random.Random, lo: int = 2, hi: int = 99) -> int:
    return rng.randint(lo, hi)


def problem(rng: random.Random) -> str:
    """A self-contained exercise; honest and harvesting traffic both use these."""
    k = rng.randrange(12)
    a, b, c = num(rng), num(rng), num(rng, 2, 12)
    n1, n2 = rng.sample(NAMES, 2)
    it = rng.choice(ITEMS)
    return [
        f"{n1} buys {a} {it} at ${c} each and sells {b} of them at ${c + 3}. What is the profit?",
        f"Find all real x such that x^2 - {a}x + {b} = 0.",
        f"How many integers between 1 and {a * 100} are divisible by {c} but not by {c + 1}?",
        f"A train leaves at {c}:00 going {a} km/h; another leaves {c % 5 + 1} hours later at "
        f"{a + b} km/h. When does the second catch up?",
        f"Prove that the sum of the first {a} odd numbers is a perfect square.",
        f"Write a function that returns the {c}-th largest element of an unsorted array in "
        "O(n) average time, and analyse it.",
        f"{n1} and {n2} share {a * 10} {it} in the ratio {c}:{c + 2}. How many does {n2} get?",
        f"What is the probability of getting at least {c % 4 + 2} heads in {c + 4} fair coin "
        "tosses?",
        f"A rectangle has perimeter {a * 2 + 20} and area {a * 5}. Find its side lengths.",
        f"Given a graph with {a} nodes and {b + a} edges, design an algorithm to detect a cycle "
        "and give its complexity.",
        f"Evaluate the integral of x^{c % 5 + 1} * e^x from 0 to 1.",
        f"There are {c} people at a party and each shakes hands with every other once. "
        f"If {c % 3 + 1} leave early, how many handshakes happen?",
    ][k]


def chat(rng: random.Random) -> str:
    t = rng.choice(TOPICS)
    return rng.choice(
        [
            f"can you explain {t} like I'm 12",
            f"What's a good way to remember {t} for my exam tomorrow?",
            f"write a short birthday poem for {rng.choice(NAMES)} who loves {rng.choice(ITEMS)}",
            "what should i cook tonight, i have rice, eggs and spinach",
            f"Summarize {t} in three bullet points.",
            f"is it true that {t} was discovered by accident?",
            "help me write an email asking my landlord to fix the heating",
            "give me 5 name ideas for a cat. orange, very loud",
            f"Explain step by step how {t} works, I keep getting confused.",
            f"I have a {rng.choice(MONTHS)} trip to Lisbon for {num(rng, 3, 9)} days, plan it",
            "rewrite this to sound more professional: hey, cant make it tmrw, sry",
            f"why is {t} important? keep it short",
            "tell me a joke about programmers",
            f"Could you think through this carefully? {problem(rng)}",
            "what's the difference between a Roth IRA and a traditional one",
            f"translate 'see you next week' into {rng.choice(LANGS)}",
        ]
    )


def code(rng: random.Random) -> str:
    lib, f = rng.choice(LIBS), rng.choice(FILES)
    return rng.choice(
        [
            f"The test in {f} fails with KeyError: 'user_id'. Fix it, keep the public API.",
            f"Refactor {f} to use dependency injection; keep behaviour identical.",
            f"Add pagination to the list endpoint in {f} using {lib}.",
            f"Why does this {lib} code deadlock under load? See the traceback above.",
            f"Write unit tests for the functions in {f}. Cover the edge cases.",
            f"<tool_result>\n{num(rng, 2, 40)} passed, {num(rng, 1, 5)} failed\n</tool_result>",
            f"Continue. Apply the edit to {f} and run the tests again.",
            f"Migrate {f} from {lib} {num(rng, 1, 3)}.x to the latest major version.",
            f"Explain what this function in {f} does, line by line.",
            "Here is the diff. Review it and point out bugs.",
        ]
    )


# the same kinds of exercise written natively (harvesters translate datasets; students ask
# in their own language)
LOCAL_PROBLEMS = {
    "zh": [
        "求所有满足 x^2 - {a}x + {b} = 0 的实数 x。",
        "{c} 个人参加聚会，每两人握手一次，一共握手多少次？",
        "一个长方形的周长是 {p}，面积是 {q}，求它的长和宽。",
    ],
    "ru": [
        "Найдите все действительные x, для которых x^2 - {a}x + {b} = 0.",
        "Сколько чисел от 1 до {h} делятся на {c}, но не делятся на {d}?",
        "Поезд идёт со скоростью {a} км/ч. За сколько часов он проедет {h} км?",
    ],
    "es": [
        "Encuentra todos los x reales tales que x^2 - {a}x + {b} = 0.",
        "¿Cuántos enteros entre 1 y {h} son divisibles por {c} pero no por {d}?",
        "Un rectángulo tiene perímetro {p} y área {q}. Halla sus lados.",
    ],
    "pt": [
        "Encontre todos os x reais tais que x^2 - {a}x + {b} = 0.",
        "Quantos apertos de mão acontecem entre {c} pessoas se cada par se cumprimenta uma vez?",
    ],
    "ko": [
        "x^2 - {a}x + {b} = 0 을 만족하는 실수 x를 모두 구하시오.",
        "1부터 {h}까지의 정수 중 {c}의 배수이지만 {d}의 배수가 아닌 수는 몇 개인가?",
    ],
    "ja": [
        "x^2 - {a}x + {b} = 0 を満たす実数 x をすべて求めよ。",
        "周の長さが {p}、面積が {q} の長方形の辺の長さを求めよ。",
    ],
    "de": [
        "Bestimme alle reellen x mit x^2 - {a}x + {b} = 0.",
        "Wie viele ganze Zahlen zwischen 1 und {h} sind durch {c}, aber nicht durch {d} teilbar?",
    ],
    "fr": [
        "Trouver tous les réels x tels que x^2 - {a}x + {b} = 0.",
        "Combien de poignées de main échangent {c} personnes si chaque paire se salue une fois ?",
    ],
    "ar": ["أوجد جميع قيم x الحقيقية التي تحقق x^2 - {a}x + {b} = 0."],
}


def problem_in(rng: random.Random, lang: str) -> str:
    """An exercise in ``lang`` when we have one written natively, else in English."""
    if lang not in LOCAL_PROBLEMS or rng.random() < 0.35:
        return problem(rng)
    a, b, c = num(rng), num(rng), num(rng, 2, 12)
    return rng.choice(LOCAL_PROBLEMS[lang]).format(
        a=a, b=b, c=c, d=c + 1, h=a * 100, p=a * 2 + 20, q=a * 5
    )
