"""One suite for every FeatureStore: the embedded memory store and the real Redis store,
on one server, on one server with a replica it waits for (named directly and through
Redis Sentinel), and on a three-node Redis Cluster."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest
import redis
from redis.cluster import RedisCluster

from detectors.groups import PROFILE_FIELDS
from service.pipeline import Pipeline
from service.settings import Settings
from service.state.account import AccountState, Decision, FirstFlag, decode, encode
from service.state.base import FeatureStore, StoreUnavailable
from service.state.cached import CachedStore
from service.state.feedback import Override, RedisFeedback
from service.state.links import Contribution, Report
from service.state.memory import MemoryStore
from service.state.redis_client import Sentinels, slot
from service.state.redis_links import RedisLinks
from service.state.redis_store import RedisStore
from tests.factories import T0, event, observed, redis_contents, traffic
from tests.servers.redis_sentinel import MASTER_NAME, RedisSentinelGroup

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)


def busy_account(events: int = 3000) -> AccountState:
    """An active account with every window, sketch and field filled."""
    records = [
        event(
            event_id=f"e{i}",
            ts=T0 + i * 20.0,
            prompt=f"prompt {i}: explain your reasoning step by step",
            model=f"m{i % 3}",
            finish_reason="length",
            client_ip=f"10.1.{i % 40}.1",
            api_key_id=f"key-{i % 5}",
            payment_fingerprint="pm_busy",
            account_created=T0 - 86400,
        )
        for i in range(events)
    ]
    memory = MemoryStore()
    pipeline = Pipeline(memory, Settings(_env_file=None, learn_interval_s=0))  # type: ignore[call-arg]
    pipeline.commit(pipeline.process(observed(records, partition=3, first_offset=1_000_000)))
    state = memory.load(["org_1"])["org_1"]
    assert state.links and state.reports and state.windows.skeletons
    state.decision = Decision("throttle", 0.93, ["completion_ratio_high", "length_share_high"], T0)
    state.first_flag = FirstFlag(T0, "e17", 17, 0.85, ["completion_ratio_high"], None, "throttle")
    return state


@pytest.fixture(scope="module")
def sentinel_group() -> Iterator[RedisSentinelGroup]:
    """A primary, its replica, and a sentinel watching them."""
    with RedisSentinelGroup() as group:
        yield group


@pytest.fixture(
    params=["memory", "redis", "redis+cache", "redis+wait", "sentinel", "cluster", "cluster+cache"]
)
def store(request: pytest.FixtureRequest) -> Iterator[FeatureStore]:
    if request.param == "memory":
        yield MemoryStore()
        return
    if request.param in ("redis+wait", "sentinel"):  # a primary with a replica, waited for
        group = request.getfixturevalue("sentinel_group")
        if request.param == "sentinel":
            redis_store = RedisStore(group.url, wait_replicas=1, sentinel=Sentinels(MASTER_NAME))
        else:
            redis_store = RedisStore(group.primary.url, wait_replicas=1)
        redis_store.client.flushall()
        yield redis_store
        redis_store.close()
        return
    if request.param.startswith("cluster"):
        request.getfixturevalue("redis_cluster_client")  # flushed, clean cluster
        url, cluster = request.getfixturevalue("redis_cluster_url"), True
    else:
        request.getfixturevalue("redis_client")  # flushed, clean server
        url, cluster = request.getfixturevalue("redis_url"), False
    redis_store = RedisStore(url, ttl_s=3600, cluster=cluster)
    yield CachedStore(redis_store, 10) if request.param.endswith("+cache") else redis_store
    redis_store.close()


def test_saved_state_loads_back_equal(store: FeatureStore) -> None:
    state = busy_account()
    store.save({"org_1": state}, {})
    loaded = store.load(["org_1", "org_unknown"])
    assert set(loaded) == {"org_1"}
    assert encode(loaded["org_1"]) == encode(state)


def test_decisions_are_read_in_one_call(store: FeatureStore) -> None:
    assert store.decision("org_1") is None
    decision = Decision("block", 0.99, ["logprobs_share_high"], T0, "cluster-7")
    store.save({}, {"org_1": decision})
    assert store.decision("org_1") == decision


def test_a_batch_of_many_accounts_round_trips(store: FeatureStore) -> None:
    """On the cluster the accounts fall in many slots on every node: written by slot."""
    states = {f"org_{i}": AccountState(events=i + 1) for i in range(200)}
    decisions = {f"org_{i}": Decision("review", 0.8, ["x"], T0 + i) for i in range(0, 200, 3)}
    store.save(states, decisions)
    loaded = store.load([*states, "org_unknown"])
    assert {a: s.events for a, s in loaded.items()} == {a: s.events for a, s in states.items()}
    assert all(store.decision(a) == d for a, d in decisions.items())
    assert store.decision("org_1") is None


def test_load_of_nothing_is_empty(store: FeatureStore) -> None:
    assert store.load([]) == {}
    assert store.ping()


def test_rechecks_are_kept_per_partition_until_their_epoch_is_reached(
    store: FeatureStore,
) -> None:
    store.schedule({3: {"org_a": 105, "org_b": 110}, -1: {"org_c": 104}})
    store.schedule({3: {"org_b": 120}, 5: {}})  # org_b's moved; 5's were all dropped
    assert store.due([3, -1, 7], 104) == {-1: {"org_c": 104}}
    assert store.due([3], 119) == {3: {"org_a": 105}}
    store.done({3: 110})
    assert store.due([3, -1], 200) == {3: {"org_b": 120}, -1: {"org_c": 104}}
    store.done({3: 200, -1: 200})
    assert store.due([3, -1], 10**6) == {}
    store.done({})  # nothing reached: nothing to do


def test_codec_round_trip_keeps_every_field() -> None:
    state = busy_account(200)
    state.established = ["10:#", "10:grade_count:41"]
    again = decode(encode(state))
    assert again == state
    with pytest.raises(ValueError, match="format"):
        decode(b"\x09" + encode(state)[1:])


def test_redis_keys_share_the_account_slot_and_expire(
    redis_url: str, redis_client: redis.Redis
) -> None:
    store = RedisStore(redis_url, ttl_s=3600, decision_ttl_s=7200)
    store.save({"org_1": busy_account(10)}, {"org_1": Decision("review", 0.8, ["x"], T0)})
    keys = sorted(k.decode() for k in redis_client.keys("*"))
    assert keys == ["hg:{org_1}:d", "hg:{org_1}:s"]
    assert 3500 < redis_client.ttl("hg:{org_1}:s") <= 3600
    assert 7100 < redis_client.ttl("hg:{org_1}:d") <= 7200


def test_cluster_keeps_each_account_in_one_slot_and_spreads_accounts(
    redis_cluster_url: str, redis_cluster_client: RedisCluster
) -> None:
    store = RedisStore(redis_cluster_url, ttl_s=3600, decision_ttl_s=7200, cluster=True)
    accounts = [f"org_{i}" for i in range(60)]
    store.save(
        {a: busy_account(5) for a in accounts},
        {a: Decision("review", 0.8, ["x"], T0) for a in accounts},
    )
    keys = [k.decode() for k in redis_cluster_client.scan_iter("hg:*", count=1000)]
    assert len(keys) == 2 * len(accounts)
    for account in accounts:
        assert slot(store.state_key(account)) == slot(store.decision_key(account))
    assert 3500 < redis_cluster_client.ttl("hg:{org_7}:s") <= 3600
    assert 7100 < redis_cluster_client.ttl("hg:{org_7}:d") <= 7200
    # The batch reached every node, so it really crossed slots and nodes.
    primaries = redis_cluster_client.get_primaries()
    per_node = [redis_cluster_client.dbsize(target_nodes=node) for node in primaries]
    assert len(per_node) == 3 and all(count > 0 for count in per_node), per_node
    store.close()


def test_a_cluster_client_starts_from_any_node_its_url_names(
    redis_cluster_url: str, redis_cluster_client: RedisCluster
) -> None:
    # redis-py tries the URL's first node last: a dead node is met first either way.
    seeds = f"redis://127.0.0.1:1/0,127.0.0.1:2,{redis_cluster_url}"  # bare host:port too
    store = RedisStore(seeds, cluster=True, timeout_s=0.5)
    store.save({"org_1": AccountState()}, {})
    assert store.load(["org_1"]).keys() == {"org_1"}
    assert redis_cluster_client.exists("hg:{org_1}:s")
    store.close()


def test_a_lost_script_is_loaded_again(
    redis_cluster_url: str, redis_cluster_client: RedisCluster
) -> None:
    """A node that restarted or failed over has no scripts: NOSCRIPT loads and retries."""
    store = RedisStore(redis_cluster_url, cluster=True)
    store.save({"org_1": AccountState(events=1)}, {})
    redis_cluster_client.script_flush()  # on every primary
    store.save({f"org_{i}": AccountState(events=2) for i in range(20)}, {})
    assert store.load(["org_1"])["org_1"].events == 2
    store.close()


def test_an_unreachable_cluster_raises_store_unavailable() -> None:
    """Built while the cluster is down (a process starting during an outage), it fails
    per call like a single server, and does not refuse to be built."""
    store = RedisStore("redis://127.0.0.1:1/0", timeout_s=0.2, cluster=True)
    with pytest.raises(StoreUnavailable):
        store.load(["org_1"])
    with pytest.raises(StoreUnavailable):
        store.save({"org_1": AccountState()}, {})
    assert not store.ping()


def test_redis_memory_per_active_account_is_a_few_kilobytes(
    redis_url: str, redis_client: redis.Redis
) -> None:
    store = RedisStore(redis_url)
    store.save({"org_1": busy_account()}, {"org_1": Decision("review", 0.8, ["a", "b"], T0)})
    used = sum(redis_client.memory_usage(k) or 0 for k in redis_client.keys("*"))
    assert used <= 4096, used


def test_an_unreachable_redis_raises_store_unavailable() -> None:
    store = RedisStore("redis://127.0.0.1:1/0", timeout_s=0.2)
    with pytest.raises(StoreUnavailable):
        store.load(["org_1"])
    with pytest.raises(StoreUnavailable):
        store.save({"org_1": AccountState()}, {})
    assert not store.ping()


def test_writes_return_once_the_replica_holds_them_and_fail_while_none_does(
    sentinel_group: RedisSentinelGroup,
) -> None:
    """Account state and analysts' feedback, with ``HARVESTGUARD_REDIS_WAIT_REPLICAS=1``."""
    primary, replica = sentinel_group.primary, sentinel_group.replica
    assert replica is not None
    store = RedisStore(primary.url, wait_replicas=1, wait_timeout_ms=200)
    feedback = RedisFeedback(store.client, "hg", store.wait)
    store.client.flushall()
    store.save({"org_1": busy_account(50)}, {"org_1": Decision("review", 0.8, ["a"], T0)})
    feedback.put("org_1", Override(dismissed=["a"]))
    feedback.record("org_1", {"kind": "dismiss"})
    with redis.Redis.from_url(replica.url) as on_replica:  # at once: no waiting here
        assert on_replica.exists("hg:{org_1}:s", "hg:{org_1}:d", "hg:{org_1}:f") == 3
        assert on_replica.hexists("hg:overrides", "org_1")
        generation = store.client.get("{hg:overrides}:gen")  # a random token
        assert generation and on_replica.get("{hg:overrides}:gen") == generation
    # A stalled replica (its link up, its kernel taking the stream in): no acknowledgement.
    os.kill(replica.pid or 0, signal.SIGSTOP)
    try:
        with pytest.raises(StoreUnavailable, match=r"0 of 1 replicas.*REDIS_WAIT_REPLICAS"):
            store.save({"org_2": AccountState()}, {})
    finally:
        os.kill(replica.pid or 0, signal.SIGCONT)
    replica.stop()
    try:
        with pytest.raises(StoreUnavailable, match=r"0 of 1 replicas"):
            feedback.put("org_2", Override(allowlisted=True))
    finally:
        replica.start()
    deadline = time.monotonic() + 20
    while True:  # the same batch again: it goes through once the replica has synced and acked
        try:
            store.save({"org_2": AccountState()}, {})
            break
        except StoreUnavailable:
            assert time.monotonic() < deadline, "no write went through after the replica's return"
            time.sleep(0.2)
    assert store.load(["org_2"]).keys() == {"org_2"}
    # A command that fails inside MULTI/EXEC fails the write (EXEC does not raise it).
    store.client.set("hg:overrides", b"not a hash")
    with pytest.raises(StoreUnavailable, match="WRONGTYPE"):
        feedback.put("org_3", Override(allowlisted=True))
    store.close()


