"""A generator of English reasoning problems (maths, science, code, logic, open questions).

Harvesters pull from seed corpora like this; honest evaluators and tutors ask the same kinds of
questions, so both sides draw on it with their own framing.
"""

from __future__ import annotations

from collections.abc import Callable
from random import Random

NAMES = [
    "Amara",
    "Bilal",
    "Chen",
    "Dmitri",
    "Elena",
    "Farah",
    "Gabriel",
    "Hana",
    "Ibrahim",
    "Jonas",
    "Keiko",
    "Lucas",
    "Mei",
    "Nikhil",
    "Olga",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
]
ITEMS = ["notebooks", "apples", "tickets", "bolts", "plants", "bottles", "chairs", "stamps"]
CHEM = [
    ("methane", "CH4 + 2 O2 -> CO2 + 2 H2O", "carbon dioxide"),
    ("propane", "C3H8 + 5 O2 -> 3 CO2 + 4 H2O", "water"),
    ("iron(III) oxide", "Fe2O3 + 3 CO -> 2 Fe + 3 CO2", "iron"),
    ("calcium carbonate", "CaCO3 -> CaO + CO2", "calcium oxide"),
    ("glucose", "C6H12O6 + 6 O2 -> 6 CO2 + 6 H2O", "carbon dioxide"),
]
CODE_TASKS = [
    "returns the length of the longest substring without repeating characters",
    "merges k sorted linked lists into one sorted list",
    "finds the minimum number of coins needed to make a given amount",
    "checks whether a string of brackets ()[]{} is balanced",
    "computes the number of islands in a 2D grid of '0' and '1'",
    "implements an LRU cache with O(1) get and put",
    "returns all permutations of a list of distinct integers",
    "finds the shortest path in a weighted directed graph with non-negative weights",
    "serialises and deserialises a binary tree",
    "returns the k most frequent words in a text, ties broken alphabetically",
    "computes the edit distance between two strings",
    "finds the median of two sorted arrays in logarithmic time",
    "detects a cycle in a directed graph and returns one cycle if it exists",
    "evaluates an arithmetic expression with +, -, *, / and parentheses",
    "schedules tasks with deadlines to maximise total profit",
    "finds the longest increasing subsequence and returns it",
]
OPEN_QUESTIONS = [
    "Why does ice float on water, and what would happen to lakes if it did not?",
    "How does public-key cryptography let two strangers agree on a secret over an open line?",
    "Why do interest rate rises tend to cool inflation, and through which channels?",
    "What causes the seasons on Earth, and why is it not the distance to the Sun?",
    "Why is the sky blue during the day but red and orange at sunset?",
    "How do vaccines train the immune system, and why do some need boosters?",
    "Why did the Roman Republic turn into an empire? Weigh the main explanations.",
    "Is it rational to buy insurance if the expected value is negative? Explain.",
    "How does a transistor act as a switch, and why did that make computers possible?",
    "Why does correlation not imply causation? Give a worked example with a confounder.",
    "How do plate tectonics explain the distribution of earthquakes and volcanoes?",
    "What is the halting problem and why can no program solve it?",
    "Why do antibiotics stop working over time, and what slows resistance down?",
    "How does a bank create money when it makes a loan?",
    "What makes a sorting algorithm stable, and when does stability matter?",
    "Why is the Monty Hall switch the better strategy? Convince a sceptic.",
]


def _rate(rng: Random) -> str:
    a, b = rng.randint(2, 9), rng.randint(3, 12)
    who = rng.sample(NAMES, 2)
    return (
        f"{who[0]} can finish a job in {a} hours and {who[1]} can finish it in {b} hours. "
        f"They work together for {rng.randint(1, min(a, b))} hour(s), then {who[0]} leaves. "
        f"How long does {who[1]} need to finish the rest?"
    )


def _travel(rng: Random) -> str:
    d, v1, v2 = rng.randint(40, 400), rng.randint(30, 90), rng.randint(40, 120)
    return (
        f"A car drives {d} km from one town to another at {v1} km/h and returns at {v2} km/h. "
        "What is its average speed for the round trip, and why is it not the mean of the speeds?"
    )


