"""Bearer tokens: refused at start-up when weak, compared in constant time per request."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request, status

MIN_TOKEN_CHARS = 16
MAX_TOKEN_CHARS = 4096
# Characters a token needs outside runs, sequences and repeats (see _patterned).
MIN_FREE_CHARS = 12
# Lower-case fragments that mark a value copied from an example rather than generated.
_PLACEHOLDERS = (
    "dev-only",  # the old docker-compose.yml defaults were dev-only-...
    "changeme",
    "change-me",
    "change_me",
    "placeholder",
    "secret",
    "password",
    "example",
    "your-token",
    "your_token",
    "xxxxxxxx",
    "token",
)


class InsecureSettings(ValueError):
    """A secret setting is empty or a placeholder: the API refuses to start."""


_GENERATE = "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
_MAX_PERIOD = 64  # longest unit looked for said again (keeps a long token's check linear)


def _patterned(token: str) -> int:
    """How many characters of ``token`` belong to a run or sequence of 4 or more
    (``aaaa``, ``1234``, ``dcba``) or to 4 or more characters said again (``abab``,
    ``xyz1xyz1``): the parts a person typed, not a generator."""
    codes = [ord(char) for char in token]
    n = len(codes)
    covered = [False] * n
    for start in range(n - 3):
        step = codes[start + 1] - codes[start]
        if abs(step) <= 1 and all(codes[start + k + 1] - codes[start + k] == step for k in (1, 2)):
            covered[start : start + 4] = [True] * 4
    for period in range(1, min(n // 2, _MAX_PERIOD) + 1):
        for start in range(period, n - 3):
            if all(codes[start + k] == codes[start + k - period] for k in range(4)):
                covered[start - period : start - period + 4] = [True] * 4
                covered[start : start + 4] = [True] * 4
    return sum(covered)


def token_problem(value: str) -> str | None:
    """Why ``value`` is no real secret, or ``None`` if it may be one."""
    lowered = value.lower()
    if len(value) < MIN_TOKEN_CHARS:
        return f"is shorter than {MIN_TOKEN_CHARS} characters"
    if len(value) > MAX_TOKEN_CHARS:
        return f"is longer than {MAX_TOKEN_CHARS} characters"
    if any(fragment in lowered for fragment in _PLACEHOLDERS):
        return "looks like a placeholder or a published default"
    if len(set(value)) < 6:
        return "has too few distinct characters to be random"
    if len(value) - _patterned(value) < MIN_FREE_CHARS:
        return "is mostly runs, sequences or repeats (like 1234, aaaa or abab)"
    return None


def check_token(name: str, value: str, required: bool) -> None:
    """Raise :class:`InsecureSettings` naming the variable if ``value`` is not a real secret."""
    if not value:
        if required:
            raise InsecureSettings(
                f"{name} is empty: set it to a random secret of at least {MIN_TOKEN_CHARS} "
                f"characters (e.g. {_GENERATE})"
            )
        return
    problem = token_problem(value)
    if problem is not None:
        raise InsecureSettings(f"{name} {problem}: use a random secret (e.g. {_GENERATE})")


def check_tokens(api_token: str, ingest_token: str, ingest_open: bool) -> None:
    """The API's tokens, each strong, told apart, and ingestion closed unless said open."""
    check_token("HARVESTGUARD_API_TOKEN", api_token, required=True)
    if ingest_open:
        if ingest_token:
            raise InsecureSettings(
                "HARVESTGUARD_INGEST_OPEN=true and HARVESTGUARD_INGEST_TOKEN are both set: "
                "unset one (a token closes push ingestion, INGEST_OPEN opens it)"
            )
        return
    if not ingest_token:
        raise InsecureSettings(
            "HARVESTGUARD_INGEST_TOKEN is empty: set it to a random secret for "
            "POST /v1/events, or set HARVESTGUARD_INGEST_OPEN=true to accept pushed events "
            "from anyone who can reach the port"
        )
    check_token("HARVESTGUARD_INGEST_TOKEN", ingest_token, required=True)
    if hmac.compare_digest(api_token.encode(), ingest_token.encode()):
        raise InsecureSettings(
            "HARVESTGUARD_INGEST_TOKEN equals HARVESTGUARD_API_TOKEN: give each its own "
            "secret, so that a gateway holding the first cannot act as an analyst"
        )


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


def bearer_matches(request: Request, expected: bytes) -> None:
    """Raise 401 unless the request carries ``Authorization: Bearer <expected>``."""
    header = request.headers.get("authorization", "")
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented:
        raise _unauthorized("missing bearer token")
    if not hmac.compare_digest(presented.strip().encode("utf-8", "surrogatepass"), expected):
        raise _unauthorized("wrong bearer token")
