"""Account facts from where providers keep them: creation time and payment method.

Gateways rarely know when an account was opened or which card pays for it (the
LiteLLM, Envoy, Kong and nginx adapters fill neither), yet the farm evidence
reads both. An enrichment source fills them in from the provider's side, for
accounts whose events do not carry them:

- ``file:PATH``: a JSONL file, one ``{"account_id", "account_created", "payment_fingerprint"}``
  object per line (extra fields ignored), read again when it changes;
- ``redis``: a hash per account, ``<prefix>:{<account>}:facts`` with fields
  ``account_created`` and ``payment_fingerprint``, which the provider's account
  service writes (``HSET hg:{org_5521}:facts account_created 1785126252 ...``).

Facts are looked up once per account and kept with its state: they are taken to
be the account's own (a creation time and a card do not change), which is also
what keeps verdicts replay-identical. A payment fingerprint is keyed like every
fingerprint before it leaves memory; the raw value is never stored.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import orjson

from service.account_ids import account_key
from service.contract import _unix_time
from service.features.fingerprint import keyed_hash
from service.state.account import AccountState
from service.state.base import StoreUnavailable
from service.state.redis_client import ERRORS


class Facts(NamedTuple):
    created: float  # -1: not known
    payment: str  # "": not known


class Enrichment(Protocol):
    def lookup(self, accounts: Iterable[str]) -> dict[str, Facts]:
        """The facts known of these accounts (accounts with none are left out)."""
        ...


def _facts(created: Any, payment: Any) -> Facts | None:
    try:
        when = float(_unix_time(created)) if created not in (None, "") else -1.0
    except ValueError:
        when = -1.0
    card = str(payment) if payment else ""
    return Facts(when, card) if when >= 0 or card else None


def enrich(source: Enrichment, states: Mapping[str, AccountState]) -> None:
    """Ask ``source``, once per account, what its events may not say."""
    asked = {a: s for a, s in states.items() if s.enriched is None}
    if not asked:
        return
    facts = source.lookup(asked)
    for account, state in asked.items():
        found = facts.get(account)
        state.enriched = ""
        if found is None:
            continue
        if found.created >= 0 and state.created < 0:
            state.created = found.created
        if found.payment:
            state.enriched = f"payment:{keyed_hash(found.payment):016x}"


class FileEnrichment:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[float, int] | None = None
        self._facts: dict[str, Facts] = {}

    def _reload(self) -> None:
        stat = os.stat(self.path)
        stamp = (stat.st_mtime, stat.st_size)
        if stamp == self._stamp:
            return
        facts = {}
        with self.path.open("rb") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    record = orjson.loads(line)
                    account = str(record["account_id"])
                except (orjson.JSONDecodeError, KeyError, TypeError) as error:
                    raise ValueError(
                        f"{self.path}:{number}: not an account's facts ({error})"
                    ) from None
                found = _facts(record.get("account_created"), record.get("payment_fingerprint"))
                if found is not None:
                    facts[account] = found
        self._facts, self._stamp = facts, stamp

    def lookup(self, accounts: Iterable[str]) -> dict[str, Facts]:
        self._reload()
        return {a: self._facts[a] for a in accounts if a in self._facts}


class RedisEnrichment:
    def __init__(self, client: Any, prefix: str = "hg") -> None:
        self.client = client
        self.prefix = prefix

    def lookup(self, accounts: Iterable[str]) -> dict[str, Facts]:
        wanted = list(accounts)
        pipe = self.client.pipeline(transaction=False)
        for account in wanted:
            pipe.hmget(
                account_key(self.prefix, account, "facts"), "account_created", "payment_fingerprint"
            )
        try:
            replies = pipe.execute()
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error
        found = {}
        for account, (created, payment) in zip(wanted, replies, strict=True):
            facts = _facts(
                created.decode() if created else None, payment.decode() if payment else None
            )
            if facts is not None:
                found[account] = facts
        return found