def _money(rng: Random) -> str:
    p, q, price = rng.randint(10, 60), rng.randint(5, 40), rng.randint(20, 900)
    if rng.random() < 0.5:
        return (
            f"A shop raises the price of an item costing ${price} by {p}% and later cuts the new "
            f"price by {q}%. What is the final price and the net percentage change?"
        )
    years, rate = rng.randint(3, 30), rng.choice([2.5, 3, 4, 4.5, 5, 6, 7])
    return (
        f"${price * 100} is invested at {rate}% per year compounded monthly for {years} years. "
        "How much is it worth at the end, and how much of that is interest?"
    )


def _quadratic(rng: Random) -> str:
    r1, r2, k = rng.randint(-9, 9), rng.randint(-9, 9), rng.randint(1, 4)
    b, c = -k * (r1 + r2), k * r1 * r2
    return f"Solve for x: {k}x^2 + ({b})x + ({c}) = 0, and verify both roots."


def _system(rng: Random) -> str:
    x, y, z = rng.randint(-5, 9), rng.randint(-5, 9), rng.randint(-5, 9)
    rows = []
    for _ in range(3):
        a, b, c = rng.randint(1, 6), rng.randint(-4, 6), rng.randint(-3, 5)
        rows.append(f"{a}x + {b}y + {c}z = {a * x + b * y + c * z}")
    return "Solve the system of equations:\n" + "\n".join(rows)


def _number(rng: Random) -> str:
    kind = rng.randint(0, 3)
    if kind == 0:
        base, power = rng.randint(2, 19), rng.randint(50, 2026)
        modulus = rng.choice([7, 11, 13, 17, 19, 23, 100, 1000])
        return f"Find the remainder when {base}^{power} is divided by {modulus}."
    if kind == 1:
        n = rng.randint(2, 60) * rng.choice([36, 48, 60, 72, 90, 120])
        return f"How many positive divisors does {n} have? List the reasoning."
    if kind == 2:
        r3, r5, r7 = rng.randint(1, 2), rng.randint(1, 4), rng.randint(1, 6)
        return (
            f"Find the smallest positive integer n such that n leaves remainder {r3} when divided "
            f"by 3, {r5} when divided by 5 and {r7} when divided by 7."
        )
    first = rng.choice(["n", "2n", "n+1"])
    return (
        f"Prove that the sum of the first {first} odd numbers is a perfect square, or find the "
        "exact sum if it is not."
    )


def _combinatorics(rng: Random) -> str:
    n = rng.randint(5, 12)
    if rng.random() < 0.5:
        a, b = rng.sample(NAMES, 2)
        return (
            f"In how many ways can {n} people sit around a round table if {a} and {b} refuse to "
            "sit next to each other?"
        )
    return (
        f"How many {n}-letter strings over the alphabet {{A, B, C}} contain no two consecutive A's?"
    )


def _probability(rng: Random) -> str:
    red, blue, k = rng.randint(3, 12), rng.randint(3, 12), rng.randint(2, 5)
    j = rng.randint(1, k)
    if rng.random() < 0.5:
        return (
            f"A bag has {red} red and {blue} blue marbles. {k} are drawn without replacement. "
            f"What is the probability that exactly {j} are red?"
        )
    p, sens, spec = rng.choice([1, 2, 5, 10]), rng.randint(85, 99), rng.randint(85, 99)
    return (
        f"A disease affects {p}% of a population. A test has {sens}% sensitivity and {spec}% "
        "specificity. If a random person tests positive, what is the chance they actually have "
        "the disease?"
    )


def _geometry(rng: Random) -> str:
    a, b = rng.randint(3, 15), rng.randint(4, 16)
    c = rng.randint(abs(a - b) + 1, a + b - 1)
    if rng.random() < 0.6:
        return f"A triangle has sides {a}, {b} and {c}. Find its area, inradius and circumradius."
    return (
        f"A cone has base radius {a} cm and slant height {a + b} cm. Find its volume and total "
        "surface area."
    )


def _calculus(rng: Random) -> str:
    n, a = rng.randint(1, 4), rng.randint(1, 5)
    kind = rng.randint(0, 2)
    if kind == 0:
        return f"Evaluate the integral of x^{n} * e^({a}x) dx and check it by differentiating."
    if kind == 1:
        return (
            f"A rectangular box with a square base and no lid must hold {a * 500} cm^3. What "
            "dimensions minimise the material used?"
        )
    return f"Find the limit as x -> 0 of (sin({a}x) - {a}x) / x^3."


