"""A real three-node Redis Cluster for the tests: three redis-server processes, no replicas."""

from __future__ import annotations

import subprocess
import time

import redis

from tests.servers.process import HOST, ServerError, find_tool, free_port
from tests.servers.redis_server import RedisServer, find_redis_server


class RedisClusterNode(RedisServer):
    """One cluster-enabled redis-server; its cluster bus gets a free port of its own.

    The default bus port is the client port + 10000, which may be taken or past 65535
    for a port the OS picked, so ``--cluster-port`` names one explicitly (Redis 7+).
    """

    name = "redis-node"

    def __init__(self, binary: str | None = None) -> None:
        super().__init__(binary=binary)
        self.bus_port = free_port()

    def _argv(self) -> list[str]:
        return [
            *super()._argv(),
            "--cluster-enabled", "yes",
            "--cluster-port", str(self.bus_port),
            "--cluster-config-file", str(self.workdir / "nodes.conf"),
            "--cluster-node-timeout", "5000",
        ]  # fmt: skip

    def cluster_ok(self) -> bool:
        try:
            with redis.Redis(host=HOST, port=self.port, socket_timeout=1.0) as client:
                info = client.execute_command("CLUSTER INFO")
        except redis.RedisError:
            return False
        # redis-py parses the reply into a dict of strings.
        return bool(info.get("cluster_state") == "ok" and info.get("cluster_known_nodes") == "3")


class RedisClusterServer:
    """Three cluster-enabled nodes on free loopback ports, joined by ``redis-cli --cluster``.

    Persistence is off, so :meth:`close` (or a crash of the test run) leaves nothing
    behind but temp dirs, which :meth:`close` removes.
    """

    NODES = 3

    def __init__(self, binary: str | None = None) -> None:
        binary = binary or find_redis_server()
        self.cli = find_tool("redis-cli", "redis-tools")
        self.nodes = [RedisClusterNode(binary) for _ in range(self.NODES)]

    @property
    def url(self) -> str:
        """A seed node; the cluster client discovers the others (db 0 only on a cluster)."""
        return self.nodes[0].url

    @property
    def running(self) -> bool:
        return all(node.running for node in self.nodes)

    def start(self, timeout: float = 30.0) -> None:
        for node in self.nodes:
            node.start()
        addresses = [f"{HOST}:{node.port}" for node in self.nodes]
        created = subprocess.run(
            [self.cli, "--cluster", "create", *addresses, "--cluster-replicas", "0",
             "--cluster-yes"],
            capture_output=True,
            timeout=timeout,
        )  # fmt: skip
        if created.returncode != 0:
            output = (created.stdout + created.stderr).decode(errors="replace")
            self.close()
            raise ServerError(f"redis-cli --cluster create failed:\n{output[-2000:]}")
        # ``create`` returns once the slots are assigned; every node must also see the
        # others and report the cluster ok before a client can rely on its slot map.
        deadline = time.monotonic() + timeout
        while not all(node.cluster_ok() for node in self.nodes):
            if time.monotonic() > deadline:
                self.close()
                raise ServerError(f"redis cluster not ok within {timeout}s on {addresses}")
            time.sleep(0.05)

    def close(self) -> None:
        for node in self.nodes:
            node.close()

    def __enter__(self) -> RedisClusterServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
