"""One suite for every LinkStore: the embedded memory store and the real Redis one, on one
server and on a three-node Redis Cluster (where a batch's script runs once per slot)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.state.links import LinkStore, MemoryLinks, Report
from service.state.redis_links import RedisLinks

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)

T = 1_795_874_400.0  # event time of the reports
CARD = "payment:00000000000000aa"
NET = "network:00000000000000bb"


def second_writer(links: LinkStore) -> LinkStore:
    """Another worker's view of the same store: a second client for Redis, else itself."""
    if isinstance(links, RedisLinks):
        return RedisLinks(links.url, max_members=links.max_members, cluster=links.cluster)
    return links


@pytest.fixture(params=["memory", "redis", "cluster"])
def links(request: pytest.FixtureRequest) -> Iterator[LinkStore]:
    if request.param == "memory":
        yield MemoryLinks(max_members=5)
        return
    if request.param == "cluster":
        request.getfixturevalue("redis_cluster_client")  # flushed, clean cluster
        url, cluster = request.getfixturevalue("redis_cluster_url"), True
    else:
        request.getfixturevalue("redis_client")  # flushed, clean server
        url, cluster = request.getfixturevalue("redis_url"), False
    store = RedisLinks(url, max_members=5, ttl_s=3600, cluster=cluster)
    yield store
    store.close()


def profile(requests: float, trace: float = 0.0, new: float = 0.0) -> tuple[float, ...]:
    return (requests, trace, trace, 0.0, 0.0, new)


def test_a_group_sums_its_members(links: LinkStore) -> None:
    groups = links.exchange(
        {
            "org_a": Report((CARD, NET), profile(10, 4, 1)),
            "org_b": Report((CARD,), profile(30, 20, 1)),
        },
        T,
    )
    assert groups[CARD].members == 2
    assert groups[CARD].get("requests") == 40
    assert groups[CARD].get("trace_count") == 24
    assert groups[CARD].get("new_account") == 2
    assert groups[NET].members == 1 and groups[NET].get("requests") == 10
    assert links.members(CARD) == ["org_a", "org_b"]


def test_a_report_replaces_the_last_one_and_applying_it_twice_changes_nothing(
    links: LinkStore,
) -> None:
    links.exchange({"org_a": Report((CARD,), profile(10, 4))}, T)
    links.exchange({"org_a": Report((CARD,), profile(25, 9))}, T)
    again = links.exchange({"org_a": Report((CARD,), profile(25, 9))}, T)
    assert again[CARD].members == 1
    assert again[CARD].get("requests") == 25 and again[CARD].get("trace_count") == 9


def test_reports_commute_across_writers(links: LinkStore) -> None:
    """Two workers reporting in either order leave the same group (the Redis case uses
    a second client, as a second worker process would)."""
    other = second_writer(links)
    links.exchange({"org_a": Report((CARD,), profile(10, 1))}, T)
    other.exchange({"org_b": Report((CARD,), profile(5, 5))}, T)
    links.exchange({"org_a": Report((CARD,), profile(12, 2))}, T)
    other.exchange({"org_b": Report((CARD,), profile(7, 6))}, T)
    group = links.groups([CARD])[CARD]
    assert (group.members, group.get("requests"), group.get("trace_count")) == (2, 19, 8)
    other.close()


def test_a_value_shared_too_widely_becomes_common_and_forgets_its_members(
    links: LinkStore,
) -> None:
    for i in range(5):
        links.exchange({f"org_{i}": Report((NET,), profile(1))}, T)
    assert not links.groups([NET])[NET].common
    links.exchange({"org_5": Report((NET,), profile(1))}, T)
    group = links.groups([NET])[NET]
    assert group.common and group.members == 6
    assert links.members(NET) == []
    # Later reports leave a common value alone.
    links.exchange({"org_6": Report((NET,), profile(100, 100))}, T)
    assert links.groups([NET])[NET].common


def test_a_batch_over_many_values_equals_the_embedded_store(links: LinkStore) -> None:
    """Values fall in many slots (all three nodes on the cluster): one script per slot,
    the same groups as the embedded store, and the same again from a second writer."""
    values = [f"network:{i:016x}" for i in range(120)]
    reports = {
        f"org_{i}": Report((values[i % 120], values[(i * 7) % 120], CARD), profile(i, i % 3, 1))
        for i in range(300)
    }
    expected = MemoryLinks(max_members=5).exchange(reports, T)  # CARD becomes common
    found = links.exchange(reports, T)
    assert found.keys() == expected.keys()
    for value, group in expected.items():
        assert (found[value].members, found[value].common) == (group.members, group.common)
        assert found[value].sums == pytest.approx(group.sums), value
    # Applied again (a retried batch, another worker): nothing moves.
    assert second_writer(links).exchange(reports, T) == found
    assert links.groups(values) == {v: g for v, g in found.items() if v in values}


def test_unknown_values_are_left_out(links: LinkStore) -> None:
    assert links.groups(["payment:ffff"]) == {}


def test_a_model_is_first_seen_at_its_earliest_time_whatever_the_order(links: LinkStore) -> None:
    links.first_seen({"reasoner-2": 500.0, "chat": 100.0})
    seen = links.first_seen({"reasoner-2": 300.0, "chat": 200.0})
    assert seen == {"reasoner-2": 300.0, "chat": 100.0}
    assert links.first_seen({}) == seen


def test_values_nobody_reports_expire_and_reported_ones_stay() -> None:
    """In memory by event time (Redis keys carry a TTL renewed by each report)."""
    links = MemoryLinks(ttl_s=3600)
    links.exchange({"org_a": Report((CARD, NET), profile(10))}, T)
    links.exchange({"org_b": Report((CARD,), profile(5))}, T + 3000)
    assert links.expire(T + 3700) == 1  # NET, last reported at T
    assert set(links.groups([CARD, NET])) == {CARD} and len(links) == 1


def test_the_embedded_store_is_bounded_by_count_under_a_flood_of_new_values() -> None:
    links = MemoryLinks(max_values=100)
    for i in range(250):
        card = f"payment:{i:016x}"
        groups = links.exchange({f"org_{i}": Report((card, NET), profile(1))}, T + i)
        assert card in groups and NET in groups  # what a batch reports is what it reads back
        assert len(links) <= 100
    # The values reported least recently went first; the shared one, reported always, stayed.
    assert set(links.groups([f"payment:{i:016x}" for i in (0, 200, 249)])) == {
        f"payment:{i:016x}" for i in (200, 249)
    }
    assert links.groups([NET])[NET].members == 250
