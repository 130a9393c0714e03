"""Text of work traffic: support and RAG bots, extraction, classification, coding, agents.

Each generator returns (system prompt or None, user text). Documents are assembled from
sentence banks with random names, numbers and dates so that no two are alike, while an
application's own system prompt and template stay fixed, as they do in production.
"""

from __future__ import annotations

import numpy as np

from .problems import CODE_TASKS, LANGS, NAMES
from .rand import pick

Gen = np.random.Generator

# fmt: off
COMPANIES = ("Northwind Outdoor", "Bluefin Payroll", "Kestrel Health", "Tandem Bikes",
             "Orbital Storage", "Lumen Learning", "Harbor Freight Lines", "Pixelmint",
             "Greenleaf Grocers", "Quanta Insurance", "Vela Travel", "Ironbark Legal",
             "Sable Telecom", "Meadow Pet Care", "Brightline Energy", "Corvid Analytics")
PRODUCTS = ("the Pro plan", "the mobile app", "two-factor login", "the export feature",
            "the family bundle", "invoices", "the API", "the smart thermostat",
            "the loyalty card", "international shipping", "the desktop client")
ISSUES = ("was charged twice", "cannot log in after resetting my password",
          "never received the order", "want to cancel before renewal",
          "see an error 502 when uploading", "need a VAT invoice", "lost access to my email",
          "want to change the delivery address", "got the wrong size", "the app keeps crashing",
          "need to add a second user", "want a refund for an unused month")
KB = (
    "Refunds are issued to the original payment method within 5 to 10 business days.",
    "Customers on annual plans can cancel at any time; unused months are refunded pro rata.",
    "Two-factor authentication can be reset by support after identity verification.",
    "Orders ship within 2 business days; tracking links are sent by email and SMS.",
    "Exports are limited to 50,000 rows per file; larger exports are split automatically.",
    "Duplicate charges are usually pre-authorisations that disappear within 72 hours.",
    "The desktop client supports Windows 10 and later, and macOS 13 and later.",
    "Address changes are possible until the order status changes to 'packed'.",
    "Enterprise plans include SSO via SAML and SCIM provisioning.",
    "Error 502 during upload usually means the file exceeded 2 GB; use the chunked uploader.",
    "Exchanges for a different size are free within 30 days of delivery.",
    "Additional seats are billed from the day they are added.",
    "VAT invoices can be downloaded from Billing > Documents once the payment clears.",
    "Accounts inactive for 24 months are archived; data can be restored within 90 days.",
)
# fmt: on


_p = pick


def _date(rng: Gen) -> str:
    return f"2026-{int(rng.integers(1, 12)):02d}-{int(rng.integers(1, 29)):02d}"


def support(rng: Gen, company: str) -> tuple[str, str]:
    system = (
        f"You are the customer support assistant for {company}. Answer using only the"
        " information in the provided context. If the answer is not in the context, say you"
        " will hand the conversation to a human agent. Be concise and friendly."
    )
    snippets = list(dict.fromkeys(pick(rng, KB) for _ in range(int(rng.integers(3, 7)))))
    ctx = "\n".join(f"[doc {int(rng.integers(100, 999))}] {s}" for s in snippets)
    q = f"Hi, I {_p(rng, ISSUES)} with {_p(rng, PRODUCTS)}. What can I do?"
    if rng.random() < 0.3:
        q = q.lower().replace("hi, ", "")
    return system, f"Context:\n{ctx}\n\nCustomer message: {q}"


def internal_rag(rng: Gen, company: str) -> tuple[str, str]:
    system = (
        f"You answer questions from {company} employees about internal policies and"
        " engineering docs. Cite the document ids you used."
    )
    topics = (
        "expense policy for client dinners",
        "on-call handover checklist",
        "how to request production database access",
        "parental leave policy",
        "the deploy freeze calendar",
        "laptop replacement cycle",
        "data retention rules",
    )
    docs = "\n".join(
        f'<doc id="{int(rng.integers(1000, 9999))}">{_p(rng, KB)} {_p(rng, KB)}</doc>'
        for _ in range(int(rng.integers(2, 6)))
    )
    return system, f"{docs}\n\nQuestion: what is the {_p(rng, topics)}?"