def _physics(rng: Random) -> str:
    v, ang, h = rng.randint(10, 60), rng.choice([15, 30, 37, 45, 53, 60]), rng.randint(0, 40)
    kind = rng.randint(0, 2)
    if kind == 0:
        return (
            f"A ball is launched at {v} m/s at {ang} degrees above horizontal from a {h} m high "
            "cliff. Find the time of flight and horizontal range (g = 9.81 m/s^2)."
        )
    if kind == 1:
        r1, r2, r3, r4 = (rng.randint(2, 20) for _ in range(4))
        volts = rng.choice([6, 9, 12, 24])
        return (
            f"Resistors of {r1}, {r2} and {r3} ohms are in parallel, in series with {r4} ohms, "
            f"across a {volts} V battery. Find every branch current."
        )
    m1, t1, m2, t2 = rng.randint(1, 5), rng.randint(5, 30), rng.randint(1, 5), rng.randint(50, 95)
    return (
        f"{m1} kg of water at {t1} C is mixed with {m2} kg at {t2} C. Find the final temperature "
        "and the entropy change."
    )


def _chemistry(rng: Random) -> str:
    fuel, eq, product = rng.choice(CHEM)
    grams = rng.randint(5, 250)
    return (
        f"Given {eq}, how many grams of {product} are produced from {grams} g of {fuel} with "
        "excess of the other reactant?"
    )


def _code(rng: Random) -> str:
    lang = rng.choice(["Python", "Python", "C++", "Java", "Rust", "Go", "TypeScript"])
    task = rng.choice(CODE_TASKS)
    return f"Write a {lang} function that {task}. State the time and space complexity."


def _logic(rng: Random) -> str:
    a, b, c = rng.sample(NAMES, 3)
    if rng.random() < 0.5:
        return (
            f"On an island, knights always tell the truth and knaves always lie. {a} says: "
            f"'{b} is a knave.' {b} says: '{a} and {c} are the same kind.' {c} says nothing. "
            "What is each of them?"
        )
    return (
        f"{a}, {b} and {c} each own a different pet (cat, dog, parrot) and live in different "
        f"colour houses (red, green, blue). {a} does not live in the red house. The dog owner "
        f"lives in the green house. {b} owns the parrot. {c} lives in the blue house. Who owns "
        "what?"
    )


def _stats(rng: Random) -> str:
    n, mean, sd = rng.randint(20, 200), rng.randint(40, 120), rng.randint(5, 25)
    null = mean + rng.randint(-6, 6)
    return (
        f"A sample of {n} has mean {mean} and standard deviation {sd}. Test at the 5% level "
        f"whether the population mean differs from {null} and build a 95% confidence interval."
    )


def _word(rng: Random) -> str:
    a, item = rng.choice(NAMES), rng.choice(ITEMS)
    x, y, z = rng.randint(12, 90), rng.randint(2, 9), rng.randint(3, 20)
    return (
        f"{a} had {x} {item}. She gave away a {y}th of them, then bought {z} more and shared the "
        f"total equally among {y} friends, keeping the remainder. How many did each friend get "
        "and how many are left?"
    )


def _open(rng: Random) -> str:
    return rng.choice(OPEN_QUESTIONS)


Family = tuple[Callable[[Random], str], ...]
MATH: Family = (_rate, _travel, _money, _quadratic, _system, _number, _combinatorics)
MATH += (_probability, _geometry, _calculus, _stats, _word)
FAMILIES: dict[str, Family] = {
    "math": MATH,
    "science": (_physics, _chemistry, _open),
    "code": (_code,),
    "logic": (_logic, _combinatorics),
    "open": (_open,),
}


def problem(rng: Random, domain: str | None = None) -> tuple[str, str]:
    """A problem and its domain, drawn from ``domain`` or from all of them."""
    if domain is None:
        domain = rng.choices(["math", "science", "code", "logic", "open"], [5, 2, 2, 1, 1])[0]
    return rng.choice(FAMILIES[domain])(rng), domain
