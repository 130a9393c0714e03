"""The streaming worker on a three-node Redis Cluster, against a single-server pass.

The real ``harvestguard worker`` process runs twice over one topic: once with
``HARVESTGUARD_REDIS_CLUSTER=true`` against the test cluster and once against
the single test server (another consumer group). Per-account state must be
identical, every event counted once, the harvester flagged, the link groups
and the alert log written across the cluster's nodes, and no prompt text kept.
A pipeline-level test then plays out a crash between two slot groups of a batch.
"""

from __future__ import annotations

import zlib

import orjson
import pytest
import redis
from redis.cluster import RedisCluster

from service.contract import parse_event
from service.features.observation import observe_events
from service.pipeline import Pipeline
from service.settings import Settings
from service.state.account import AccountState, Decision
from service.state.memory import MemoryStore
from service.state.redis_client import slot
from service.state.redis_store import RedisStore
from tests.factories import redis_contents, traffic
from tests.servers import read_topic
from tests.test_worker import CANARY
from tests.workers import (
    Topics,
    account_states,
    as_records,
    finish,
    produce,
    start_worker,
    worker_env,
)

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)


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
    assert {a["account_id"] for a in alerts} == {"org_harvest"}  # and no benign control
    assert redis_cluster_client.xlen("hgx:alerts") > 0

    # Link groups were exchanged slot by slot; accounts and groups sit on every node.
    assert any(True for _ in redis_cluster_client.scan_iter("hgx:l:*", count=1000))
    primaries = redis_cluster_client.get_primaries()
    assert all(redis_cluster_client.dbsize(target_nodes=node) > 0 for node in primaries)
    assert CANARY.encode() not in redis_contents(redis_cluster_client)
    assert CANARY not in log


def test_a_batch_cut_between_slots_and_delivered_again_counts_every_event_once(
    redis_cluster_url: str, redis_cluster_client: RedisCluster
) -> None:
    """The argument of redis_store.py, played out: a crash after some slot groups of a
    batch were written (not all) and the batch redelivered leaves each account exactly
    as one clean pass does."""
    events = [parse_event(orjson.dumps(e)) for e in traffic(seed=5, events=3000,
                                                              benign_accounts=60)]  # fmt: skip
    offsets: dict[int, int] = {}
    coordinates = []
    for e in events:
        partition = zlib.crc32(e.account_id.encode()) % 4
        offsets[partition] = offsets.get(partition, -1) + 1
        coordinates.append((partition, offsets[partition]))
    batches = []
    for i in range(0, len(events), 500):
        parts, offs = zip(*coordinates[i : i + 500], strict=True)
        batches.append(observe_events(events[i : i + 500], parts, offs))
    settings = Settings(_env_file=None, learn_interval_s=0)  # type: ignore[call-arg]

    clean = Pipeline(MemoryStore(), settings)
    for batch in batches:
        clean.commit(clean.process(batch))

    store = RedisStore(redis_cluster_url, cluster=True)
    first = Pipeline(store, settings)
    for batch in batches[:3]:
        first.commit(first.process(batch))
    cut = first.process(batches[3])
    written = {a: s for a, s in cut.states.items() if slot(store.state_key(a)) < 8192}
    assert 0 < len(written) < len(cut.states)
    store.save(written, {a: d for a, d in cut.decisions.items() if a in written})
    # The process dies; a new one gets the batch again (offsets were not committed).
    again = Pipeline(RedisStore(redis_cluster_url, cluster=True), settings)
    replayed = []
    for batch in batches[3:]:
        replayed.append(again.process(batch))
        again.commit(replayed[-1])
    assert replayed[0].redelivered > 0  # the written accounts skipped what they had

    def view(state: AccountState) -> tuple[object, ...]:
        return (state.windows, state.events, state.first_ts, state.recent_ids)

    accounts = {e.account_id for e in events}
    expected = clean.store.load(accounts)
    found = store.load(accounts)
    assert sum(s.events for s in found.values()) == len(events)
    assert {a: view(s) for a, s in found.items()} == {a: view(s) for a, s in expected.items()}
    store.close()
