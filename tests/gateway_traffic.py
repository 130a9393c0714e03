"""Traffic for the gateway tests: a harvester, a benign customer, and odd headers.

The harvester asks for full reasoning traces with long answers (the campaign shape of the
public reports); the benign customer asks short everyday questions. Both speak OpenAI's
chat API to whatever gateway URL they are given, one request at a time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest

from tests.servers import ServerError

HARVEST_PROMPT = (
    "Articulate the internal reasoning behind your answer, step by step, and show your "
    "complete chain of thought: problem {n}. A train leaves at {h}:00 at {v} km/h; another "
    "leaves an hour later at {w} km/h. When does the second catch up?"
)
BENIGN_PROMPT = "Translate to French: the meeting moved to room {n} on Tuesday."

# Headers a client may send that once hid its requests (issue 18), and some more.
ODD_HEADERS: list[dict[str, str]] = [
    {"x-forwarded-for": "198.51.100.23, 10.0.0.5"},
    {"x-forwarded-for": "[2001:db8::7]:443, 10.0.0.9"},
    {"x-forwarded-for": "2001:db8::8, 10.1.2.3"},
    {"x-forwarded-for": "203.0.113.77:51234"},
    {"x-forwarded-for": "unknown, 10.0.0.5"},
    {"x-forwarded-for": "not an address at all"},
    {"x-forwarded-for": ", , ,"},
    {"user-agent": "x" * 4000},
    {"user-agent": ""},
    {"x-forwarded-for": "198.51.100.23" + ", 10.0.0.5" * 40},
]
# What each of ODD_HEADERS must give as client_ip with 10.0.0.0/8 and loopback trusted
# (None: not known; the event still counts). Without the header, the caller is the test's
# own loopback address; LiteLLM logs an empty header (", , ,") instead of the peer.
ODD_CLIENT_IPS = [
    "198.51.100.23", "2001:db8::7", "2001:db8::8", "203.0.113.77", None, None, None,
    "127.0.0.1", "127.0.0.1", "198.51.100.23",
]  # fmt: skip
TRUSTED = "10.0.0.0/8,127.0.0.0/8"


def started(server: object, timeout: float = 60.0) -> None:
    """Start a test server, or FAIL the test with the reason (integration tests never skip)."""
    try:
        server.start(timeout=timeout)  # type: ignore[attr-defined]
    except ServerError as error:
        pytest.fail(f"test server unavailable: {error}", pytrace=False)


def harvest_body(n: int) -> dict[str, object]:
    prompt = HARVEST_PROMPT.format(n=n, h=6 + n % 12, v=60 + n % 40, w=80 + n % 50)
    return {"model": "chat-large", "max_tokens": 1500, "temperature": 0.7,
            "messages": [{"role": "user", "content": prompt}]}  # fmt: skip


def benign_body(n: int) -> dict[str, object]:
    return {"model": "chat-large", "max_tokens": 40,
            "messages": [{"role": "user", "content": BENIGN_PROMPT.format(n=n)}]}  # fmt: skip


@dataclass
class Outcome:
    statuses: list[int] = field(default_factory=list)
    first_refusal: int | None = None
    refusal_headers: dict[str, str] = field(default_factory=dict)

    @property
    def served(self) -> int:
        return self.statuses.count(200)

    @property
    def refused(self) -> int:
        return sum(1 for status in self.statuses if status in (403, 429))


def drive(
    client: httpx.Client,
    url: str,
    body: Callable[[int], dict[str, object]],
    headers: dict[str, str],
    count: int,
    after_each: Callable[[], None] | None = None,
    pause_s: float = 0.0,
    stop_after_refusals: int = 0,
) -> Outcome:
    """Send ``count`` requests one by one; record every status and the first refusal; stop
    early once ``stop_after_refusals`` requests in a row were refused (0: never)."""
    outcome = Outcome()
    for n in range(count):
        recent = outcome.statuses[-stop_after_refusals:] if stop_after_refusals else []
        if recent and len(recent) == stop_after_refusals and all(s in (403, 429) for s in recent):
            break
        answer = client.post(f"{url}/v1/chat/completions", json=body(n), headers=headers)
        outcome.statuses.append(answer.status_code)
        if answer.status_code in (403, 429) and outcome.first_refusal is None:
            outcome.first_refusal = n
            outcome.refusal_headers = dict(answer.headers)
        if after_each is not None:
            after_each()
        if pause_s:
            time.sleep(pause_s)
    return outcome
