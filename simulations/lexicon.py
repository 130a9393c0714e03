"""English word lists and phrase banks shared by benign personas and attack campaigns.

Sharing is the point: tutoring apps, evaluation harnesses and harvesters all ask for
step-by-step reasoning, all use math and code problems, so no word or phrase alone tells
them apart. Lists are ``|``-separated strings to keep them dense and easy to extend.
"""

from __future__ import annotations

from simulations.grammar import Alternatives


def _w(text: str) -> list[str]:
    return [part.strip() for part in text.split("|") if part.strip()]


def _num(low: int, high: int) -> Alternatives:
    return lambda rng: str(rng.randint(low, high))


# Reasoning requests. Every persona that asks for reasoning draws from this one list with
# its own emphasis (see ``emphasis``), so the harvesting phrasings also occur in tutoring
# and evaluation traffic, only less often.
REASONING = _w(
    "Let's think step by step.|Think step by step.|Explain your reasoning step by step."
    "|Show your work.|Show all intermediate steps.|Walk me through your reasoning."
    "|Write out your full reasoning before giving the final answer."
    "|Articulate the internal reasoning behind your answer step by step."
    "|Explain each step in detail.|Reason carefully and explain every step."
    "|Give a detailed step-by-step explanation.|Please include your complete chain of thought."
    "|Before answering, think it through out loud."
    "|Break the solution into numbered steps and justify each one."
    "|Describe your thought process in full, then state the final answer."
    "|Lay out every step of the derivation, including the ones that seem obvious."
    "|Explain how you arrived at the answer.|Show the reasoning, not just the result."
    "|Think carefully, verify each step, and then answer."
    "|First explain the approach, then solve it step by step."
)
HARVEST_FAVOURITES = (3, 7, 11, 12, 13, 14, 15, 16, 18)
TUTOR_FAVOURITES = (0, 2, 3, 4, 5, 10, 16, 19)
EVAL_FAVOURITES = (0, 1, 6, 18)


def emphasis(phrases: list[str], favourites: tuple[int, ...], boost: float) -> Alternatives:
    """All phrases, the favourites ``boost`` times as likely as the rest."""
    return [(p, boost if i in favourites else 1.0) for i, p in enumerate(phrases)]


