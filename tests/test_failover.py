"""Redis failovers: a Redis Cluster's under the real worker (with ``WAIT``, no counted
event is lost), and Redis Sentinel's under the stores and the inline check.

Replication is asynchronous: a primary acknowledges a write before its replica
has it. The worker commits a batch's offsets once Redis has acknowledged its
state, so if the primary dies and a replica that missed the last batches takes
over, those events are counted nowhere and never delivered again. The test
makes the gap certain rather than a matter of microseconds: it stops the
replica (SIGSTOP, as a stalled VM would) and cuts its link, streams on, kills
the primary, resumes the replica and lets it fail over; the dead node then
rejoins as its replica. With ``HARVESTGUARD_REDIS_WAIT_REPLICAS=1`` the worker
holds the batch until a replica has it, and every event is counted once; with
0, the same failover loses events, which shows the test can fail.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from redis.cluster import RedisCluster

from service.state.account import AccountState, Decision
from service.state.base import StoreUnavailable
from service.state.factory import make_redis_store
from service.state.feedback import Override, RedisFeedback
from service.state.redis_store import RedisStore
from tests.factories import T0, traffic
from tests.servers import committed_offsets
from tests.servers.redis_cluster import RedisClusterServer
from tests.servers.redis_sentinel import MASTER_NAME, RedisSentinelGroup
from tests.test_api_cluster import PATH
from tests.test_api_support import FAST, api_client, api_settings
from tests.workers import Topics, account_states, as_records, produce, start_worker, worker_env

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)


def _counted(client: RedisCluster, prefix: str) -> Counter[str]:
    return Counter({account: state[1] for account, state in account_states(client, prefix).items()})


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.1)


@pytest.mark.parametrize("wait_replicas", [1, 0])
def test_a_failover_loses_no_counted_event_when_the_worker_waits_for_a_replica(
    kafka_bootstrap: str, tmp_path: Path, wait_replicas: int
) -> None:
    events = list(traffic(seed=11, events=4000, benign_accounts=60))
    expected = Counter(e["account_id"] for e in events)
    first, second = events[:2000], events[2000:]
    topics = Topics(kafka_bootstrap)
    with RedisClusterServer(replicas=1, node_timeout_ms=1000) as cluster:
        client = RedisCluster.from_url(cluster.url)
        env = worker_env(kafka_bootstrap, cluster.url, topics, "hgf")
        env.update(
            HARVESTGUARD_REDIS_CLUSTER="true",
            HARVESTGUARD_REDIS_WAIT_REPLICAS=str(wait_replicas),
            HARVESTGUARD_REDIS_WAIT_TIMEOUT_MS="300",
        )
        log_path = tmp_path / "worker.log"
        with log_path.open("wb") as log:
            worker = start_worker(env, idle_s=3600, log=log)
        try:
            produce(kafka_bootstrap, topics.requests, as_records(first))
            _wait(lambda: sum(_counted(client, "hgf").values()) == len(first), 60, "first half")

            primary, replica = cluster.shard_of("hgf:{org_harvest}:s")
            os.kill(replica.pid or 0, signal.SIGSTOP)
            # The replica's kernel would still take in the stream while it is stopped: cut
            # the link, so that what the primary writes from now on reaches no replica.
            with redis.Redis.from_url(primary.url) as to_primary:
                assert to_primary.client_kill_filter(_type="replica") == 1
            produce(kafka_bootstrap, topics.requests, as_records(second))
            _wait(lambda: sum(_counted(client, "hgf").values()) > len(first), 30, "writes")

            def all_committed() -> bool:
                offsets = committed_offsets(kafka_bootstrap, topics.group, topics.requests)
                return sum(offsets.values()) == len(events)

            if wait_replicas:
                time.sleep(2.0)  # batches held back: no replica acknowledges them
            else:
                _wait(all_committed, 60, "the stream written and committed, without WAIT")
            primary.stop(hard=True)
            os.kill(replica.pid or 0, signal.SIGCONT)
            _wait(lambda: replica.role() == "master", 30, "the replica to take over")
            primary.start()  # rejoins as the new primary's replica, so WAIT can succeed
            assert cluster.wait_ok(30), "the cluster did not settle after the failover"
            _wait(all_committed, 60, "the worker to commit the stream")
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(30)
        counted = _counted(RedisCluster.from_url(cluster.url), "hgf")
    lost = sum(max(n - counted[a], 0) for a, n in expected.items())
    double = sum(max(counted[a] - n, 0) for a, n in expected.items())
    print(f"wait_replicas={wait_replicas}: {lost} lost, {double} double-counted of {len(events)}")
    log_text = log_path.read_text(errors="replace")
    assert worker.returncode == 0, log_text[-3000:]
    assert double == 0
    if wait_replicas:
        assert "replicas within 300 ms" in log_text  # it did hold batches back
        assert lost == 0, log_text[-3000:]
    else:
        assert lost > 0  # the gap is real: committed, then lost with the primary


def test_waited_writes_of_state_and_feedback_are_routed_and_replicated_on_a_cluster() -> None:
    """The hand-run path (commands and WAIT down one connection per primary) on a cluster:
    a batch over every primary, and feedback's MULTI/EXEC on the overrides' slot."""
    with RedisClusterServer(replicas=1) as cluster:
        store = RedisStore(cluster.url, cluster=True, wait_replicas=1)
        feedback = RedisFeedback(store.client, "hg", store.wait)
        accounts = {f"org_{i}": AccountState() for i in range(40)}  # every primary gets some
        store.save(accounts, {})
        feedback.put("org_1", Override(dismissed=["a"]))  # MULTI/EXEC, then WAIT
        feedback.record("org_1", {"kind": "dismiss"})
        for key in ("hg:{org_1}:s", "hg:{org_2}:s", "hg:{org_3}:s", "hg:{org_1}:f"):
            _, replica = cluster.shard_of(key)
            with redis.Redis.from_url(replica.url) as on_replica:
                on_replica.execute_command("READONLY")
                assert on_replica.exists(key), key
        _, replica = cluster.shard_of("hg:overrides")
        with redis.Redis.from_url(replica.url) as on_replica:
            on_replica.execute_command("READONLY")
            assert on_replica.hexists("hg:overrides", "org_1")
        store.close()


def test_behind_sentinel_state_survives_a_failover_and_clients_follow_the_master() -> None:
    with RedisSentinelGroup(sentinel_password="sentinel-secret") as group:
        settings = api_settings(
            group.url,
            redis_sentinel_master=MASTER_NAME,
            redis_sentinel_password="sentinel-secret",
            redis_wait_replicas=1,
            **FAST,
        )
        store = make_redis_store(settings)
        prefix = settings.redis_prefix
        blocked = Decision("block", 0.99, ["completion_ratio_high"], T0)
        store.save({"org_a": AccountState()}, {"org_b": blocked})  # on the replica too

        assert group.fail_over(), "the sentinel did not fail over"  # the old one rejoined

        def saved() -> bool:
            try:
                store.save({"org_c": AccountState()}, {})
            except StoreUnavailable:  # connections to the dead primary, dropped one by one
                return False
            return True

        _wait(saved, 30, "a write through the new primary")
        assert store.load(["org_a", "org_c"]).keys() == {"org_a", "org_c"}
        with redis.Redis.from_url(group.current_primary().url) as new_primary:
            assert new_primary.exists(f"{prefix}:{{org_a}}:s", f"{prefix}:{{org_c}}:s") == 2
        with api_client(settings) as api:  # the check asks the sentinels for the master
            check = api.post(PATH, headers={"x-account-id": "org_b"})
            ready = api.get("/readyz").json()
        assert check.status_code == 403, check.text
        assert ready["checks"] == {"store": True}
        store.close()
