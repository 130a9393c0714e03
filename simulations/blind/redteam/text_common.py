"""Shared vocabulary and problem generators used by both honest and harvesting prompts."""

from __future__ import annotations

import random

NAMES = [
    "Priya",
    "Tomás",
    "Mei",
    "Jonas",
    "Aisha",
    "Kenji",
    "Lena",
    "Omar",
    "Sofia",
    "Dmitri",
    "Grace",
    "Ravi",
    "Hana",
    "Mateo",
    "Chloe",
    "Yusuf",
    "Ingrid",
    "Kwame",
    "Lucia",
    "Felix",
]
CITIES = [
    "Lyon",
    "Osaka",
    "Porto",
    "Nairobi",
    "Denver",
    "Krakow",
    "Hanoi",
    "Leeds",
    "Quito",
    "Adelaide",
    "Tallinn",
    "Pune",
    "Bergen",
    "Tucson",
    "Recife",
    "Daegu",
]
ITEMS = [
    "notebooks",
    "apples",
    "bolts",
    "tickets",
    "tiles",
    "cupcakes",
    "pencils",
    "bricks",
    "jars of honey",
    "USB cables",
    "seedlings",
    "paperbacks",
]
SCI = [
    "the sky looks blue at noon but red at sunset",
    "ice floats on liquid water",
    "a spinning top does not fall over",
    "metals feel colder than wood at the same temperature",
    "high-altitude cooking takes longer",
    "the Moon always shows the same face to Earth",
    "enzymes stop working at high temperatures",
    "a capacitor blocks DC but passes AC",
    "salt lowers the freezing point of water",
    "antibiotic resistance spreads in a population",
    "a prism splits white light",
    "transformers only work with alternating current",
    "the tides come twice a day",
    "soap removes grease",
    "a rainbow is curved",
]
CODE_TASKS = [
    "merges overlapping intervals",
    "checks whether a string is a valid IPv4 address",
    "finds the longest palindromic substring",
    "implements an LRU cache with O(1) operations",
    "parses a CSV line that may contain quoted commas",
    "computes the edit distance of two strings",
    "returns the k most frequent words in a text",
    "detects a cycle in a directed graph",
    "serialises and deserialises a binary tree",
    "rate-limits calls with a token bucket",
    "finds the median of two sorted arrays",
    "topologically sorts build dependencies",
    "evaluates an arithmetic expression with parentheses",
    "deduplicates records by fuzzy name",
    "solves a sudoku with backtracking",
    "computes shortest paths with Dijkstra",
    "streams the running median of numbers",
    "validates balanced brackets",
    "converts a Roman numeral to an integer",
    "implements binary search on a rotated array",
]
LANGS = ["Python", "TypeScript", "Go", "Rust", "Java", "C++", "Kotlin", "C#", "Ruby", "SQL"]
TOPICS = [
    "photosynthesis",
    "the French Revolution",
    "compound interest",
    "supply and demand",
    "the Krebs cycle",
    "plate tectonics",
    "Bayes' theorem",
    "the causes of World War I",
    "recursion",
    "the water cycle",
    "opportunity cost",
    "Newton's third law",
    "mitosis",
    "the Pythagorean theorem",
    "inflation",
    "machine learning overfitting",
    "the electoral college",
    "entropy",
    "vaccines and herd immunity",
    "the Silk Road",
    "blockchain consensus",
    "derivatives in calculus",
    "the nitrogen cycle",
    "Keynesian economics",
    "quantum tunnelling",
]
DOMAINS = [
    "algebra",
    "geometry",
    "probability",
    "number theory",
    "combinatorics",
    "calculus",
    "physics",
    "chemistry",
    "logic",
    "statistics",
]


