"""One way to reach Redis for every Redis user: one server, Sentinel or a Redis Cluster.

With ``HARVESTGUARD_REDIS_CLUSTER=true`` every store connects with redis-py's
:class:`~redis.cluster.RedisCluster` instead of :class:`redis.Redis`; the URL
names one seed node, or several comma-separated (database 0: a cluster has no
others), and the client discovers the rest. With
``HARVESTGUARD_REDIS_SENTINEL_MASTER`` the URL names Redis Sentinels instead,
and the client connects to the master they report, again after a failover.
Callers keep using the commands they know; what a cluster cannot do (a
``MULTI`` or a script over keys in several slots) each store handles itself,
grouping its keys by :func:`slot`.

A ``RedisCluster`` connects when it is built and fails if no node answers,
where ``redis.Redis`` connects at its first command. :class:`LazyCluster`
defers the connection to the first command too, so a worker or an API
process starts while the cluster is down and meets the outage the way it
meets a single server's: as :class:`StoreUnavailable` on a batch or a check.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import redis
from redis.cluster import ClusterNode, RedisCluster, key_slot
from redis.connection import Connection, ConnectionPool, SSLConnection, parse_url
from redis.exceptions import NoScriptError, RedisClusterException
from redis.sentinel import Sentinel

from service.state.base import StoreUnavailable

# Everything redis-py may raise for an unreachable or unhappy server. Cluster-level
# failures (no node reachable, a slot not covered) are not RedisError subclasses.
ERRORS: tuple[type[Exception], ...] = (redis.RedisError, RedisClusterException)


def slot(key: str) -> int:
    """The cluster hash slot of a key (its ``{hash tag}`` when it has one)."""
    return int(key_slot(key.encode("utf-8", "surrogatepass")))


def seed_nodes(url: str, default_port: int = 6379) -> tuple[str, list[tuple[str, int]]]:
    """A cluster's URL may name several of its nodes, comma-separated, so that a client
    starts while any one of them answers: the first URL (whose options, such as a
    password or TLS, every node shares) and the other nodes' (host, port). The others
    may be URLs or bare ``host:port``."""
    first, *others = (part.strip() for part in url.split(",") if part.strip())
    seeds = []
    for other in others:
        options = parse_url(other if "://" in other else f"redis://{other}")
        seeds.append((str(options.get("host", "localhost")), options.get("port", default_port)))
    return first, seeds


class LazyCluster:
    """A :class:`RedisCluster` built at first use; its commands are the cluster client's."""

    def __init__(self, url: str, **options: Any) -> None:
        self.url = url
        self.options = options
        self._client: RedisCluster | None = None
        self._lock = threading.Lock()  # API worker threads may race to connect

    @property
    def cluster(self) -> RedisCluster:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    # A failed attempt leaves nothing behind: the next command tries again.
                    url, others = seed_nodes(self.url)
                    seeds = [ClusterNode(host, port) for host, port in others]
                    self._client = RedisCluster.from_url(url, startup_nodes=seeds, **self.options)
                client = self._client
        return client

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # never connect for (or recurse on) private lookups
            raise AttributeError(name)
        return getattr(self.cluster, name)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


RedisClient = redis.Redis | LazyCluster


class SlotScript:
    """A Lua script run once per slot group on a cluster, every call in one pipeline.

    A script may only touch keys of one slot on a cluster, so a caller splits its
    keys by :func:`slot` and passes one call per group. redis-py's cluster pipeline
    sends each node its calls together and reads the replies after writing to every
    node: one round trip for the batch. Two details of redis-py 8 matter:

    * it refuses ``evalsha`` in a pipeline (it cannot load a missing script there),
      so the command is queued as it is, and a ``NOSCRIPT`` (a node restarted or
      failed over) loads the script on every primary and runs the whole pipeline
      again: callers' scripts must be idempotent;
    * to route a script call it asks a server for the call's keys (``COMMAND
      GETKEYS``, a blocking round trip per call: 500 calls took 50-90 ms instead
      of 10), so each call names its node itself, from the client's slot map; a
      call that meets ``MOVED`` (slots moving) is retried with normal routing.
    """

    def __init__(self, client: LazyCluster, text: str) -> None:
        self.client = client
        self.text = text
        self.sha = hashlib.sha1(text.encode()).hexdigest()

    def run(self, calls: Sequence[tuple[Sequence[str], Sequence[Any]]]) -> list[Any]:
        for attempt in range(2):
            pipe = self.client.pipeline(transaction=False)
            nodes = self.client.nodes_manager
            for keys, args in calls:
                node = nodes.get_node_from_slot(slot(keys[0]))
                pipe.execute_command(
                    "EVALSHA", self.sha, len(keys), *keys, *args, target_nodes=node
                )
            try:
                return list(pipe.execute())
            except NoScriptError:
                if attempt:
                    raise
                self.client.script_load(self.text)
        raise AssertionError("unreachable")


