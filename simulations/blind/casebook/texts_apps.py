"""What honest products send: consumer chat, tutoring, coding tools, agents and support bots."""

from __future__ import annotations

from random import Random

from .problems import NAMES, problem

BRANDS = [
    "Pebble",
    "Tandem",
    "Orchard",
    "Lumio",
    "Brightdesk",
    "Quill",
    "Harbor",
    "Nestwise",
    "Parcelly",
    "Fjord",
    "Kindling",
    "Motif",
    "Sprout",
    "Waypoint",
    "Cobalt",
    "Juniper",
]
CHAT_SYSTEMS = [
    "You are {brand}, a friendly assistant inside a mobile app. Keep answers short and warm. "
    "Today's date is 2026-11-18.",
    "You are a helpful assistant. Answer concisely. If you are unsure, say so.",
    "You are {brand} Assistant. Be concise, use markdown sparingly, never give medical "
    "diagnoses. The user's locale is {locale}.",
    "You are a writing helper built into the {brand} notes app. Match the user's tone.",
]
CHAT_ASKS = [
    "whats a good name for a {pet} that is really lazy",
    "help me write a birthday message for my {rel} who just turned {age}",
    "is it ok to eat {food} that was left out overnight",
    "give me a {n} day workout plan, i can only use dumbbells",
    "rewrite this so it sounds less passive aggressive: {snippet}",
    "what should i cook tonight with {food} and rice",
    "how do i tell my {rel} i cant come to the wedding without being rude",
    "explain {concept} in simple words",
    "can you make this email shorter: {snippet}",
    "plan a {n} day trip to {city} on a budget",
    "suggest {n} gift ideas for a {age} year old who likes {hobby}",
    "my {pet} keeps scratching the couch, what do i do",
    "write a short poem about {hobby} for my {rel}",
    "whats the difference between {concept} and {concept2}",
    "how long should i boil {food}",
    "summarize the plot of {book} without spoilers",
]
SLOTS: dict[str, list[str]] = {
    "pet": ["cat", "dog", "hamster", "parrot", "rabbit"],
    "rel": ["sister", "dad", "best friend", "coworker", "grandma", "partner"],
    "food": ["chicken", "eggs", "salmon", "tofu", "lentils", "pasta", "broccoli"],
    "concept": [
        "inflation",
        "a mortgage",
        "machine learning",
        "an index fund",
        "the cloud",
        "a VPN",
        "compound interest",
        "photosynthesis",
        "a credit score",
    ],
    "concept2": ["a recession", "a loan", "AI", "an ETF", "a server", "a proxy", "interest"],
    "snippet": [
        "As I mentioned in my last three emails, the report is still missing.",
        "Per my previous message, please advise on the status asap.",
        "I guess nobody read the doc I shared yesterday?",
        "Just circling back again on this since I have not heard anything.",
    ],
    "city": ["Lisbon", "Tokyo", "Mexico City", "Prague", "Seoul", "Montreal", "Istanbul"],
    "hobby": ["gardening", "chess", "climbing", "baking", "anime", "cycling", "knitting"],
    "book": ["Pride and Prejudice", "Dune", "The Hobbit", "Beloved", "Project Hail Mary"],
}


def fill(rng: Random, template: str) -> str:
    values = {k: rng.choice(v) for k, v in SLOTS.items()}
    return template.format(n=rng.randint(2, 7), age=rng.randint(6, 70), brand="", **values)


def chat_system(rng: Random, brand: str, locale: str = "en-US") -> str:
    return rng.choice(CHAT_SYSTEMS).format(brand=brand, locale=locale)


def chat_message(rng: Random) -> str:
    text = fill(rng, rng.choice(CHAT_ASKS))
    if rng.random() < 0.3:
        text = text.capitalize() + rng.choice(["?", "", ".", " pls", " thanks!"])
    return text


TUTOR_SYSTEM = (
    "You are {brand} Tutor, a patient math and science tutor for high-school students. "
    "Explain step by step, check the student's understanding, and do not just hand over the "
    "final answer; guide them to it. Use simple language."
)
STUDENT_WRAP = [
    "i dont get this one: {q}",
    "{q}",
    "can you explain how to do this step by step? {q}",
    "my teacher says the answer is wrong but i dont see why. {q}",
    "{q} i got {guess} is that right",
    "why does this work?? {q}",
    "ok but what's the first step for: {q}",
]


def student_question(rng: Random) -> str:
    q, _ = problem(rng, rng.choice(["math", "math", "science"]))
    if rng.random() < 0.4:
        q = q.lower()
    return rng.choice(STUDENT_WRAP).format(q=q, guess=rng.randint(2, 500))