def math_problem(r: random.Random) -> str:
    a, b, c = r.randint(2, 60), r.randint(2, 40), r.randint(3, 19)
    n1, n2 = r.sample(NAMES, 2)
    k = r.randrange(15)
    if k == 0:
        return (
            f"A train leaves {r.choice(CITIES)} at {a % 12 + 1}:{b % 60:02d} travelling at "
            f"{40 + a} km/h. A second train leaves the same station {c} minutes later at "
            f"{60 + b} km/h. When does the second train catch the first?"
        )
    if k == 1:
        return (
            f"Find all integers n with 1 <= n <= {a * 10} such that n^2 + {b} is divisible by {c}."
        )
    if k == 2:
        return (
            f"A bag has {a} red and {b} blue marbles. {n1} draws {c % 5 + 2} without "
            "replacement. What is the probability that exactly two are red?"
        )
    if k == 3:
        return f"Compute the derivative of f(x) = x^{c % 6 + 2} * ln({a}x) + e^({b}x)."
    if k == 4:
        return (
            f"{n1} buys {a} {r.choice(ITEMS)} at ${b}.{c:02d} each and sells them at a "
            f"{c}% markup. {n2} buys half of them. How much profit does {n1} make?"
        )
    if k == 5:
        return (
            f"How many ways can {c % 8 + 4} people sit around a round table if {n1} and {n2} "
            "refuse to sit together?"
        )
    if k == 6:
        return f"Solve the system: {a}x + {b}y = {a * 3 + b}, {c}x - y = {c * 3 - 1}."
    if k == 7:
        return f"Evaluate the integral of x^2 * sin(x) from 0 to {['pi', 'pi/2', '2pi'][k % 3]}."
    if k == 8:
        return f"What is the remainder when {a}^{b * 10 + c} is divided by {c + 4}?"
    if k == 9:
        return (
            f"A rectangle has perimeter {a * 4} cm and its length is {c % 5 + 2} times its "
            "width. Find its area and the length of its diagonal."
        )
    if k == 10:
        return (
            f"Prove that the sum of the first {a} odd numbers is a perfect square, then generalise."
        )
    if k == 11:
        return (
            f"A tank fills in {c} hours through pipe A and empties in {c + b % 9 + 1} hours "
            "through pipe B. If both are open, how long until it is full?"
        )
    if k == 12:
        return (
            f"Find the smallest positive integer that leaves remainder {c % 5} when divided "
            f"by 7, 9 and {c + 2}."
        )
    if k == 13:
        return (
            f"{n1} is twice as old as {n2} was {a % 15 + 3} years ago. In {c} years their ages "
            f"will add up to {a + b + 40}. How old is each now?"
        )
    return (
        f"A sequence has a_1 = {c % 7 + 1} and a_(n+1) = {a % 4 + 2}a_n - {b % 9}. "
        "Find a closed form for a_n."
    )


def code_problem(r: random.Random) -> str:
    lang = r.choice(LANGS[:8])
    k = r.randrange(4)
    task = r.choice(CODE_TASKS)
    if k == 0:
        return f"Write a {lang} function that {task}."
    if k == 1:
        return f"Implement, in {lang}, a routine that {task}. State its time complexity."
    if k == 2:
        return f"Give an efficient {lang} solution for a program that {task}, with edge cases."
    return f"In {lang}: a function that {task}. Include tests."


def logic_problem(r: random.Random) -> str:
    names = r.sample(NAMES, 4)
    k = r.randrange(4)
    if k == 0:
        return (
            f"{names[0]}, {names[1]}, {names[2]} and {names[3]} each own a different pet. "
            f"{names[0]} does not own the cat. The dog owner is older than {names[2]}. "
            f"{names[1]} owns the fish. Who owns the parrot?"
        )
    if k == 1:
        return (
            f"On an island, knights always tell the truth and knaves always lie. {names[0]} says "
            f"'{names[1]} is a knave.' {names[1]} says 'We are both knights.' What are they?"
        )
    if k == 2:
        return (
            f"You have {r.randint(8, 13)} coins, one counterfeit and lighter. What is the minimum "
            "number of weighings on a balance scale to find it?"
        )
    return (
        f"Five houses in a row; {names[0]} lives left of the green house, the red house is in the "
        f"middle, {names[1]} lives at an end. Where does {names[2]} live?"
    )


def science_problem(r: random.Random) -> str:
    return (
        r.choice(
            [
                "Explain why ",
                "Why is it that ",
                "What is the physical reason ",
                "Help me understand why ",
            ]
        )
        + r.choice(SCI)
        + "."
    )


def any_problem(r: random.Random, weights: tuple[int, int, int, int] = (5, 3, 1, 2)) -> str:
    f = r.choices([math_problem, code_problem, logic_problem, science_problem], weights)[0]
    return f(r)