def run_then_wait(
    batches: Sequence[tuple[ConnectionPool, Sequence[tuple[Any, ...]]]],
    replicas: int,
    timeout_ms: int,
) -> int:
    """Run each server's commands, then ``WAIT`` for its replicas; the fewest that acknowledged.

    ``WAIT`` counts the replicas that have every write made *on its own connection*,
    so each server's commands and its ``WAIT`` go down one connection taken from the
    pool, in one packet (servers in parallel). redis-py's clients cannot promise that:
    a command retried after a reconnect runs on another connection, where ``WAIT``
    would answer at once for writes it never saw. Any error drops the connections
    (their unread replies with them) and propagates: callers write idempotently and
    run the whole batch again.
    """
    taken: list[Connection] = []
    pools: list[ConnectionPool] = []
    try:
        for pool, commands in batches:
            connection = pool.get_connection()
            taken.append(connection)
            pools.append(pool)
            connection.send_packed_command(
                connection.pack_commands([*commands, ("WAIT", replicas, timeout_ms)])
            )
        fewest = replicas
        for connection, (_, commands) in zip(taken, batches, strict=True):
            for _ in commands:
                reply = connection.read_response()
                # EXEC answers with a list that carries its commands' errors instead of raising.
                if isinstance(reply, list):
                    failed = next((r for r in reply if isinstance(r, Exception)), None)
                    if failed is not None:
                        raise failed
            slack = (connection.socket_timeout or 0.0) + timeout_ms / 1000
            fewest = min(fewest, int(connection.read_response(timeout=slack)))
        return fewest
    except BaseException:
        for connection in taken:
            connection.disconnect()
        raise
    finally:
        for pool, connection in zip(pools, taken, strict=True):
            pool.release(connection)


@dataclass(frozen=True)
class ReplicaWait:
    """How many replicas must hold a write before it counts as done (Redis ``WAIT``)."""

    replicas: int = 0
    timeout_ms: int = 1000

    def __bool__(self) -> bool:
        return self.replicas > 0

    def run(self, client: RedisClient, commands: Sequence[tuple[str, tuple[Any, ...]]]) -> None:
        """Run the commands, each on the server of the key given with it, in order, then
        wait for the replicas; :class:`StoreUnavailable` if they are not reached in time."""
        batches: dict[int, tuple[ConnectionPool, list[tuple[Any, ...]]]] = {}
        try:
            for key, command in commands:
                pool = _pool_for(client, key)
                batches.setdefault(id(pool), (pool, []))[1].append(command)
            acked = run_then_wait(list(batches.values()), self.replicas, self.timeout_ms)
        except ERRORS as error:
            if isinstance(client, LazyCluster):
                # A failover or a slot move: learn the new slot map before the caller retries.
                with contextlib.suppress(*ERRORS):
                    client.nodes_manager.initialize()
            raise StoreUnavailable(f"redis: {error}") from error
        if acked < self.replicas:
            raise StoreUnavailable(
                f"redis: a write reached {acked} of {self.replicas} replicas within "
                f"{self.timeout_ms} ms (HARVESTGUARD_REDIS_WAIT_REPLICAS)"
            )


def _pool_for(client: RedisClient, key: str) -> ConnectionPool:
    if isinstance(client, LazyCluster):
        node = client.nodes_manager.get_node_from_slot(slot(key))
        return cast(ConnectionPool, node.redis_connection.connection_pool)
    return cast(ConnectionPool, client.connection_pool)


class Sentinels(NamedTuple):
    """Redis Sentinel: the master's name, and the sentinels' own password if they need one."""

    master: str
    password: str = ""


def connect(
    url: str, cluster: bool = False, timeout_s: float = 2.0, sentinel: Sentinels | None = None
) -> RedisClient:
    """A client for ``url``: a single server, a cluster that ``url`` names nodes of, or the
    master that the sentinels ``url`` names report."""
    timeouts = {"socket_timeout": timeout_s, "socket_connect_timeout": timeout_s}
    if cluster:
        return LazyCluster(url, **timeouts)
    if sentinel is not None:
        addresses, watchers, master = sentinel_params(url, sentinel, timeout_s)
        # Connects at the first command, to the master the sentinels name then, and again
        # after a failover: the pool asks them whenever a connection is made.
        return Sentinel(addresses, sentinel_kwargs=watchers).master_for(sentinel.master, **master)
    return redis.Redis.from_url(url, **timeouts)


def sentinel_params(
    url: str, sentinel: Sentinels, timeout_s: float
) -> tuple[list[tuple[str, int]], dict[str, Any], dict[str, Any]]:
    """With Sentinel, ``url`` names the sentinels. For redis-py's Sentinel clients (sync
    and asyncio): the sentinels' (host, port), how to reach them, and how to reach the
    master (the first URL's database, password and TLS)."""
    first, others = seed_nodes(url, default_port=26379)
    master = parse_url(first)
    address = (str(master.pop("host", "localhost")), int(master.pop("port", 26379)))
    if master.pop("connection_class", None) is SSLConnection:
        master["ssl"] = True
    timeouts = {"socket_timeout": timeout_s, "socket_connect_timeout": timeout_s}
    master.update(timeouts)
    watchers: dict[str, Any] = dict(timeouts)
    if sentinel.password:
        watchers["password"] = sentinel.password
    return [address, *others], watchers, master
