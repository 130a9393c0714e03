"""A real redis-server for the tests."""

from __future__ import annotations

import shutil
import socket

import redis

from tests.servers.process import HOST, ServerError, _ManagedServer

# --------------------------------------------------------------------------- redis


def find_redis_server() -> str:
    path = shutil.which("redis-server")
    if path is None:
        raise ServerError(
            "redis-server not found on PATH: install it (Debian: apt-get install -y "
            "redis-server; `bash tests/run.sh` does this)"
        )
    return path


class RedisServer(_ManagedServer):
    """redis-server on a free loopback port.

    Persistence is off by default (a restart starts empty). ``durable=True`` turns on the
    append-only file, synced at every write, so that what a worker wrote before a stop
    (even a SIGKILL) is there after the restart: an outage, not a loss of data.
    ``replica_of`` (a port) starts it as a replica of the server on that port.
    """

    name = "redis"

    def __init__(
        self,
        port: int | None = None,
        binary: str | None = None,
        durable: bool = False,
        replica_of: int | None = None,
    ) -> None:
        self.binary = binary or find_redis_server()
        self.durable = durable
        self.replica_of = replica_of
        super().__init__(port)

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def _argv(self) -> list[str]:
        return [
            self.binary,
            "--bind", HOST,
            "--port", str(self.port),
            "--dir", str(self.workdir),
            "--save", "",
            "--appendonly", "yes" if self.durable else "no",
            "--appendfsync", "always",
            "--daemonize", "no",
            "--protected-mode", "no",
            "--loglevel", "warning",
            *(["--replicaof", HOST, str(self.replica_of)] if self.replica_of else []),
        ]  # fmt: skip

    def replica_in_sync(self) -> bool:
        """A primary is always; a replica once its link to the primary is up (synced)."""
        info = self._replication()
        return bool(info.get("role") == "master" or info.get("master_link_status") == "up")

    def role(self) -> str:
        """``master``, ``slave`` (Redis's words), or ``down``."""
        return str(self._replication().get("role", "down"))

    def _replication(self) -> dict[str, object]:
        try:
            with redis.Redis(host=HOST, port=self.port, socket_timeout=1.0) as client:
                return dict(client.info("replication"))
        except redis.RedisError:
            return {}

    def _answers(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def __enter__(self) -> RedisServer:
        self.start()
        return self
