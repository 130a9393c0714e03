"""The inline check's reads: an account's decision, and the account behind an API key.

The check sits on every gateway request, so it reads with a small asyncio
Redis client of its own (service/api/resp.py: no thread hop, no blocking of
the event loop, a tenth of redis-py's CPU) and one ``GET`` per check; a
small local TTL cache can take even that away, at the price of decisions
reaching the check up to the TTL late. On a Redis Cluster or behind Sentinel
the check reads through redis-py's asyncio clients instead
(:class:`ClusterBackend`, :class:`SentinelBackend`). Any store failure or
timeout surfaces as :class:`StoreUnavailable`; the check's failure mode then
decides.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from typing import Protocol, cast

from redis.asyncio import Redis as AsyncRedis
from redis.asyncio.cluster import ClusterNode as AsyncClusterNode
from redis.asyncio.cluster import RedisCluster as AsyncRedisCluster
from redis.asyncio.sentinel import Sentinel as AsyncSentinel

from service.account_ids import account_key
from service.api.resp import FastRedis
from service.state.account import Decision
from service.state.base import FeatureStore, StoreUnavailable
from service.state.redis_client import (
    ERRORS,
    RedisClient,
    Sentinels,
    seed_nodes,
    sentinel_params,
)

_MISSING = object()
# API-key hashes longer than this are no key (the keys API refuses them too).
MAX_KEY_HASH_CHARS = 256
# What a cache entry costs besides its key: the entry, its tuple, a decision or an account id.
_ENTRY_BYTES = 512


def key_mapping_key(prefix: str, key_hash: str) -> str:
    """Redis key of the account an API-key hash belongs to."""
    return f"{prefix}:key:{key_hash}"


class KeyDirectory(Protocol):
    """API-key hash -> account, written by whoever provisions keys (PUT /v1/keys/...)."""

    def put(self, key_hash: str, account_id: str | None) -> None: ...

    def get(self, key_hash: str) -> str | None: ...


class MemoryKeys:
    def __init__(self) -> None:
        self.accounts: dict[str, str] = {}

    def put(self, key_hash: str, account_id: str | None) -> None:
        if account_id is None:
            self.accounts.pop(key_hash, None)
        else:
            self.accounts[key_hash] = account_id

    def get(self, key_hash: str) -> str | None:
        return self.accounts.get(key_hash)


class RedisKeys:
    def __init__(self, client: RedisClient, prefix: str = "hg") -> None:
        self.client = client
        self.prefix = prefix

    def put(self, key_hash: str, account_id: str | None) -> None:
        key = key_mapping_key(self.prefix, key_hash)
        try:
            if account_id is None:
                self.client.delete(key)
            else:
                self.client.set(key, account_id.encode("utf-8", "surrogatepass"))
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error

    def get(self, key_hash: str) -> str | None:
        try:
            raw = cast(bytes | None, self.client.get(key_mapping_key(self.prefix, key_hash)))
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from error
        return None if raw is None else raw.decode("utf-8", "surrogatepass")


class CheckBackend(Protocol):
    """The check's reads; ``deadline`` is in the event loop's time (``loop.time()``)."""

    async def decision(self, account_id: str, deadline: float) -> Decision | None: ...

    async def account_for_key(self, key_hash: str, deadline: float) -> str | None: ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...


class LocalBackend:
    """A store in this process (the embedded one): reads are dictionary lookups."""

    def __init__(self, store: FeatureStore, keys: KeyDirectory) -> None:
        self.store = store
        self.keys = keys

    async def decision(self, account_id: str, deadline: float) -> Decision | None:
        return self.store.decision(account_id)

    async def account_for_key(self, key_hash: str, deadline: float) -> str | None:
        return self.keys.get(key_hash)

    async def ping(self) -> bool:
        return self.store.ping()

    async def close(self) -> None:
        pass


class RedisBackend:
    """Redis through the check's own pipelined client; the key layout is :class:`RedisStore`'s."""

    def __init__(self, url: str, prefix: str, timeout_s: float) -> None:
        self.prefix = prefix
        self.client = FastRedis(url, timeout_s)

    async def decision(self, account_id: str, deadline: float) -> Decision | None:
        raw = await self.client.get(account_key(self.prefix, account_id, "d"), deadline)
        return None if raw is None else Decision.from_json(raw)

    async def account_for_key(self, key_hash: str, deadline: float) -> str | None:
        raw = await self.client.get(key_mapping_key(self.prefix, key_hash), deadline)
        return None if raw is None else raw.decode("utf-8", "surrogatepass")

    async def ping(self) -> bool:
        return await self.client.ping()

    async def close(self) -> None:
        await self.client.close()


class _RedisPyBackend:
    """Redis through one of redis-py's asyncio clients, made by :meth:`_connect`."""

    def __init__(self, url: str, prefix: str, timeout_s: float) -> None:
        self.url = url
        self.prefix = prefix
        self.timeout_s = timeout_s
        self._client: AsyncRedis | AsyncRedisCluster | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _connect(self) -> AsyncRedis | AsyncRedisCluster:
        raise NotImplementedError

    def _redis(self) -> AsyncRedis | AsyncRedisCluster:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            # Connections belong to the loop that made them (a test client's, a server's).
            self._client = self._connect()
            self._loop = loop
        return self._client

    async def _get(self, key: str, deadline: float) -> bytes | None:
        left = max(0.0, deadline - asyncio.get_running_loop().time())
        try:
            reply = await asyncio.wait_for(self._redis().get(key), left)
        except TimeoutError:
            raise StoreUnavailable("redis: no reply by the deadline") from None
        except ERRORS as error:
            raise StoreUnavailable(f"redis: {error}") from None
        return cast(bytes | None, reply)

    async def decision(self, account_id: str, deadline: float) -> Decision | None:
        raw = await self._get(account_key(self.prefix, account_id, "d"), deadline)
        return None if raw is None else Decision.from_json(raw)

    async def account_for_key(self, key_hash: str, deadline: float) -> str | None:
        raw = await self._get(key_mapping_key(self.prefix, key_hash), deadline)
        return None if raw is None else raw.decode("utf-8", "surrogatepass")

    async def ping(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self._redis().ping(), self.timeout_s))
        except TimeoutError:
            return False
        except ERRORS:
            return False

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and self._loop is asyncio.get_running_loop():
            await client.aclose()


