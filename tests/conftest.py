"""Session-wide real servers for the test suite: redis-server and the Tansu Kafka broker.

Each server is started once per session on a free loopback port and stopped at the end
(also on failure: the fixtures' finalizers plus an atexit hook in ``tests/servers.py``);
under pytest-xdist (``tests/run.sh`` runs two workers) each worker has its own.
A missing binary makes the fixture FAIL with the reason; integration tests never skip.

Fixtures:

* ``redis_server`` -> :class:`tests.servers.RedisServer` (session)
* ``redis_url`` -> ``"redis://127.0.0.1:PORT/0"`` (session)
* ``redis_client`` -> ``redis.Redis`` on that server, FLUSHALLed before each test (function)
* ``redis_cluster`` -> :class:`tests.servers.RedisClusterServer` (session): three
  cluster-enabled redis-server nodes joined by ``redis-cli --cluster create``
* ``redis_cluster_url`` -> the URL of one of its nodes (session)
* ``redis_cluster_client`` -> ``redis.cluster.RedisCluster`` on it, every primary
  FLUSHALLed before each test (function)
* ``kafka_broker`` -> :class:`tests.servers.TansuBroker` (session, in-memory storage: fast,
  a restart loses everything)
* ``kafka_bootstrap`` -> ``"127.0.0.1:PORT"`` (session)
* ``durable_kafka_broker`` -> :class:`tests.servers.TansuBroker` with S3 storage (session):
  records, topics and committed offsets survive its ``restart()``; use it for fault tests
  that stop the broker mid-stream (restart it yourself; it is shared by the session).

Tests that restart a shared server must leave it running (``restart()`` does).

Every test file that starts a server carries ``pytestmark = pytest.mark.integration``, so
``pytest -m "not integration"`` is a unit run with no server; collection fails for a test
that asks for one of these fixtures without the marker.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import redis

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from redis.cluster import RedisCluster  # noqa: E402

from tests.servers import RedisClusterServer, RedisServer, ServerError, TansuBroker  # noqa: E402

S = TypeVar("S", RedisServer, RedisClusterServer, TansuBroker)
SERVER_FIXTURES = frozenset({
    "redis_server", "redis_url", "redis_client", "redis_cluster", "redis_cluster_url",
    "redis_cluster_client", "kafka_broker", "kafka_bootstrap", "durable_kafka_broker",
})  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    unmarked = [
        item.nodeid
        for item in items
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ()))
        and item.get_closest_marker("integration") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            "these tests start servers but lack the integration marker (add "
            "pytestmark = pytest.mark.integration to their file):\n  " + "\n  ".join(unmarked)
        )


def _started(make: Callable[[], S]) -> S:
    """Build and start a server, or FAIL the requesting test with the reason (never skip)."""
    server: S | None = None
    try:
        server = make()
        server.start()
        return server
    except ServerError as exc:
        reason = str(exc)
    if server is not None:
        server.close()
    pytest.fail(f"test server unavailable: {reason}", pytrace=False)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = _started(RedisServer)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    if not redis_server.running:  # a test stopped it and did not start it again
        redis_server.start()
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[RedisClusterServer]:
    cluster = _started(RedisClusterServer)
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(scope="session")
def redis_cluster_url(redis_cluster: RedisClusterServer) -> str:
    return redis_cluster.url


@pytest.fixture
def redis_cluster_client(redis_cluster: RedisClusterServer) -> Iterator[RedisCluster]:
    client = RedisCluster.from_url(redis_cluster.url)
    client.flushall()  # on every primary
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[TansuBroker]:
    broker = _started(lambda: TansuBroker(storage="memory"))
    try:
        yield broker
    finally:
        broker.close()


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_broker: TansuBroker) -> str:
    return kafka_broker.bootstrap


@pytest.fixture(scope="session")
def durable_kafka_broker() -> Iterator[TansuBroker]:
    broker = _started(lambda: TansuBroker(storage="s3"))
    try:
        yield broker
    finally:
        broker.close()
