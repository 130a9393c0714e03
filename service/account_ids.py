"""Account ids: the one rule every source and every lookup applies, and the Redis keys.

An account id must reach the same Redis key whichever way it comes in: an
event (Kafka, push, a file), the inline check's header, an analyst's URL,
feedback, a key mapping. So each of them passes it through
:func:`normalise_account_id`:

* surrounding white space is removed (HTTP strips it from header values, so
  an id kept with it could never be matched by the check);
* what is left is 1 to 128 characters (code points);
* no control characters (U+0000-U+001F, U+007F-U+009F: no header can carry
  them) and no lone surrogates (no UTF-8 can carry them).

Ids are compared as code points and stored as UTF-8; there is no Unicode
normalisation (NFC and NFD spellings of ``müller`` are two accounts), because
verdicts and alerts must name the account exactly as the gateway does.
"""

from __future__ import annotations

MAX_ACCOUNT_ID_CHARS = 128


def _problem(value: str) -> str | None:
    if not value:
        return "is empty"
    if len(value) > MAX_ACCOUNT_ID_CHARS:
        return f"is longer than {MAX_ACCOUNT_ID_CHARS} characters"
    for char in value:
        code = ord(char)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            return f"contains a control character (U+{code:04X})"
        if 0xD800 <= code <= 0xDFFF:
            return f"contains a lone surrogate (U+{code:04X})"
    return None


def normalise_account_id(value: str) -> str:
    """The account id as stored and compared; ``ValueError`` naming the problem if invalid."""
    # The common case, checked first: printable ASCII without surrounding spaces.
    if (
        value.isascii()
        and value.isprintable()
        and 0 < len(value) <= MAX_ACCOUNT_ID_CHARS
        and value[0] != " "
        and value[-1] != " "
    ):
        return value
    stripped = value.strip()
    problem = _problem(stripped)
    if problem is not None:
        raise ValueError(f"account_id: {problem}")
    return stripped


def account_or_none(value: str | None) -> str | None:
    """The normalised id, or ``None`` when absent or invalid (no valid event can name it)."""
    if value is None:
        return None
    try:
        return normalise_account_id(value)
    except ValueError:
        return None


def header_text(raw: bytes) -> str:
    """A header value as text: UTF-8, which is what gateways send for non-ASCII ids.

    Bytes that are not UTF-8 are read as Latin-1, as HTTP's old rules had them, so
    such a gateway keeps working; no UTF-8 text can be mistaken for one of them.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def account_key(prefix: str, account_id: str, suffix: str) -> str:
    """A per-account Redis key, ``{prefix}:{{account}}:{suffix}``.

    The braces are a Redis Cluster hash tag: one account's keys share a slot.
    """
    return f"{prefix}:{{{account_id}}}:{suffix}"