def test_memory_store_expires_idle_accounts_in_event_time() -> None:
    store = MemoryStore(ttl_s=3600)
    old, fresh = AccountState(), AccountState()
    old.windows.last_ts, fresh.windows.last_ts = T0, T0 + 3000
    store.save({"old": old, "fresh": fresh}, {"old": Decision("review")})
    assert store.expire(T0 + 4000) == 1
    assert set(store.load(["old", "fresh"])) == {"fresh"}
    assert store.decision("old") is None


def test_memory_store_is_bounded_by_count_under_a_flood_of_new_accounts() -> None:
    store = MemoryStore(ttl_s=86400, max_accounts=100)
    for batch in range(5):
        states = {}
        for i in range(batch * 40, batch * 40 + 40):
            states[f"org_{i}"] = AccountState()
            states[f"org_{i}"].windows.last_ts = T0 + i
        decisions = {"org_3": Decision("block")} if batch == 0 else {}
        decisions |= {"org_4": Decision()} if batch == 0 else {}
        store.save(states, decisions)
        assert len(store) <= 100
    # The least recently active went first; the newest are all there.
    assert set(store.load(f"org_{i}" for i in range(160, 200))) == {
        f"org_{i}" for i in range(160, 200)
    }
    assert store.load(["org_0", "org_3"]) == {}
    # A flag outlives its account's windows; an allow does not.
    assert store.decision("org_3") == Decision("block")
    assert store.decision("org_4") is None


