"""One suite for every LinkStore: the embedded memory store and the real Redis one, on one
server and on a three-node Redis Cluster (where a read's script runs once per slot).

What every implementation must do: contributions are stamped with an epoch and read as of
an epoch, reports replace a member's earlier ones, the same contribution written twice
changes nothing, writers may come in any order, reports expire ``ttl`` epochs after they
were made, and a value shared too widely keeps only its member count."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest

from detectors.groups import FIELD, PROFILE_FIELDS
from service.state.links import (
    CHANGES_KEPT,
    LATEST,
    Contribution,
    LinkStore,
    MemoryLinks,
    Report,
)
from service.state.redis_links import EpochMismatch, RedisLinks

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)

CARD = "payment:00000000000000aa"
NET = "network:00000000000000bb"
TTL = 30  # epochs


def second_writer(links: LinkStore) -> LinkStore:
    """Another worker's view of the same store: a second client for Redis, else itself."""
    if isinstance(links, RedisLinks):
        return RedisLinks(links.url, max_members=links.max_members, ttl_epochs=links.ttl_epochs,
                          cluster=links.cluster)  # fmt: skip
    return links


@pytest.fixture(params=["memory", "redis", "cluster"])
def links(request: pytest.FixtureRequest) -> Iterator[LinkStore]:
    if request.param == "memory":
        yield MemoryLinks(max_members=5, ttl_epochs=TTL)
        return
    if request.param == "cluster":
        request.getfixturevalue("redis_cluster_client")  # flushed, clean cluster
        url, cluster = request.getfixturevalue("redis_cluster_url"), True
    else:
        request.getfixturevalue("redis_client")  # flushed, clean server
        url, cluster = request.getfixturevalue("redis_url"), False
    store = RedisLinks(url, max_members=5, ttl_epochs=TTL, cluster=cluster)
    yield store
    store.close()


def profile(requests: float, harvest: float = 0.0, young: float = 0.0) -> tuple[float, ...]:
    values = dict.fromkeys(PROFILE_FIELDS, 0.0)
    pace = math.log1p(requests / 6)
    values.update(accounts=1.0, requests=requests, pace=pace, pace_sq=pace**2,
                  harvest=harvest, young=young)  # fmt: skip
    return tuple(values[f] for f in PROFILE_FIELDS)


def reports(**by_account: Report) -> Contribution:
    return Contribution(by_account, {}, ())


def test_a_group_sums_its_members_as_of_an_epoch(links: LinkStore) -> None:
    links.contribute(10, reports(org_a=Report((CARD, NET), profile(10, 4, 1))))
    links.contribute(10, reports(org_b=Report((CARD,), profile(30, 20, 1))))
    links.contribute(11, reports(org_c=Report((CARD,), profile(5.55))))
    assert links.groups([CARD], 9) == {}  # nothing before epoch 10
    groups = links.groups([CARD, NET], 10)
    card = groups[CARD]
    assert card.members == 2
    assert card.get("requests") == 40 and card.get("harvest") == 24 and card.get("young") == 2
    assert card.get("pace_sq") == pytest.approx(
        math.log1p(10 / 6) ** 2 + math.log1p(30 / 6) ** 2, abs=0.01
    )
    assert groups[NET].members == 1 and groups[NET].get("requests") == 10
    later = links.groups([CARD], 11)[CARD]
    assert later.members == 3 and later.get("requests") == pytest.approx(45.55)
    assert links.members(CARD) == ["org_a", "org_b", "org_c"]


def test_a_report_replaces_the_members_earlier_one(links: LinkStore) -> None:
    links.contribute(10, reports(org_a=Report((CARD,), profile(10, 4))))
    links.contribute(12, reports(org_a=Report((CARD,), profile(25, 9))))
    # Read as of 11, the later report is not there yet; as of 12 it replaced the first.
    assert links.groups([CARD], 11)[CARD].get("requests") == 10
    card = links.groups([CARD], 12)[CARD]
    assert card.members == 1 and card.get("requests") == 25 and card.get("harvest") == 9


def test_the_last_report_of_an_epoch_wins_and_a_repeat_changes_nothing(links: LinkStore) -> None:
    links.contribute(10, reports(org_a=Report((CARD,), profile(10))))
    links.contribute(10, reports(org_a=Report((CARD,), profile(12))))
    links.contribute(10, reports(org_a=Report((CARD,), profile(12))))  # a redelivered batch
    assert links.groups([CARD], 10)[CARD].get("requests") == 12
    links.contribute(11, reports(org_b=Report((CARD,), profile(3))))
    links.contribute(11, reports(org_b=Report((CARD,), profile(3))))
    card = links.groups([CARD], 11)[CARD]
    assert card.members == 2 and card.get("requests") == 15


