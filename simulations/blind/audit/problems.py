"""Problems with right answers: homework, benchmark items, interview questions.

Honest tutors, evaluation harnesses and hobbyists ask these as much as harvesters do;
what differs is the wrapping, the volume and the pattern, never the problem itself.
Each generator returns (text, domain, hardness in [0, 1]).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from .rand import pick, wpick

Gen = np.random.Generator
# fmt: off
NAMES = ("Maya", "Tomás", "Aiko", "Priya", "Jonas", "Fatima", "Liam", "Chen Wei", "Olu",
         "Sofia", "Dmitri", "Grace", "Mateo", "Hana", "Arjun", "Zoe", "Kwame", "Elif")
ITEMS = ("apples", "notebooks", "bus tickets", "tiles", "cupcakes", "stamps", "bolts",
         "seedlings", "marbles", "USB cables", "jars of honey", "chess sets")
# fmt: on
LANGS = ("Python", "C++", "Rust", "Go", "Java", "TypeScript", "C#", "Kotlin")


_p = pick


def _i(rng: Gen, lo: int, hi: int) -> int:
    return int(rng.integers(lo, hi + 1))


def arithmetic_word(rng: Gen) -> tuple[str, str, float]:
    n, it = _p(rng, NAMES), _p(rng, ITEMS)
    a, b, c, d = _i(rng, 3, 40), _i(rng, 2, 24), _i(rng, 5, 90), _i(rng, 2, 9)
    forms = (
        f"{n} buys {a} boxes of {it} with {b} in each box. {n} gives {c} {it} to a neighbour"
        f" and splits the rest equally among {d} friends. How many does each friend get, and"
        " how many are left over?",
        f"A shop sells {it} at ${b}.{_i(rng, 10, 99)} each, or {d} for ${b * d - 1}.99. {n}"
        f" needs {a}. What is the cheapest way to buy them and how much is saved?",
        f"{n} reads {a} pages on Monday and each following day reads {d} more pages than the"
        f" day before. On which day does the running total first exceed {a * 7 + c} pages?",
        f"A tank holds {a * 10} litres. One pipe fills it in {b + 2} hours and another empties"
        f" it in {b + d + 3} hours. With both open, how long does it take to fill from empty?",
    )
    return _p(rng, forms), "math", 0.25


def algebra(rng: Gen) -> tuple[str, str, float]:
    a, b, c = _i(rng, 2, 9), _i(rng, -12, 12), _i(rng, 1, 30)
    forms = (
        f"Solve for x: {a}x^2 {'+' if b >= 0 else '-'} {abs(b)}x - {c} = 0.",
        f"Find all real solutions of |{a}x - {c}| + |x + {abs(b) + 1}| = {a + c + 5}.",
        f"Solve the system: {a}x + {abs(b) + 1}y = {c}, {c % 7 + 1}x - {a + 1}y = {b}.",
        f"For which values of k does the equation x^2 + kx + {c} = 0 have two distinct"
        f" positive roots?",
        f"The sum of an arithmetic sequence's first {a + 5} terms is {c * 10} and the"
        f" {a}th term is {c}. Find the first term and the common difference.",
        f"Show that for all positive reals x and y, x^{a} + y^{a} >= 2 (xy)^{a / 2:g}.",
    )
    return _p(rng, forms), "math", 0.45


def olympiad(rng: Gen) -> tuple[str, str, float]:
    n, m, k = _i(rng, 5, 60), _i(rng, 3, 17), _i(rng, 2, 9)
    forms = (
        f"How many positive integers less than {n * 100} are divisible by {m} or {k + 4} but"
        f" not by both?",
        f"Find the remainder when {k + 1}^{n * 37} is divided by {m + 6}.",
        f"In how many ways can {k + 4} distinct books be placed on {min(k, 4)} shelves if each"
        " shelf must get at least one book and order on a shelf matters?",
        f"Let f be a function on the integers with f(x+y) = f(x) + f(y) + {k}xy and f(1) ="
        f" {m}. Find f({n}).",
        f"A {n}x{n} grid is coloured so that no 2x2 square is monochromatic. What is the"
        " largest possible number of black cells? Justify your answer.",
        f"Prove that the product of any {k} consecutive integers is divisible by {k}!.",
        f"Find the number of ordered pairs (a, b) of positive integers with lcm(a, b) ="
        f" {2**k * 3 ** (m % 4 + 1) * 5}.",
    )
    return _p(rng, forms), "math", 0.85


def probability(rng: Gen) -> tuple[str, str, float]:
    r, b, k = _i(rng, 2, 9), _i(rng, 2, 9), _i(rng, 2, 5)
    forms = (
        f"A bag has {r} red and {b} blue balls. {k} are drawn without replacement. What is the"
        f" probability that exactly {k - 1} are red?",
        f"Two fair dice are rolled {k + 1} times. What is the probability that a sum of"
        f" {r + 3} appears at least once?",
        f"A test for a condition with prevalence {r / 10:.1f}% has sensitivity 9{b}% and"
        f" specificity 9{k}%. If a person tests positive, how likely are they to have it?",
        f"A coin is flipped until {k} heads in a row appear. What is the expected number of flips?",
    )
    return _p(rng, forms), "math", 0.55


def calculus(rng: Gen) -> tuple[str, str, float]:
    a, b = _i(rng, 2, 9), _i(rng, 1, 7)
    forms = (
        f"Evaluate the integral of x^{b} * e^({a}x) dx.",
        f"Find the limit as x -> 0 of (sin({a}x) - {a}x) / x^3.",
        f"A ladder {a + 10} ft long slides down a wall at {b} ft/s. How fast is the angle"
        f" between ladder and ground changing when the top is {a + 4} ft high?",
        f"Find the maximum area of a rectangle inscribed in the ellipse x^2/{a * a} +"
        f" y^2/{b * b} = 1.",
        f"Determine whether the series sum of n^{b} / {a}^n converges, and find its sum if"
        " it does.",
    )
    return _p(rng, forms), "math", 0.6


# fmt: off
CODE_TASKS = (
    "implement an LRU cache with O(1) get and put", "merge k sorted linked lists",
    "parse one CSV line that may contain quoted fields with embedded commas and quotes",
    "find the longest palindromic substring of a string",
    "write a token-bucket rate limiter that is safe to call from several threads",
    "topologically sort a dependency graph and report a cycle if there is one",
    "build a trie that returns the top 5 completions by frequency for a prefix",
    "find the cheapest path on a weighted grid where you may remove at most one wall",
    "serialize and deserialize a binary tree to a compact string",
    "merge overlapping intervals and then insert a new interval",
    "implement a bounded blocking queue for producers and consumers",
    "compute the edit distance between two strings and print the alignment",
    "detect whether a directed graph has a cycle reachable from a given node",
    "implement consistent hashing with virtual nodes",
    "evaluate an arithmetic expression with +, -, *, / and parentheses without eval",
    "find the k-th smallest element in two sorted arrays in O(log(m+n))",
    "implement a min-heap from scratch with decrease-key",
    "write an iterator that flattens arbitrarily nested lists",
    "schedule meetings into the fewest rooms given start and end times",
    "implement a simple regular-expression matcher supporting '.' and '*'",
    "count islands in a grid, then handle a stream of land additions with union-find",
    "design an in-memory key-value store with transactions (begin, commit, rollback)",
    "implement Dijkstra's algorithm and reconstruct the path",
    "find all anagram groups in a list of words",
    "implement a sliding-window maximum in linear time",
    "write a debounce function and explain how it differs from throttle",
)
# fmt: on


def coding(rng: Gen) -> tuple[str, str, float]:
    task, lang = _p(rng, CODE_TASKS), _p(rng, LANGS)
    forms = (
        f"Write a {lang} function to {task}.",
        f"In {lang}: {task}. Include tests.",
        f"Interview question: {task}. What is the time and space complexity of your solution?"
        f" Use {lang}.",
        f"How would you {task}? Please give working {lang} code.",
    )
    return _p(rng, forms), "code", 0.55


# fmt: off
SCIENCE_CONCEPTS = (
    "why the sky is blue but sunsets are red", "how a transistor amplifies a signal",
    "why ice floats on water", "how mRNA vaccines produce an immune response",
    "why the Moon always shows the same face to Earth",
    "how entropy relates to the arrow of time", "how CRISPR-Cas9 edits a gene",
    "why adding salt raises the boiling point of water",
    "how a heat pump can deliver more heat than the electricity it uses",
    "why the speed of light is the same for every observer",
    "how enzymes lower activation energy", "what causes the seasons",
    "why quantum tunnelling matters for nuclear fusion in stars",
    "how antibiotic resistance spreads in a bacterial population",
)
# fmt: on


def science(rng: Gen) -> tuple[str, str, float]:
    m, t, mu = _i(rng, 2, 40), _i(rng, 15, 60), _i(rng, 1, 6) / 10
    v, c = _i(rng, 50, 900), _i(rng, 1, 30) / 10
    forms = (
        f"A {m} kg block slides down a {t} degree incline with coefficient of kinetic friction"
        f" {mu}. Find its acceleration and the speed after 3 m.",
        f"How many grams of NaCl are needed to make {v} mL of a {c} M solution?",
        f"Explain {_p(rng, SCIENCE_CONCEPTS)}.",
        f"A {m} uF capacitor charged to {t} V discharges through a {v} ohm resistor. How long"
        " until the voltage falls to 10 % of its initial value?",
        f"An ideal gas at {t + 250} K and {c} atm expands isothermally to {m % 5 + 2} times its"
        " volume. Compute the work done per mole and the change in entropy.",
        f"Balance the redox reaction of permanganate with iron(II) in acidic solution and find"
        f" the volume of {c / 10:.2f} M KMnO4 needed for {v / 10:.1f} mL of 0.1 M Fe2+.",
    )
    return _p(rng, forms), "science", 0.5


def logic(rng: Gen) -> tuple[str, str, float]:
    names = [str(x) for x in rng.permutation(np.array(NAMES))[:5]]
    a, b, c, d, e = names
    forms = (
        f"On an island, knights always tell the truth and knaves always lie. {a} says: '{b} is"
        f" a knave.' {b} says: '{a} and {c} are the same kind.' {c} says nothing. What are"
        " they?",
        f"{a}, {b}, {c}, {d} and {e} sit in a row. {a} is not at either end. {b} sits right of"
        f" {c}. {d} is next to {e}. {c} is in the middle. List every possible arrangement.",
        f"Three boxes are labelled apples, oranges and mixed, and every label is wrong. You"
        f" may take one fruit from one box. How do you relabel them? {a} claims it cannot be"
        " done; explain who is right.",
        f"{a} is twice as old as {b} was when {a} was as old as {b} is now. The sum of their"
        f" ages is {_i(rng, 40, 90)}. How old are they?",
        f"A farmer must ferry a wolf, a goat, a cabbage and a {_p(rng, ITEMS)[:-1]} across a"
        " river in a boat that holds two of them. Find the fewest crossings.",
    )
    return _p(rng, forms), "logic", 0.6


# fmt: off
ANALYSIS = (
    "Should a mid-size retailer move its inventory system to event sourcing?",
    "Is a four-day work week likely to raise productivity in software teams?",
    "What are the strongest arguments for and against congestion pricing in a large city?",
    "A startup has 14 months of runway. Should it cut prices to grow faster or raise them?",
    "Evaluate this argument: 'Most successful founders dropped out, so dropping out helps.'",
    "Why did the 2008 financial crisis spread from housing to the whole banking system?",
    "Compare carbon taxes and cap-and-trade for cutting emissions.",
    "What went wrong in the rollout of a monolith-to-microservices migration that doubled"
    " latency, and how would you diagnose it?",
    "Is it ever rational to buy an extended warranty?",
    "A hospital wants to predict readmissions. What could make a model unfair here?",
)
# fmt: on


def analysis(rng: Gen) -> tuple[str, str, float]:
    return _p(rng, ANALYSIS), "analysis", 0.5


# fmt: off
GENERATORS: dict[str, Callable[[Gen], tuple[str, str, float]]] = {
    "arithmetic": arithmetic_word, "algebra": algebra, "olympiad": olympiad,
    "probability": probability, "calculus": calculus, "coding": coding,
    "science": science, "logic": logic, "analysis": analysis,
}

HARD_MIX = {"olympiad": 3, "algebra": 1, "probability": 2, "calculus": 2, "coding": 3,
            "science": 2, "logic": 2, "analysis": 1}
# fmt: on
SCHOOL_MIX = {"arithmetic": 4, "algebra": 3, "probability": 1, "calculus": 1, "science": 2}


def draw(rng: Gen, mix: Mapping[str, float]) -> tuple[str, str, float]:
    return GENERATORS[wpick(rng, mix)](rng)


# fmt: off
MCQ = (
    ("Which gas makes up most of Earth's atmosphere?", "Oxygen", "Nitrogen", "Argon", "CO2"),
    ("Who wrote 'One Hundred Years of Solitude'?", "Borges", "Neruda", "García Márquez",
     "Cortázar"),
    ("What is the derivative of ln(x)?", "x", "1/x", "e^x", "ln(x)/x"),
    ("Which organelle produces ATP?", "Ribosome", "Golgi body", "Mitochondrion", "Lysosome"),
    ("In which year did the Berlin Wall fall?", "1987", "1989", "1991", "1993"),
    ("Which data structure gives O(1) average lookup?", "Linked list", "Hash table",
     "Binary heap", "B-tree"),
    ("What is the capital of Australia?", "Sydney", "Melbourne", "Canberra", "Perth"),
    ("Which law states V = IR?", "Faraday's", "Ohm's", "Kirchhoff's", "Ampère's"),
    ("What does GDP measure?", "Money supply", "Total output", "Inflation", "Trade balance"),
    ("Which element has atomic number 6?", "Oxygen", "Carbon", "Nitrogen", "Boron"),
    ("Which sorting algorithm is stable?", "Quicksort", "Heapsort", "Merge sort",
     "Selection sort"),
    ("Which planet has the shortest day?", "Earth", "Jupiter", "Mars", "Venus"),
    ("What is 15% of 240?", "32", "36", "38", "40"),
    ("Who proposed the theory of general relativity?", "Bohr", "Newton", "Einstein",
     "Planck"),
    ("Which bond holds the two DNA strands together?", "Ionic", "Covalent", "Hydrogen",
     "Metallic"),
    ("Which court case established judicial review in the US?", "Roe v. Wade",
     "Marbury v. Madison", "Brown v. Board", "Gideon v. Wainwright"),
)
# fmt: on


def mcq(rng: Gen) -> str:
    q = MCQ[int(rng.integers(len(MCQ)))]
    opts = list(q[1:])
    order = rng.permutation(4)
    body = "\n".join(f"{'ABCD'[i]}. {opts[int(j)]}" for i, j in enumerate(order))
    return f"{q[0]}\n{body}"