def test_cache_is_bounded_and_forgets_on_demand(redis_url: str, redis_client: redis.Redis) -> None:
    cached = CachedStore(RedisStore(redis_url), max_accounts=2)
    cached.save({f"org_{i}": AccountState(events=i) for i in range(5)}, {})
    assert len(cached) == 2
    assert cached.load(["org_0"])["org_0"].events == 0  # evicted, read back from Redis
    cached.forget_all()
    assert len(cached) == 0


def test_no_prompt_text_reaches_the_store(redis_url: str, redis_client: redis.Redis) -> None:
    store = RedisStore(redis_url)
    links = RedisLinks(redis_url)
    pipeline = Pipeline(store, Settings(learn_interval_s=0), links=links)
    canary = "CANARY-7f3a9"
    pipeline.commit(pipeline.process(observed(list(traffic(events=1500, canary=canary)))))
    links.groups(["payment:00"], 10**9)  # fold every contribution in
    assert redis_client.dbsize() > 0
    assert canary.encode() not in redis_contents(redis_client)


def test_a_moved_slot_is_followed(
    redis_cluster_url: str, redis_cluster_client: RedisCluster
) -> None:
    """Slots move (resharding, failover): a write routed by a stale slot map meets MOVED
    and is retried where the slot lives now, for account state and link groups alike."""
    store = RedisStore(redis_cluster_url, cluster=True)
    links = RedisLinks(redis_cluster_url, cluster=True)
    profile = (1.0,) * len(PROFILE_FIELDS)
    store.save({"org_warm": AccountState(events=1)}, {})  # the client now has a slot map
    links.contribute(5, Contribution({"org_warm": Report(("payment:0a",), profile)}, {}, ()))
    links.groups(["payment:0a"], 5)
    moved_account, moved_value = "org_moved", "payment:0b"
    for number in {slot(store.state_key(moved_account)), slot(links._keys(moved_value)[0])}:
        move_slot(redis_cluster_client, number)
    store.save({moved_account: AccountState(events=7)}, {moved_account: Decision("review")})
    triple = tuple(3.0 * v for v in profile)
    links.contribute(6, Contribution({moved_account: Report((moved_value,), triple)}, {}, ()))
    groups = links.groups([moved_value], 6)
    assert store.load([moved_account])[moved_account].events == 7
    assert store.decision(moved_account) == Decision("review")
    assert groups[moved_value].members == 1 and groups[moved_value].get("requests") == 3.0
    store.close()
    links.close()


def move_slot(client: RedisCluster, number: int) -> None:
    """Move an empty slot to the next primary, the way resharding does (IMPORTING and
    MIGRATING, then NODE on every primary, the new owner first)."""
    primaries = client.get_primaries()
    owner = client.nodes_manager.get_node_from_slot(number)
    target = primaries[(primaries.index(owner) + 1) % len(primaries)]
    ids = {
        node.name: client.execute_command("CLUSTER MYID", target_nodes=node) for node in primaries
    }
    ids = {
        name: value.decode() if isinstance(value, bytes) else value for name, value in ids.items()
    }
    assert client.execute_command("CLUSTER COUNTKEYSINSLOT", number, target_nodes=owner) == 0
    client.execute_command(
        "CLUSTER SETSLOT", number, "IMPORTING", ids[owner.name], target_nodes=target
    )
    client.execute_command(
        "CLUSTER SETSLOT", number, "MIGRATING", ids[target.name], target_nodes=owner
    )
    for node in [target, owner, *(n for n in primaries if n not in (target, owner))]:
        client.execute_command(
            "CLUSTER SETSLOT", number, "NODE", ids[target.name], target_nodes=node
        )
