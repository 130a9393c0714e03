"""Bearer tokens: refused at start-up when weak, compared in constant time per request."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request, status

MIN_TOKEN_CHARS = 16
# Lower-case fragments that mark a value copied from an example rather than generated.
_PLACEHOLDERS = (
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


def check_token(name: str, value: str, required: bool) -> None:
    """Raise :class:`InsecureSettings` naming the variable if ``value`` is not a real secret."""
    if not value:
        if required:
            raise InsecureSettings(
                f"{name} is empty: set it to a random secret of at least {MIN_TOKEN_CHARS} "
                "characters (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
        return
    lowered = value.lower()
    if len(value) < MIN_TOKEN_CHARS:
        problem = f"is shorter than {MIN_TOKEN_CHARS} characters"
    elif any(fragment in lowered for fragment in _PLACEHOLDERS):
        problem = "looks like a placeholder"
    elif len(set(value)) < 6:
        problem = "has too few distinct characters to be random"
    else:
        return
    raise InsecureSettings(
        f"{name} {problem}: use a random secret "
        "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
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
