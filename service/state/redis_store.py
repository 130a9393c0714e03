"""The production store: one Redis key per account state, one per decision.

Keys carry the account in a hash tag (``hg:{org_5521}:s``), so one account's
keys share a Redis Cluster slot. Every key has a TTL, so idle accounts cost
nothing. A batch is read with one ``MGET`` and written in one round trip:

* **One server**: one ``MULTI``/``EXEC`` pipeline; a crash leaves either all
  of a batch's state or none of it.
* **Redis Cluster** (``cluster=True``): a transaction or a script may only
  touch keys of one slot, so the batch is split by slot and each group is
  written by one small script (the groups in one pipeline: a round trip per
  node, in parallel). Each account's state and decision share a slot, so
  they are written together or not at all; the batch as a whole is not
  atomic. That is enough: each state carries the Kafka partition and offset
  it has applied, so after a crash between two groups the redelivered batch
  is skipped by every account already written and applied by the others, and
  no event is lost or counted twice. Reads split by slot too
  (``mget_nonatomic``), which is safe because one worker owns an account.

With ``wait_replicas`` the write is followed by ``WAIT`` on each server written
to, and ``save`` returns only once that many replicas hold the batch: the
worker commits offsets after ``save``, so a failover cannot lose counted events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from service.account_ids import account_key
from service.state.account import AccountState, Decision, decode, encode
from service.state.base import StoreUnavailable
from service.state.rechecks import Due
from service.state.redis_client import (
    ERRORS,
    LazyCluster,
    ReplicaWait,
    Sentinels,
    SlotScript,
    connect,
    slot,
)

# KEYS: the group's keys; ARGV: per key its value and TTL in seconds.
_SET_ALL = """
for i, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[2 * i - 1], 'EX', ARGV[2 * i])
end
return #KEYS
"""


class RedisStore:
    def __init__(
        self,
        url: str,
        prefix: str = "hg",
        ttl_s: int = 26 * 3600,
        decision_ttl_s: int = 7 * 86400,
        timeout_s: float = 2.0,
        cluster: bool = False,
        wait_replicas: int = 0,
        wait_timeout_ms: int = 1000,
        sentinel: Sentinels | None = None,
    ) -> None:
        self.prefix = prefix
        self.wait = ReplicaWait(wait_replicas, wait_timeout_ms)
        self.ttl_s = ttl_s
        self.decision_ttl_s = decision_ttl_s
        self.client = connect(url, cluster, timeout_s, sentinel)
        client = self.client
        # One script call writes a batch's states and decisions, atomically like MULTI/EXEC
        # but packed as one command with one reply: a pipeline of a SET per account cost
        # the worker more CPU than the writes themselves when batches are small and many.
        if isinstance(client, LazyCluster):
            self._set_all: SlotScript | None = SlotScript(client, _SET_ALL)
        else:
            self._set_all = None
            self._set_all_here = client.register_script(_SET_ALL)

    def state_key(self, account_id: str) -> str:
        return account_key(self.prefix, account_id, "s")

    def decision_key(self, account_id: str) -> str:
        return account_key(self.prefix, account_id, "d")

    def load(self, account_ids: Iterable[str]) -> dict[str, AccountState]:
        ids = list(account_ids)
        if not ids:
            return {}
        keys = [self.state_key(a) for a in ids]
        try:
            if isinstance(self.client, LazyCluster):
                raw = self.client.mget_nonatomic(keys)
            else:
                raw = self.client.mget(keys)
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error
        blobs = cast(list[bytes | None], raw)
        return {a: decode(blob) for a, blob in zip(ids, blobs, strict=True) if blob is not None}

    def save(self, states: Mapping[str, AccountState], decisions: Mapping[str, Decision]) -> None:
        if not states and not decisions:
            return
        writes = [(self.state_key(a), encode(s), self.ttl_s) for a, s in states.items()]
        writes += [
            (self.decision_key(a), d.to_json(), self.decision_ttl_s) for a, d in decisions.items()
        ]
        try:
            if self.wait:
                # EVAL, not EVALSHA: no NOSCRIPT to handle on a connection run by hand.
                calls = _by_slot(writes, one_group=not isinstance(self.client, LazyCluster))
                evals = [
                    (keys[0], ("EVAL", _SET_ALL, len(keys), *keys, *args)) for keys, args in calls
                ]
                self.wait.run(self.client, evals)
                return
            if self._set_all is not None:
                self._set_all.run(_by_slot(writes))
                return
            ((keys, args),) = _by_slot(writes, one_group=True)
            self._set_all_here(keys=keys, args=args)
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error

    def decision(self, account_id: str) -> Decision | None:
        try:
            raw = self.client.get(self.decision_key(account_id))
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error
        return None if raw is None else Decision.from_json(cast(bytes, raw))

    def rechecks_key(self, partition: int) -> str:
        """One sorted set per partition (member: account, score: the epoch it is due in)."""
        return f"{self.prefix}:rechecks:{{{partition}}}"

    def schedule(self, rechecks: Mapping[int, Mapping[str, int]]) -> None:
        # ZADD refuses an empty mapping (a partition whose plans a batch all dropped).
        planned = {p: due for p, due in rechecks.items() if due}
        self._each_partition(planned, lambda pipe, key, due: pipe.zadd(key, dict(due)))

    def due(self, partitions: Iterable[int], epoch: int) -> Due:
        order = list(partitions)
        replies = self._each_partition(
            dict.fromkeys(order, epoch),
            lambda pipe, key, e: pipe.zrangebyscore(key, "-inf", e, withscores=True),
        )
        found: Due = {}
        for partition, reply in zip(order, replies, strict=True):
            if reply:
                found[partition] = {m.decode(): int(score) for m, score in reply}
        return found

    def done(self, reached: Mapping[int, int]) -> None:
        self._each_partition(reached, lambda pipe, key, e: pipe.zremrangebyscore(key, "-inf", e))

    def _each_partition(self, by_partition: Mapping[int, Any], command: Any) -> list[Any]:
        """One command per partition's sorted set, sent in one pipeline (not a transaction:
        in a cluster the sets live in different slots, and each command stands alone)."""
        if not by_partition:
            return []
        try:
            pipe = self.client.pipeline(transaction=False)
            for partition, arg in by_partition.items():
                command(pipe, self.rechecks_key(partition), arg)
            return cast(list[Any], pipe.execute())
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except ERRORS:
            return False

    def close(self) -> None:
        self.client.close()


def _by_slot(
    writes: list[tuple[str, bytes, int]], one_group: bool = False
) -> list[tuple[list[str], list[bytes | int]]]:
    """The writes as ``_SET_ALL`` calls (keys, args): one per cluster slot, or one in all."""
    groups: dict[int, tuple[list[str], list[bytes | int]]] = {}
    for key, value, ttl in writes:
        keys, args = groups.setdefault(0 if one_group else slot(key), ([], []))
        keys.append(key)
        args += (value, ttl)
    return list(groups.values())
