"""The streaming worker on a three-node Redis Cluster, against a single-server pass.

The real ``harvestguard worker`` process runs twice over one topic: once with
``HARVESTGUARD_REDIS_CLUSTER=true`` against the test cluster and once against
the single test server (another consumer group). Per-account state must be
identical, every event counted once, the harvester flagged, the link groups
and the alert log written across the cluster's nodes, and no prompt text kept.
"""

from __future__ import annotations

import orjson
import redis
from redis.cluster import RedisCluster

from service.state.account import Decision
from tests.factories import redis_contents, traffic
from tests.servers import read_topic
from tests.test_worker import (
    CANARY,
    Topics,
    account_states,
    as_records,
    finish,
    produce,
    start_worker,
    worker_env,
)


def test_worker_on_a_cluster_keeps_the_same_state_as_on_one_server(
    kafka_bootstrap: str,
    redis_url: str,
    redis_client: redis.Redis,
    redis_cluster_url: str,
    redis_cluster_client: RedisCluster,
) -> None:
    topics = Topics(kafka_bootstrap)
    events = list(traffic(seed=3, events=6000, benign_accounts=80, canary=CANARY))
    produce(kafka_bootstrap, topics.requests, as_records(events))

    env = worker_env(kafka_bootstrap, redis_cluster_url, topics, "hgx")
    env["HARVESTGUARD_REDIS_CLUSTER"] = "true"
    single = worker_env(kafka_bootstrap, redis_url, topics, "hgx", group=topics.group + "-1")
    # Side by side (two consumer groups): the suite waits for one group join, not two.
    clustered, alone = start_worker(env, idle_s=4), start_worker(single, idle_s=4)
    log = finish(clustered)
    finish(alone)

    on_cluster = account_states(redis_cluster_client, "hgx")
    on_server = account_states(redis_client, "hgx")
    assert sum(n for _, n, _, _ in on_cluster.values()) == len(events)
    assert on_cluster.keys() == on_server.keys()
    for account, state in on_server.items():
        assert on_cluster[account] == state, account

    raw = redis_cluster_client.get("hgx:{org_harvest}:d")
    assert raw is not None, log
    assert Decision.from_json(raw).action in {"review", "throttle", "block"}
    alerts = [orjson.loads(v or b"") for *_, v in read_topic(kafka_bootstrap, topics.alerts)]
    assert any(a["account_id"] == "org_harvest" for a in alerts)
    assert redis_cluster_client.xlen("hgx:alerts") > 0

    # Link groups were exchanged slot by slot; accounts and groups sit on every node.
    assert any(True for _ in redis_cluster_client.scan_iter("hgx:l:*", count=1000))
    primaries = redis_cluster_client.get_primaries()
    assert all(redis_cluster_client.dbsize(target_nodes=node) > 0 for node in primaries)
    assert CANARY.encode() not in redis_contents(redis_cluster_client)
    assert CANARY not in log