class ClusterBackend(_RedisPyBackend):
    """A Redis Cluster through redis-py's asyncio cluster client.

    The fast client speaks to one server, but on a cluster a ``GET`` must reach
    the node that owns the key's slot (and follow it when slots move), which
    redis-py's cluster client does: simpler and correct, at redis-py's CPU cost.
    """

    def _connect(self) -> AsyncRedisCluster:
        url, others = seed_nodes(self.url)
        return AsyncRedisCluster.from_url(
            url,
            startup_nodes=[AsyncClusterNode(host, port) for host, port in others],
            socket_timeout=self.timeout_s,
            socket_connect_timeout=self.timeout_s,
        )


class SentinelBackend(_RedisPyBackend):
    """The master that Redis Sentinel reports, through redis-py's asyncio Sentinel client,
    which asks the sentinels again when the master fails over (the fast client cannot)."""

    def __init__(self, url: str, prefix: str, timeout_s: float, sentinel: Sentinels) -> None:
        super().__init__(url, prefix, timeout_s)
        self.sentinel = sentinel

    def _connect(self) -> AsyncRedis:
        addresses, watchers, master = sentinel_params(self.url, self.sentinel, self.timeout_s)
        return AsyncSentinel(addresses, sentinel_kwargs=watchers).master_for(
            self.sentinel.master, **master
        )


class _TtlCache:
    """A map bounded in bytes whose entries are forgotten ``ttl_s`` after they were put.

    Keys come from request headers, so the bound is on their size, not their number;
    entries are kept in the order they were put, and as the TTL is the same for all,
    the oldest are also the first to expire: they are dropped as new ones come in.
    """

    def __init__(self, ttl_s: float, max_bytes: int) -> None:
        self.ttl_s = ttl_s
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, tuple[float, object]] = OrderedDict()
        # Checks use it on the event loop, feedback and key changes from worker threads.
        self._lock = threading.Lock()

    @staticmethod
    def cost(key: str) -> int:
        return 4 * len(key) + _ENTRY_BYTES  # (4: the most a character takes in a str)

    def get(self, key: str) -> object:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return _MISSING
        return entry[1]

    def put(self, key: str, value: object) -> None:
        now = time.monotonic()
        with self._lock:
            entries = self._entries
            if entries.pop(key, None) is None:
                self.size += self.cost(key)
            entries[key] = (now + self.ttl_s, value)
            while entries and (self.size > self.max_bytes or next(iter(entries.values()))[0] < now):
                self.size -= self.cost(entries.popitem(last=False)[0])

    def pop(self, key: str) -> None:
        with self._lock:
            if self._entries.pop(key, None) is not None:
                self.size -= self.cost(key)


class DecisionReader:
    """What the check reads, through an optional local TTL cache (``ttl_s`` 0: none)."""

    def __init__(
        self,
        backend: CheckBackend,
        ttl_s: float = 0.0,
        key_ttl_s: float = 60.0,
        max_bytes: int = 32 << 20,
    ) -> None:
        self.backend = backend
        self._decisions = _TtlCache(ttl_s, max_bytes) if ttl_s > 0 else None
        self._forgotten = 0
        # Key-to-account mappings change only when keys are provisioned: cache them always.
        self._keys = _TtlCache(key_ttl_s, max_bytes)

    async def decision(self, account_id: str, deadline: float) -> Decision | None:
        """The account's decision, read by ``deadline`` (loop time) or ``StoreUnavailable``."""
        cache = self._decisions
        if cache is None:
            return await self.backend.decision(account_id, deadline)
        found = cache.get(account_id)
        if found is not _MISSING:
            return cast(Decision | None, found)
        forgotten = self._forgotten
        decision = await self.backend.decision(account_id, deadline)
        # Feedback that landed during the read may have replaced what it returned.
        if forgotten == self._forgotten:
            cache.put(account_id, decision)
        return decision

    async def account_for_key(self, key_hash: str, deadline: float) -> str | None:
        found = self._keys.get(key_hash)
        if found is not _MISSING:
            return cast(str | None, found)
        account = await self.backend.account_for_key(key_hash, deadline)
        self._keys.put(key_hash, account)
        return account

    def forget(self, account_id: str | None = None, key_hash: str | None = None) -> None:
        """Drop a cached entry: feedback and key changes take effect here at once."""
        if account_id is not None and self._decisions is not None:
            self._forgotten += 1
            self._decisions.pop(account_id)
        if key_hash is not None:
            self._keys.pop(key_hash)