def test_a_value_dropped_later_in_the_epoch_loses_the_epochs_report(links: LinkStore) -> None:
    # The epoch cut across two batches: the account first reported under the card and the
    # network, then (its traffic moved) under the card only, withdrawing the first.
    links.contribute(10, reports(org_a=Report((CARD, NET), profile(3))))
    links.contribute(10, reports(org_a=Report((CARD,), profile(5), dropped=(NET,))))
    groups = links.groups([CARD, NET], 10)
    assert groups[CARD].get("requests") == 5 and NET not in groups


def test_writers_in_any_order_give_the_same_groups(links: LinkStore) -> None:
    other = second_writer(links)
    first = {f"org_{i}": Report((CARD,), profile(i + 0.37, i / 3)) for i in range(4)}
    for account in reversed(first):
        (links if account in ("org_1", "org_3") else other).contribute(
            20, reports(**{account: first[account]})
        )
    card = other.groups([CARD], 20)[CARD]
    assert card.members == 4
    assert card.get("requests") == pytest.approx(sum(i + 0.37 for i in range(4)))
    assert card.get("harvest") == pytest.approx(sum(round(i / 3, 2) for i in range(4)))


def test_reports_expire_ttl_epochs_after_they_were_made(links: LinkStore) -> None:
    links.contribute(100, reports(org_a=Report((CARD,), profile(10))))
    links.contribute(120, reports(org_b=Report((CARD,), profile(5))))
    assert links.groups([CARD], 100 + TTL - 1)[CARD].members == 2
    card = links.groups([CARD], 100 + TTL)[CARD]
    assert card.members == 1 and card.get("requests") == 5
    assert links.members(CARD) == ["org_b"]
    # A member that reports again stays.
    links.contribute(140, reports(org_b=Report((CARD,), profile(6))))
    assert links.groups([CARD], 120 + TTL)[CARD].get("requests") == 6
    assert links.groups([CARD], 140 + TTL) == {}


def test_a_value_shared_too_widely_keeps_only_its_member_count(links: LinkStore) -> None:
    links.contribute(5, reports(**{f"org_{i}": Report((NET,), profile(1)) for i in range(7)}))
    group = links.groups([NET], 5)[NET]
    assert group.common and group.members >= 6
    assert group.get("requests") == 0 and links.members(NET) == []


def test_baseline_samples_merge_by_epoch_and_replace_within_one(links: LinkStore) -> None:
    links.contribute(7, Contribution({}, {"a": {"1:x:3": 1, "1:#": 1}}, ()))
    links.contribute(7, Contribution({}, {"a": {"1:x:4": 1, "1:#": 1}}, ()))  # replaces a's
    links.contribute(8, Contribution({}, {"b": {"1:x:4": 1, "1:#": 1}}, ()))
    assert links.histograms(6).cells == {}
    assert links.histograms(7).cells == {"1:x:4": 1, "1:#": 1}
    assert links.histograms(8).cells == {"1:x:4": 2, "1:#": 2}
    assert links.histograms(9).cells == {"1:x:4": 2, "1:#": 2}  # folded once, not again


def test_a_latest_sample_replaces_the_accounts_last_one_counted(links: LinkStore) -> None:
    """The established tier holds an account once: the store keeps what it counted of the
    account's latest sample and replaces it with the next, so that a sample too late to
    count, or one sent again by an account whose state expired, leaves no trace."""
    a, b = f"org_a{LATEST}", f"org_b{LATEST}"

    def nonzero(cells: dict[str, int]) -> dict[str, int]:
        return {cell: n for cell, n in cells.items() if n}

    links.contribute(7, Contribution({}, {a: {"10:x:3": 1, "10:#": 1}}, ()))
    links.contribute(8, Contribution({}, {b: {"10:x:3": 1, "10:#": 1}}, ()))
    links.contribute(9, Contribution({}, {a: {"10:x:5": 1, "10:#": 1}}, ()))
    assert nonzero(links.histograms(8).cells) == {"10:x:3": 2, "10:#": 2}
    assert nonzero(links.histograms(9).cells) == {"10:x:3": 1, "10:x:5": 1, "10:#": 2}
    assert nonzero(links.histograms(9, since=8).cells) == {"10:x:3": -1, "10:x:5": 1}
    # Written to an epoch already read: not counted, and what the store holds stays whole.
    links.contribute(9, Contribution({}, {a: {"10:x:7": 1, "10:#": 1}}, ()))
    links.contribute(10, Contribution({}, {a: {"10:x:6": 1, "10:#": 1}}, ()))
    assert nonzero(links.histograms(10).cells) == {"10:x:3": 1, "10:x:6": 1, "10:#": 2}
    # Sent again as it stands (its own state lost): nothing moves.
    links.contribute(11, Contribution({}, {a: {"10:x:6": 1, "10:#": 1}}, ()))
    assert nonzero(links.histograms(11).cells) == {"10:x:3": 1, "10:x:6": 1, "10:#": 2}
    assert nonzero(links.histograms(11, since=10).cells) == {}


