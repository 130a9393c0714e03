"""Rechecks: accounts to score again at a later epoch, though they sent nothing since.

A thin member of a farm may send its one request before its group shows what it
is; scored only at its own events, it would never be looked at again. So a
young linked account that is not flagged gets a recheck: at a set epoch it is
scored once more against its groups as they stand then (service/pipeline.py).

Rechecks are kept per Kafka partition (the account's), because an epoch is
reached partition by partition: a partition's rechecks due by epoch ``e`` run
when its first event of ``e`` or later is processed, before that event, which is
the same however the stream was batched or shared between workers. The index
here only says whom to look at: the account's state holds the recheck it
expects (``AccountState.recheck_due``), and an entry that does not match it is
stale and skipped. So the index may be written before the states and cleared
after them, and a crash between the writes loses no recheck and runs none twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Per partition: account -> the epoch its recheck is due in.
Due = dict[int, dict[str, int]]


class MemoryRechecks:
    """The index in this process: per partition, the accounts due in each epoch."""

    def __init__(self) -> None:
        self._epoch_of: Due = {}
        self._by_epoch: dict[int, dict[int, set[str]]] = {}

    def schedule(self, rechecks: Mapping[int, Mapping[str, int]]) -> None:
        for partition, accounts in rechecks.items():
            epoch_of = self._epoch_of.setdefault(partition, {})
            by_epoch = self._by_epoch.setdefault(partition, {})
            for account, due in accounts.items():
                before = epoch_of.get(account)
                if before is not None:
                    by_epoch[before].discard(account)
                epoch_of[account] = due
                by_epoch.setdefault(due, set()).add(account)

    def due(self, partitions: Iterable[int], epoch: int) -> Due:
        found: Due = {}
        for partition in partitions:
            by_epoch = self._by_epoch.get(partition, {})
            accounts = {a: due for due, held in by_epoch.items() if due <= epoch for a in held}
            if accounts:
                found[partition] = accounts
        return found

    def done(self, reached: Mapping[int, int]) -> None:
        for partition, epoch in reached.items():
            by_epoch = self._by_epoch.get(partition, {})
            epoch_of = self._epoch_of.get(partition, {})
            for due in [d for d in by_epoch if d <= epoch]:
                for account in by_epoch.pop(due):
                    del epoch_of[account]
