"""A real Redis Sentinel set-up for the tests: a primary, its replica and one sentinel.

The sentinel runs ``redis-server sentinel.conf --sentinel`` (it rewrites its
own config file, so the file lives in its temp dir) with a quorum of one and
a one-second ``down-after-milliseconds``: killing the primary promotes the
replica within a few seconds, and a restarted old primary is turned into a
replica of the new one by the sentinel.
"""

from __future__ import annotations

import time

import redis

from tests.servers.process import HOST, ServerError, _ManagedServer
from tests.servers.redis_server import RedisServer, find_redis_server

MASTER_NAME = "hg"


class RedisSentinel(_ManagedServer):
    """One sentinel; with ``password``, clients must give it (``requirepass``)."""

    name = "redis-sentinel"

    def __init__(self, primary_port: int, password: str = "", binary: str | None = None) -> None:
        self.binary = binary or find_redis_server()
        self.password = password or None
        super().__init__()
        (self.workdir / "sentinel.conf").write_text(
            f"sentinel monitor {MASTER_NAME} {HOST} {primary_port} 1\n"
            f"sentinel down-after-milliseconds {MASTER_NAME} 1000\n"
            f"sentinel failover-timeout {MASTER_NAME} 5000\n"
            + (f"requirepass {password}\n" if password else "")
        )

    def _argv(self) -> list[str]:
        return [
            self.binary, str(self.workdir / "sentinel.conf"), "--sentinel",
            "--bind", HOST, "--port", str(self.port), "--protected-mode", "no",
            "--dir", str(self.workdir), "--daemonize", "no", "--loglevel", "warning",
        ]  # fmt: skip

    def _client(self) -> redis.Redis:
        return redis.Redis(host=HOST, port=self.port, password=self.password, socket_timeout=1.0)

    def _answers(self) -> bool:
        try:
            with self._client() as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def master_port(self) -> int | None:
        """The port of the primary this sentinel reports now."""
        try:
            with self._client() as client:
                address = client.sentinel_get_master_addr_by_name(MASTER_NAME)
        except redis.RedisError:
            return None
        return int(address[1]) if address else None

    def knows_replicas(self) -> int:
        try:
            with self._client() as client:
                return len(client.sentinel_slaves(MASTER_NAME))
        except redis.RedisError:
            return 0


class RedisSentinelGroup:
    """A primary, a replica of it and a sentinel watching them, on free loopback ports."""

    def __init__(self, sentinel_password: str = "") -> None:
        self.sentinel_password = sentinel_password
        self.primary = RedisServer()
        self.replica: RedisServer | None = None
        self.sentinel: RedisSentinel | None = None

    @property
    def url(self) -> str:
        """What ``HARVESTGUARD_REDIS_URL`` names with Sentinel: the sentinels (here one)."""
        assert self.sentinel is not None
        return f"redis://{HOST}:{self.sentinel.port}/0"

    @property
    def servers(self) -> list[RedisServer]:
        return [s for s in (self.primary, self.replica) if s is not None]

    def current_primary(self) -> RedisServer:
        assert self.sentinel is not None
        port = self.sentinel.master_port()
        return next(server for server in self.servers if server.port == port)

    def start(self, timeout: float = 30.0) -> None:
        self.primary.start()
        self.replica = RedisServer(replica_of=self.primary.port)
        self.replica.start()
        self.sentinel = RedisSentinel(self.primary.port, self.sentinel_password)
        self.sentinel.start()
        if not self.wait_settled(timeout):
            self.close()
            raise ServerError(f"sentinel did not see a synced replica within {timeout}s")

    def wait_settled(self, timeout: float) -> bool:
        """Whether, within ``timeout``, the sentinel knows a replica and every server that
        runs is a primary or a replica in sync."""
        assert self.sentinel is not None
        deadline = time.monotonic() + timeout
        running = [server for server in self.servers if server.running]
        while not (
            self.sentinel.knows_replicas() and all(server.replica_in_sync() for server in running)
        ):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def fail_over(self, timeout: float = 30.0) -> bool:
        """SIGKILL the primary; True once the sentinel promoted the replica and the old
        primary, started again, rejoined as the new one's replica."""
        assert self.sentinel is not None
        sentinel, old = self.sentinel, self.current_primary()
        old.stop(hard=True)
        deadline = time.monotonic() + timeout
        while sentinel.master_port() in (None, old.port) and time.monotonic() < deadline:
            time.sleep(0.1)
        promoted = sentinel.master_port() not in (None, old.port)
        old.start()  # the sentinel turns it into a replica of the new primary
        while not (old.role() == "slave" and old.replica_in_sync()):
            if time.monotonic() > deadline + timeout:
                return False
            time.sleep(0.1)
        return promoted

    def close(self) -> None:
        for server in (self.sentinel, self.replica, self.primary):
            if server is not None:
                server.close()

    def __enter__(self) -> RedisSentinelGroup:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