ENGLISH: dict[str, Alternatives] = {
    "name": _w(
        "Alice|Bob|Carlos|Dana|Elif|Farid|Grace|Hiro|Ines|Jamal|Kofi|Lena|Mateo|Nadia|Omar"
        "|Priya|Quinn|Rosa|Sven|Tariq|Uma|Viktor|Wen|Xavier|Yara|Zoe|Amara|Bruno|Chen|Dmitri"
    ),
    "item": _w(
        "apples|books|marbles|tickets|stamps|cookies|pencils|coins|stickers|cupcakes|oranges"
        "|notebooks|seashells|cards|bottles|boxes|plants|eggs"
    ),
    "n": _num(2, 60),
    "n3": _num(100, 999),
    "d": _num(2, 9),
    "pct": _num(5, 45),
    "year": _num(1850, 2024),
    "math_problem": _w(
        "{name} has {n} {item} and buys {d} more packs of {d} {item} each. How many {item} "
        "does {name} have now?|A train travels {n3} km in {d} hours. At the same speed, how "
        "far does it travel in {n} hours?|Solve for x: {d}x + {n} = {n3}."
        "|Find all real solutions of x^2 - {n}x + {n} = 0."
        "|What is the probability of getting at least {d} heads in {n} fair coin tosses?"
        "|How many positive integers less than {n3} are divisible by {d} or {d}?"
        "|A rectangle has a perimeter of {n} cm and an area of {n} cm^2. Find its sides."
        "|Compute the remainder when {d}^{n} is divided by {n}."
        "|Let f(x) = {d}x^3 - {n}x + {d}. Find the local extrema of f."
        "|Find the number of ordered pairs (a, b) of positive integers with a + b = {n3} "
        "and gcd(a, b) = {d}.|Prove that the sum of the first n odd numbers is n^2."
        "|A shop sells {item} at {n} dollars each and gives {pct}% off on orders over {n3} "
        "dollars. What does {name} pay for {n} {item}?|{name} reads {n} pages a day. "
        "How many days does a {n3}-page book take?|Evaluate the integral of x e^({d}x) dx."
        "|In how many ways can {d} people sit around a round table?"
        "|A bag holds {d} red and {n} blue balls. Two are drawn without replacement. What is "
        "the probability both are red?|Show that {n3} is not a perfect square."
        "|Find the sum of the arithmetic series {d} + {n} + ... up to {n} terms."
    ),
    "code_lang": _w("Python|TypeScript|Go|Rust|Java|C++|SQL|Kotlin|C#|Ruby|JavaScript|Swift"),
    "code_task": _w(
        "checks whether a string is a palindrome|merges two sorted lists|finds the longest "
        "increasing subsequence|parses an ISO 8601 date|deduplicates records by email"
        "|computes the median of a stream of numbers|implements an LRU cache|validates a card "
        "number with the Luhn algorithm|reverses a linked list|counts word frequencies in a "
        "file|retries an HTTP request with exponential backoff|flattens a nested dictionary"
        "|finds the shortest path in a weighted graph|detects a cycle in a directed graph"
        "|computes the edit distance between two strings|batches items into chunks of {d}"
        "|returns the k most frequent elements|serialises a binary tree to a string"
    ),
    "code_error": _w(
        "KeyError|NullPointerException|a segmentation fault|TypeError: undefined is not a "
        "function|borrow of moved value|IndexError: list index out of range|a deadlock"
        "|ConcurrentModificationException|a stack overflow|an off-by-one error"
    ),
    "algorithm": _w(
        "quicksort|Dijkstra's algorithm|binary search|merge sort|a hash map lookup|BFS"
        "|dynamic programming for knapsack|union-find with path compression|a heap insert"
    ),
    "cp_task": _w(
        "the maximum subarray sum|the number of inversions|the longest palindromic substring"
        "|the minimum number of coins to make {n3}|all pairs that sum to {n}|the k-th smallest "
        "element|the longest common prefix|the number of islands in a grid"
    ),
    "code_problem": _w(
        "Write a {code_lang} function that {code_task}.|Given an array of {n3} integers, find "
        "{cp_task}.|What is the time complexity of {algorithm} and why?|Why does this "
        "{code_lang} code raise {code_error}, and how do I fix it?|Implement {algorithm} in "
        "{code_lang} and analyse its complexity."
    ),
    "logic_problem": _w(
        "{name}, {name} and {name} each own a different pet: a cat, a dog and a parrot. The "
        "owner of the cat is not {name}. Who owns the parrot?|On an island, knights always "
        "tell the truth and knaves always lie. A says 'B is a knave'. B says 'we are both "
        "knights'. What are A and B?|A clock shows {d}:15. What is the angle between the "
        "hands?|If all bloops are razzies and some razzies are lazzies, must some bloops be "
        "lazzies?"
    ),
    "science_q": _w(
        "Why does ice float on water?|Why is the sky blue?|How do vaccines train the immune "
        "system?|Why does a cell need mitochondria?|What causes the seasons?|How does a "
        "transistor amplify a signal?|Why do heavier atoms decay?|How does compound interest "
        "grow savings over {n} years?|What limits the speed of a chemical reaction?"
    ),
    "concept": _w(
        "public-key cryptography|photosynthesis|compound interest|TCP congestion control|the "
        "causes of the French Revolution|supply and demand|gradient descent|plate tectonics"
        "|inflation|the Krebs cycle|recursion|Bayes' theorem|the electoral college"
    ),
    "problem": [
        ("{math_problem}", 5.0),
        ("{code_problem}", 3.0),
        ("{logic_problem}", 1.0),
        ("{science_q}", 1.0),
        ("Explain how {concept} works.", 1.0),
    ],
    "reasoning": REASONING,
    "reasoning_harvest": emphasis(REASONING, HARVEST_FAVOURITES, 8.0),
    "reasoning_tutor": emphasis(REASONING, TUTOR_FAVOURITES, 8.0),
    "reasoning_eval": emphasis(REASONING, EVAL_FAVOURITES, 30.0),
    "expert": _w(
        "You are a meticulous expert.|You are a careful mathematician.|You are a helpful "
        "assistant.|You are a senior software engineer.|You are a patient teacher."
        "|You are a precise and thorough problem solver."
    ),
    "answer_format": _w(
        "Give the final answer on its own line as 'Answer: X'.|Put the final answer in "
        "\\boxed{{}}.|End with 'The answer is' and the result.|Answer in JSON with fields "
        "reasoning and answer."
    ),
    "company": _w(
        "Acme Corp|Northwind|Globex|Initech|Umbrella Health|Stark Logistics|Wayne Finance"
        "|Tyrell Labs|Hooli|Vandelay Imports|Cyberdyne|Soylent Foods|Oscorp|Wonka Retail"
    ),
    "product": _w(
        "wireless earbuds|running shoes|coffee maker|standing desk|phone case|hotel stay"
        "|food delivery|banking app|air fryer|laptop|mattress|streaming service|e-bike"
    ),
    "opinion": _w(
        "Absolutely love the|Really disappointed with the|The|Honestly, the|Not sure about "
        "the|Five stars for the|Returned the|Would not recommend the|Pretty happy with the"
    ),
    "aspect": _w(
        "battery life|customer service|delivery time|build quality|price|sound|comfort"
        "|screen|app|refund process|packaging|size|taste"
    ),
    "verdict": _w(
        "broke after {d} days.|is exactly as described.|was late by {d} days.|works great."
        "|is overpriced.|exceeded my expectations.|could be better.|is fine, nothing special."
    ),
    "review": ["{opinion} {aspect} of this {product} {verdict}"],
    "ticket": _w(
        "I was charged twice for my subscription this month.|The app crashes when I upload a "
        "photo.|How do I change the email on my account?|My order #{n3}{n3} never arrived."
        "|I cannot reset my password, the link expired.|Please cancel my plan.|The invoice "
        "shows the wrong VAT number."
    ),
    "doc_type": _w(
        "meeting transcript|quarterly report|support ticket thread|research abstract|news "
        "article|contract clause|product manual section|customer interview|incident report"
    ),
    "doc_sentence": _w(
        "{company} reported revenue of {n3} million in Q{d}, up {pct}% year over year."
        "|Employees may carry over up to {d} days of unused leave into the next year."
        "|The outage began at {d}:{n} UTC and affected about {pct}% of requests."
        "|The committee approved the budget of {n3} thousand for the {year} programme."
        "|Customers in the pilot reported {pct}% fewer support calls.|The supplier must "
        "deliver within {n} business days of the order.|Section {d} limits liability to the "
        "fees paid in the previous {n} months.|The study enrolled {n3} participants aged "
        "{n} to {n}.|Action item: {name} to follow up with {company} by Friday."
    ),
    "doc": ["{doc_sentence} {doc_sentence} {doc_sentence} {doc_sentence}"],
    "rag_question": _w(
        "What was the revenue growth?|How many days of leave can be carried over?|When did "
        "the outage start?|Who owns the follow-up?|What is the liability cap?|How many "
        "participants were enrolled?|What is the delivery deadline?"
    ),
    "writing_task": _w(
        "a cover letter for a {job} position|a birthday message for my {relative}|an email "
        "asking my landlord to fix the heating|a short poem about {topic}|a toast for my "
        "{relative}'s wedding|a LinkedIn post about my new job as a {job}|a polite reminder "
        "about an unpaid invoice"
    ),
    "job": _w("data analyst|nurse|product manager|teacher|chef|software engineer|accountant"),
    "relative": _w("sister|brother|mom|dad|grandmother|best friend|colleague|uncle"),
    "topic": _w(
        "autumn|the ocean|city lights|friendship|coffee|a rainy Monday|mountains|old books"
    ),
    "city": _w("Lisbon|Kyoto|Mexico City|Istanbul|Cape Town|Hanoi|Montreal|Prague|Seoul|Lima"),
    "grade": _w("5th grade|7th grade|high school|first-year university|GCSE|A-level"),
    "subject": _w(
        "algebra|biology|world history|chemistry|statistics|computer science|economics"
        "|physics|geometry|philosophy"
    ),
    "word": _w(
        "river|apple|blue|quickly|house|seven|music|winter|bright|table|garden|storm|paper"
        "|silver|window|forest|yes|no|maybe|coffee|bridge|north|light|stone|cloud"
    ),
    "rubric_item": _w(
        "correctness of the final answer|clarity of the explanation|completeness of the "
        "reasoning|factual accuracy|helpfulness|harmlessness|conciseness|following the "
        "instructions|use of evidence|logical coherence"
    ),
    "candidate": _w(
        "The answer is {n}, because {d} times {n} is the total.|First we compute {n} plus "
        "{n}, then divide by {d}.|I think it is {n3} but I'm not sure.|Using the formula, "
        "the result is {n}.|The function loops over the list once, so it is O(n)."
        "|It depends on the context; more information is needed."
    ),
    "data_kind": _w(
        "customer support dialogues|product descriptions|FAQ question-answer pairs"
        "|step-by-step solutions to algebra problems|paraphrases of user search queries"
        "|short stories for early readers|SQL questions with answers|multiple-choice quiz "
        "questions|email replies to complaints|worked examples with explanations"
    ),
    "fields": _w(
        "question, answer|input, output|instruction, response|prompt, completion, label"
        "|title, body, tags"
    ),
}