CODE_SNIPPETS = [
    "def load(path):\n    with open(path) as f:\n        return json.load(f)\n",
    "for i in range(len(items)):\n    if items[i] == target:\n        del items[i]\n",
    "const res = await fetch(url);\nconst data = res.json();\nconsole.log(data.items.length);\n",
    "SELECT user_id, COUNT(*) FROM orders WHERE created_at > NOW() - INTERVAL '7 days'\n"
    "GROUP BY 1 HAVING COUNT(*) > 3 ORDER BY 2 DESC;\n",
    "func handler(w http.ResponseWriter, r *http.Request) {\n\tbody, _ := io.ReadAll(r.Body)\n"
    "\tvar req Req\n\tjson.Unmarshal(body, &req)\n}\n",
    "class Cache:\n    def __init__(self):\n        self.d = {}\n    def get(self, k):\n"
    "        return self.d[k]\n",
    "useEffect(() => {\n  setCount(count + 1);\n});\n",
    "df = pd.read_csv('sales.csv')\ndf['month'] = df.date.dt.month\n"
    "print(df.groupby('month').revenue.sum())\n",
]
CODE_ASKS = [
    "Why does this raise {err}?\n\n{code}",
    "Refactor this to be more idiomatic and add type hints:\n\n{code}",
    "Write unit tests for:\n\n{code}",
    "Explain what this does line by line:\n\n{code}",
    "Complete the following code:\n\n{code}",
    "Is there a bug here?\n\n{code}",
    "Add error handling to this:\n\n{code}",
]
ERRORS = [
    "KeyError",
    "IndexError",
    "TypeError: 'NoneType' object is not subscriptable",
    "a race condition",
    "AttributeError",
    "an infinite render loop",
    "a nil pointer panic",
]
CODE_SYSTEM = (
    "You are an expert programming assistant integrated in the editor. The user's open file "
    "and related snippets are provided in earlier messages. Reply with code first, brief "
    "explanation after. Language: {lang}."
)


def code_request(rng: Random) -> str:
    return rng.choice(CODE_ASKS).format(code=rng.choice(CODE_SNIPPETS), err=rng.choice(ERRORS))


AGENT_SYSTEM = (
    "You are an operations agent for {brand}. You can call tools to look up orders, update "
    "tickets, search the knowledge base and send emails. Think about which tool to use, call "
    "at most one tool at a time, and stop when the user's request is resolved."
)
AGENT_TASKS = [
    "Customer {name} says order #{num} never arrived. Check the carrier status and refund if lost.",
    "Find all open tickets tagged 'billing' older than {n} days and draft a follow-up for each.",
    "Schedule a 30 minute call with {name} next week and send the invite.",
    "Update the shipping address on order #{num} to the one in the customer's last email.",
    'Tool result: {{"status": "{status}", "order": "{num}", "items": {n}}}',
    'Tool result: {{"results": [], "query": "{name} invoice"}}',
    "Summarise what you did so far and what is left.",
]


def agent_message(rng: Random) -> str:
    return rng.choice(AGENT_TASKS).format(
        name=rng.choice(NAMES),
        num=rng.randint(100000, 999999),
        n=rng.randint(2, 14),
        status=rng.choice(["in_transit", "delivered", "lost", "returned"]),
    )


SUPPORT_SYSTEM = (
    "You are the support assistant for {brand}. Answer ONLY from the documentation excerpts "
    "provided in the context. If the answer is not there, say you will connect the customer "
    "with a human agent. Keep it under 120 words."
)
DOC_LINES = [
    "To reset your password, open Settings > Security and choose 'Send reset link'.",
    "Invoices are available under Billing > History and can be downloaded as PDF.",
    "Refunds are processed within 5-7 business days to the original payment method.",
    "Two-factor authentication can be enabled with any TOTP app.",
    "The Team plan includes up to 25 seats; extra seats are billed monthly.",
    "Exports are limited to 100,000 rows; use the API for larger datasets.",
    "Shipping to the EU takes 3-6 business days; customs fees may apply.",
    "You can cancel at any time; access continues until the end of the billing period.",
]
SUPPORT_QUESTIONS = [
    "how do i reset my password",
    "where can i find my invoice for last month",
    "i was charged twice",
    "can i add more people to my team",
    "how long do refunds take",
    "why is my export cut off",
    "do you ship to germany",
    "how do i turn on 2fa",
    "cancel my subscription",
    "the app keeps logging me out",
]


def support_prompt(rng: Random) -> str:
    docs = "\n".join(f"[{i + 1}] {line}" for i, line in enumerate(rng.sample(DOC_LINES, 3)))
    return f"Context:\n{docs}\n\nCustomer question: {rng.choice(SUPPORT_QUESTIONS)}"