def invoice(rng: Gen) -> str:
    lines = "\n".join(
        f"{_p(rng, ('Consulting hours', 'Licence renewal', 'Freight', 'Hardware', 'Support'))}"
        f"  {int(rng.integers(1, 40))} x {rng.uniform(5, 900):.2f}"
        for _ in range(int(rng.integers(2, 7)))
    )
    return (
        f"INVOICE #{int(rng.integers(10000, 99999))}\nDate: {_date(rng)}"
        f"\nFrom: {_p(rng, COMPANIES)}\nBill to: {_p(rng, COMPANIES)}\n{lines}"
        f"\nVAT {pick(rng, (0, 7, 19, 20, 21))}%"
        f"\nDue within {pick(rng, (14, 30, 45))} days"
    )


def email(rng: Gen) -> str:
    n = _p(rng, NAMES)
    asks = (
        "move our call to Thursday",
        "send the signed contract back",
        "confirm the new delivery window",
        "approve the revised budget",
        "share the Q3 numbers before the board meeting",
        "fix the login issue for our team",
    )
    return (
        f"From: {n.lower().replace(' ', '.')}@{_p(rng, COMPANIES).split()[0].lower()}.com\n"
        f"Subject: Re: {_p(rng, PRODUCTS)}\n\nHi,\nFollowing up on last week: could you"
        f" {_p(rng, asks)}? We also noticed that I {_p(rng, ISSUES)}. Our reference is"
        f" {int(rng.integers(100000, 999999))}.\nThanks,\n{n}"
    )


def extraction(rng: Gen) -> tuple[str | None, str]:
    if rng.random() < 0.5:
        doc, fields = (
            invoice(rng),
            "invoice_number, date, vendor, customer, total, vat_rate, due_days",
        )
    else:
        doc, fields = email(rng), "sender, intent, deadline, reference, sentiment"
    system = "You are a data extraction engine. Output valid JSON only, no commentary."
    return system, f"Extract these fields: {fields}.\n\n---\n{doc}\n---"


# fmt: off
REVIEWS = ("Arrived late and the box was crushed, but the product works.",
           "Absolutely love it, second one I've bought.", "Stopped working after a week.",
           "Customer service sorted my problem in minutes, impressed.",
           "Overpriced for what you get.", "Does the job. Nothing special.",
           "The app update deleted my saved settings again!!", "Five stars, would recommend.",
           "Battery life is half of what was advertised.", "Meh. Returned it.")
# fmt: on


def classification(rng: Gen, variant: int) -> tuple[str | None, str]:
    text = f"{_p(rng, REVIEWS)} {_p(rng, REVIEWS) if rng.random() < 0.4 else ''}".strip()
    if variant % 4 == 0:
        return (
            "Classify the sentiment of the review. Answer with exactly one word: positive,"
            " negative, neutral or mixed.",
            text,
        )
    if variant % 4 == 1:
        labels = "billing, bug, feature_request, account_access, shipping, other"
        ticket = f"I {_p(rng, ISSUES)} with {_p(rng, PRODUCTS)}."
        return None, f"Route this support ticket to one of: {labels}.\nTicket: {ticket}\nLabel:"
    if variant % 4 == 2:
        return (
            "You are a content moderation classifier. Return a JSON object with keys"
            " 'harassment', 'self_harm', 'spam', 'sexual', 'violence', each true or false.",
            text,
        )
    return None, f"Is the following message spam? Answer yes or no.\n\n{email(rng)}"


def code_snippet(rng: Gen, lang: str) -> str:
    names = ("parse_config", "load_users", "retry_request", "compute_totals", "merge_rows")
    fn = _p(rng, names)
    if lang in ("Python",):
        return (
            f"def {fn}(items, limit={int(rng.integers(2, 50))}):\n    out = []\n"
            "    for i, item in enumerate(items):\n        if i > limit:\n            break\n"
            "        out.append(item['value'] * item.get('weight', 1))\n"
            "    return sum(out) / len(out)"
        )
    return (
        f"function {fn}(items, limit = {int(rng.integers(2, 50))}) {{\n  const out = [];\n"
        "  for (let i = 0; i <= items.length; i++) {\n    if (i > limit) break;\n"
        "    out.push(items[i].value * (items[i].weight ?? 1));\n  }\n"
        "  return out.reduce((a, b) => a + b) / out.length;\n}"
    )