def test_a_reader_holding_an_epoch_reads_only_what_changed_after_it(links: LinkStore) -> None:
    other = second_writer(links)
    links.contribute(7, Contribution({}, {"a": {"1:x:3": 1, "1:#": 1}}, ()))
    whole = links.histograms(7)
    assert whole == ({"1:x:3": 1, "1:#": 1}, 7, True)
    other.contribute(8, Contribution({}, {"b": {"1:x:4": 1, "1:#": 1}}, ()))
    links.contribute(9, Contribution({}, {"c": {"1:x:4": 1, "1:#": 1}}, ()))
    other.histograms(8)  # another worker folds epoch 8 first: its changes are kept for all
    assert links.histograms(9, since=7) == ({"1:x:4": 2, "1:#": 2}, 9, False)
    assert links.histograms(9, since=9) == ({}, 9, False)
    assert links.histograms(9).cells == {"1:x:3": 1, "1:x:4": 2, "1:#": 3}
    # A reader further behind than the changes are kept for reads the whole histogram.
    far = 9 + CHANGES_KEPT + 1
    links.contribute(far, Contribution({}, {"d": {"1:x:5": 1, "1:#": 1}}, ()))
    assert links.histograms(far, since=9) == ({"1:x:3": 1, "1:x:4": 2, "1:x:5": 1, "1:#": 4},
                                              far, True)  # fmt: skip


def test_a_batch_written_again_after_its_epoch_was_read_changes_nothing(
    links: LinkStore,
) -> None:
    # A worker wrote epochs 10 and 11, epoch 11 read 10, then the batch failed before its
    # state was saved and is processed again: epoch 10's contributions are written again.
    epoch_10 = Contribution(
        {"org_a": Report((CARD,), profile(10))}, {"org_a": {"1:x:3": 1, "1:#": 1}}, ()
    )
    links.contribute(10, epoch_10)
    links.contribute(11, reports(org_a=Report((CARD,), profile(14))))
    assert links.histograms(10).cells == {"1:x:3": 1, "1:#": 1}
    assert links.groups([CARD], 11)[CARD].get("requests") == 14
    links.contribute(10, epoch_10)
    links.contribute(11, reports(org_a=Report((CARD,), profile(14))))
    assert links.groups([CARD], 11)[CARD].get("requests") == 14  # not back to 10
    assert links.histograms(11).cells == {"1:x:3": 1, "1:#": 1}  # counted once


def test_a_model_is_first_seen_in_its_earliest_epoch(links: LinkStore) -> None:
    links.contribute(30, Contribution({}, {}, ["chat-large"]))
    links.contribute(25, Contribution({}, {}, ["chat-large", "reasoner-2"]))
    links.contribute(40, Contribution({}, {}, ["reasoner-3"]))
    assert links.models(26) == {"chat-large": 25, "reasoner-2": 25}
    assert links.models(40) == {"chat-large": 25, "reasoner-2": 25, "reasoner-3": 40}


def test_profile_fields_are_what_the_detectors_read() -> None:
    assert FIELD["accounts"] == 0 and len(FIELD) == len(PROFILE_FIELDS)


def test_redis_link_keys_outlive_their_newest_report(redis_url: str, redis_client: Any) -> None:
    """Expiry is set once an hour of epochs per value, with an hour's margin to cover it."""
    links = RedisLinks(redis_url, ttl_epochs=TTL)
    links.contribute(10, reports(org_a=Report((CARD,), profile(1))))
    key, pending = f"hg:l:{{{CARD}}}", f"hg:l:{{{CARD}}}:p"
    for name in (key, pending):
        assert TTL * 60 < redis_client.ttl(name) <= TTL * 60 + 3600
    redis_client.persist(key)
    links.contribute(11, reports(org_b=Report((CARD,), profile(1))))
    assert redis_client.ttl(key) == -1  # not set again within the hour
    links.contribute(70, reports(org_b=Report((CARD,), profile(1))))
    assert redis_client.ttl(key) > TTL * 60
    links.close()


def test_redis_links_refuse_epochs_of_another_length(redis_url: str, redis_client: Any) -> None:
    RedisLinks(redis_url, ttl_epochs=TTL).contribute(10, reports(org_a=Report((CARD,), profile(1))))
    longer = RedisLinks(redis_url, ttl_epochs=TTL, epoch_s=300)
    with pytest.raises(EpochMismatch, match=r"HARVESTGUARD_EPOCH_S is 300 but .* 60-second"):
        longer.contribute(2, reports(org_b=Report((CARD,), profile(1))))
    assert redis_client.hget(f"hg:l:{{{CARD}}}", "p:2:org_b") is None  # nothing written
