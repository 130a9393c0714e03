"""Who the account is, by configuration: an ordered list of sources, the first set one wins.

Every adapter understands the same vocabulary (``HARVESTGUARD_ACCOUNT_FROM``, e.g.
``org,team,key_hash,header:x-account-id,user``):

========== ===================================================================================
source     meaning
========== ===================================================================================
org        the organisation that owns the API key (LiteLLM with its database)
team       the team that owns the API key (LiteLLM with its database)
consumer   the gateway's authenticated consumer (Kong)
key_hash   the hash or id of the API key itself (one account per key)
user       the request's ``user`` field: the client's own end-user id, client-controlled
header:N   request header ``N``, set by whatever authenticates callers in front of the gateway
a.b.c      a dotted path into the gateway's own record, for anything else
========== ===================================================================================

A source an adapter's gateway does not log (``team`` for Kong) is skipped, so one setting
can serve several formats. ``user`` and a header the client can send itself are only as
trustworthy as whatever sets them: a harvester who controls them can spread its traffic
over as many "accounts" as it likes, so put them after the sources the gateway vouches for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from service.adapters.common import Record, lookup, split_paths, text

SOURCES = ("org", "team", "consumer", "key_hash", "user")
HEADER = "header:"
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP header name (RFC 9110 token)

Getter = Callable[[Record], str | None]
HeaderLookup = Callable[[Record, str], Any]


def parse_account_from(entries: str | Iterable[str]) -> tuple[str, ...]:
    """The sources of a setting (comma-separated text or a list), checked; ``ValueError``
    names the first entry that is none of the above."""
    if isinstance(entries, str):
        entries = entries.split(",")
    out = []
    for raw in entries:
        entry = raw.strip()
        if not entry:
            continue
        if entry.startswith(HEADER):
            name = entry[len(HEADER) :].strip()
            if not _TOKEN.match(name):
                raise ValueError(f"account source {entry!r}: {name!r} is not a header name")
            entry = HEADER + name.lower()
        elif entry not in SOURCES and "." not in entry:
            raise ValueError(
                f"unknown account source {entry!r}; known: {', '.join(SOURCES)}, "
                "header:NAME, or a dotted path into the gateway's record"
            )
        out.append(entry)
    return tuple(out)


def account_getters(
    entries: Iterable[str],
    kinds: Mapping[str, tuple[str, ...] | Getter],
    header: HeaderLookup | None,
) -> tuple[tuple[Getter, ...], str]:
    """One getter per source this gateway logs, in order, and where they read (for reasons).

    ``kinds`` maps a source name to dotted paths in the gateway's record (or to a getter,
    where it takes more than a lookup); ``header`` reads a request header from a record
    (None: the gateway logs no headers).
    """
    getters: list[Getter] = []
    where: list[str] = []
    for entry in parse_account_from(entries):
        if entry.startswith(HEADER):
            if header is None:
                continue
            name = entry[len(HEADER) :]
            getters.append(_header_getter(header, name))
            where.append(f"header {name}")
            continue
        source = kinds.get(entry, (entry,) if "." in entry else ())
        if callable(source):
            getters.append(source)
            where.append(entry)
        elif source:
            getters.append(_path_getter(split_paths(source)))
            where.extend(source)
    return tuple(getters), " or ".join(where) or "(no configured source is logged)"


def first_account(getters: tuple[Getter, ...], record: Record) -> str | None:
    for get in getters:
        found = get(record)
        if found is not None:
            return found
    return None


def _path_getter(paths: tuple[tuple[str, ...], ...]) -> Getter:
    def get(record: Record) -> str | None:
        for keys in paths:
            found = text(lookup(record, keys))
            if found is not None:
                return found
        return None

    return get


def _header_getter(header: HeaderLookup, name: str) -> Getter:
    return lambda record: text(header(record, name))


def header_in(headers: Any, name: str) -> Any:
    """A header from a logged header object, whatever case the gateway kept (``name`` is
    lower case)."""
    if not isinstance(headers, dict):
        return None
    found = headers.get(name)
    if found is None:
        for key, value in headers.items():
            if isinstance(key, str) and key.lower() == name:
                return value
    return found
