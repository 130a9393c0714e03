"""One suite for every LinkStore: the embedded memory store and the real Redis one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.state.links import LinkStore, MemoryLinks, Report
from service.state.redis_links import RedisLinks

T = 1_795_874_400.0  # event time of the reports
CARD = "payment:00000000000000aa"
NET = "network:00000000000000bb"


@pytest.fixture(params=["memory", "redis"])
def links(request: pytest.FixtureRequest) -> Iterator[LinkStore]:
    if request.param == "memory":
        yield MemoryLinks(max_members=5)
        return
    request.getfixturevalue("redis_client")  # flushed, clean server
    store = RedisLinks(request.getfixturevalue("redis_url"), max_members=5, ttl_s=3600)
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


def test_reports_commute_across_writers(links: LinkStore, request: pytest.FixtureRequest) -> None:
    """Two workers reporting in either order leave the same group (the Redis case uses
    a second client, as a second worker process would)."""
    if isinstance(links, RedisLinks):
        other: LinkStore = RedisLinks(request.getfixturevalue("redis_url"), max_members=5)
    else:
        other = links
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