# fmt: off
ERRORS = ("ZeroDivisionError: division by zero", "TypeError: Cannot read properties of"
          " undefined (reading 'value')", "KeyError: 'value'", "IndexError: list index out"
          " of range", "the result is off by one on the last page", "it is slow on 1M rows")
# fmt: on


def coding_assist(rng: Gen) -> tuple[str | None, str]:
    lang = _p(rng, ("Python", "TypeScript", "Python", "JavaScript"))
    snippet = code_snippet(rng, lang)
    asks = (
        f"Why does this throw {_p(rng, ERRORS)}?\n\n```\n{snippet}\n```",
        f"Refactor this to be more readable and add type hints:\n\n```\n{snippet}\n```",
        f"Write unit tests for this function:\n\n```\n{snippet}\n```",
        f"{_p(rng, ERRORS)}\n\n```\n{snippet}\n```\nfix",
        f"Can you {_p(rng, CODE_TASKS)} in {_p(rng, LANGS)}? Keep it short.",
        "Explain what this regex does: ^(?=.*[A-Z])(?=.*\\d)[A-Za-z\\d@$!%*?&]{8,}$",
        f"Convert this to {_p(rng, ('Go', 'Rust', 'Java'))}:\n\n```\n{snippet}\n```",
        "Write a SQL query that returns each customer's most recent order and its total,"
        " for customers with more than 3 orders in 2026.",
        "Generate a GitHub Actions workflow that runs pytest on Python 3.11 and 3.12 and"
        " caches pip.",
        "What's the difference between a process and a thread, briefly?",
    )
    system = (
        "You are an expert programming assistant inside the user's editor. Prefer minimal"
        " diffs. The user's open files are provided as context."
    )
    return system, _p(rng, asks)


# fmt: off
AGENT_GOALS = ("find three flights from Lisbon to Berlin under 200 EUR next Friday",
               "reconcile yesterday's Stripe payouts with the ledger sheet",
               "triage new GitHub issues and label duplicates",
               "summarise unread emails from customers and draft replies",
               "update the CRM with the notes from today's sales calls",
               "check the status page of our vendors and open incidents if down",
               "book a meeting room for 6 people tomorrow afternoon",
               "collect the weekly metrics and post them to the team channel")
# fmt: on


def agent(rng: Gen, step: int) -> tuple[str | None, str]:
    system = (
        "You are an autonomous operations agent. Use the available tools to complete the"
        " task. Think about which tool to call next; call one tool at a time; when done,"
        " reply with a short summary for the user."
    )
    if step == 0:
        return system, f"Task: {_p(rng, AGENT_GOALS)}."
    tool = _p(
        rng, ("search", "read_sheet", "http_get", "calendar.find", "crm.update", "gmail.list")
    )
    payload = f'{{"status": "ok", "items": {int(rng.integers(0, 40))}, "next_cursor": null}}'
    return system, f"Tool result ({tool}): {payload}"


def summarise(rng: Gen) -> tuple[str | None, str]:
    n = [_p(rng, NAMES) for _ in range(3)]
    notes = (
        f"Meeting notes {_date(rng)}. Attendees: {', '.join(n)}. {n[0]} reported that the"
        f" migration is {int(rng.integers(20, 95))}% done; blockers are {_p(rng, PRODUCTS)} and"
        f" a vendor delay. {n[1]} proposed moving the launch by two weeks. {n[2]} disagreed"
        " and suggested a partial launch. Action items: update the plan, email the vendor,"
        " prepare a risk register. "
    ) * int(rng.integers(1, 4))
    asks = (
        "Summarise in 3 bullet points.",
        "TL;DR please",
        "Write a short summary with action items and owners.",
        "Summarize for an executive audience (max 80 words).",
    )
    return None, f"{notes}\n\n{_p(rng, asks)}"


def embed_chunk(rng: Gen) -> str:
    return " ".join(_p(rng, KB) for _ in range(int(rng.integers(1, 5))))
