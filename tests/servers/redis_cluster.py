"""A real Redis Cluster for the tests: three primaries, with or without replicas."""

from __future__ import annotations

import subprocess
import time

import redis
from redis.cluster import RedisCluster

from tests.servers.process import HOST, ServerError, find_tool, free_port
from tests.servers.redis_server import RedisServer, find_redis_server


class RedisClusterNode(RedisServer):
    """One cluster-enabled redis-server; its cluster bus gets a free port of its own.

    The default bus port is the client port + 10000, which may be taken or past 65535
    for a port the OS picked, so ``--cluster-port`` names one explicitly (Redis 7+).
    """

    name = "redis-node"

    def __init__(self, binary: str | None = None, node_timeout_ms: int = 5000) -> None:
        super().__init__(binary=binary)
        self.bus_port = free_port()
        self.node_timeout_ms = node_timeout_ms

    def _argv(self) -> list[str]:
        return [
            *super()._argv(),
            "--cluster-enabled", "yes",
            "--cluster-port", str(self.bus_port),
            "--cluster-config-file", str(self.workdir / "nodes.conf"),
            "--cluster-node-timeout", str(self.node_timeout_ms),
        ]  # fmt: skip

    def cluster_ok(self, nodes: int) -> bool:
        try:
            with redis.Redis(host=HOST, port=self.port, socket_timeout=1.0) as client:
                info = client.execute_command("CLUSTER INFO")
        except redis.RedisError:
            return False
        # redis-py parses the reply into a dict of strings.
        return bool(
            info.get("cluster_state") == "ok" and info.get("cluster_known_nodes") == str(nodes)
        )


class RedisClusterServer:
    """Three primaries (and ``replicas`` replicas of each) on free loopback ports, joined
    by ``redis-cli --cluster create``.

    Persistence is off, so :meth:`close` (or a crash of the test run) leaves nothing
    behind but temp dirs, which :meth:`close` removes. A node stopped and started again
    keeps its ``nodes.conf``, so it rejoins: a primary that was failed over comes back
    as a replica of the node that replaced it, and copies its data.
    """

    PRIMARIES = 3

    def __init__(
        self, binary: str | None = None, replicas: int = 0, node_timeout_ms: int = 5000
    ) -> None:
        binary = binary or find_redis_server()
        self.cli = find_tool("redis-cli", "redis-tools")
        self.replicas = replicas
        count = self.PRIMARIES * (1 + replicas)
        self.nodes = [RedisClusterNode(binary, node_timeout_ms) for _ in range(count)]

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
            [self.cli, "--cluster", "create", *addresses, "--cluster-replicas",
             str(self.replicas), "--cluster-yes"],
            capture_output=True,
            timeout=timeout,
        )  # fmt: skip
        if created.returncode != 0:
            output = (created.stdout + created.stderr).decode(errors="replace")
            self.close()
            raise ServerError(f"redis-cli --cluster create failed:\n{output[-2000:]}")
        # ``create`` returns once the slots are assigned; every node must also see the
        # others and report the cluster ok before a client can rely on its slot map.
        if not self.wait_ok(timeout):
            self.close()
            raise ServerError(f"redis cluster not ok within {timeout}s on {addresses}")

    def wait_ok(self, timeout: float) -> bool:
        """Whether, within ``timeout``, every running node sees all the others, the cluster
        is ok and every replica has synced with its primary."""
        deadline = time.monotonic() + timeout
        running = [node for node in self.nodes if node.running]
        while not all(n.cluster_ok(len(self.nodes)) and n.replica_in_sync() for n in running):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def shard_of(self, key: str) -> tuple[RedisClusterNode, RedisClusterNode]:
        """The primary serving ``key``'s slot and a replica of it (needs ``replicas``)."""
        with RedisCluster(host=HOST, port=self.nodes[0].port) as client:
            serving = client.nodes_manager.slots_cache[client.keyslot(key)][0]
        by_port = {node.port: node for node in self.nodes}
        primary = by_port[serving.port]
        with redis.Redis.from_url(primary.url) as client:
            replica = client.info("replication")["slave0"]  # parsed: {"ip", "port", ...}
        return primary, by_port[int(replica["port"])]

    def fail_over(self, key: str, timeout: float = 30.0) -> bool:
        """SIGKILL the primary of ``key``'s slot; True once its replica took over and the
        dead node, started again, rejoined as that replica's replica."""
        primary, replica = self.shard_of(key)
        primary.stop(hard=True)
        deadline = time.monotonic() + timeout
        while replica.role() != "master" and time.monotonic() < deadline:
            time.sleep(0.1)
        promoted = replica.role() == "master"
        primary.start()
        return self.wait_ok(timeout) and promoted

    def close(self) -> None:
        for node in self.nodes:
            node.close()

    def __enter__(self) -> RedisClusterServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
