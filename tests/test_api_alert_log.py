"""The alert log behind GET /v1/alerts, in memory and in a real Redis stream (one server
and a Redis Cluster)."""

from __future__ import annotations

import uuid

import pytest
import redis

from service.state.alert_log import AlertLog, AlertQuery, BadCursor, MemoryAlertLog, RedisAlertLog
from service.state.redis_client import connect

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)


@pytest.fixture(params=["memory", "redis", "cluster"])
def log(request: pytest.FixtureRequest) -> AlertLog:
    if request.param == "memory":
        return MemoryAlertLog(size=5)
    prefix = f"t{uuid.uuid4().hex[:6]}"
    if request.param == "cluster":
        url = request.getfixturevalue("redis_cluster_url")
        return RedisAlertLog(connect(url, cluster=True), prefix=prefix, size=5)
    client: redis.Redis = request.getfixturevalue("redis_client")
    return RedisAlertLog(client, prefix=prefix, size=5)


def alert(i: int, action: str) -> dict[str, object]:
    return {"alert_id": f"a{i}", "account_id": f"org_{i}", "action": action, "ts": 1000.0 + i}


def test_pages_newest_first_with_cursors_and_filters(log: AlertLog) -> None:
    log.append([alert(i, "block" if i % 2 else "review") for i in range(4)])
    log.append([alert(4, "block")])
    pages, cursor = [], None
    while True:
        page, cursor = log.page(AlertQuery(limit=2, cursor=cursor))
        pages.append([a["alert_id"] for a in page])
        if cursor is None:
            break
    assert pages == [["a4", "a3"], ["a2", "a1"], ["a0"]]
    blocks, more = log.page(AlertQuery(action="block", limit=10))
    assert [a["alert_id"] for a in blocks] == ["a4", "a3", "a1"] and more is None
    window, _ = log.page(AlertQuery(since=1001.0, until=1003.0))
    assert [a["alert_id"] for a in window] == ["a2", "a1"]


def test_capped_to_its_size(log: AlertLog) -> None:
    for start in range(0, 400, 100):
        log.append([alert(i, "block") for i in range(start, start + 100)])
    found, _ = log.page(AlertQuery(limit=500))
    # Redis trims approximately (whole stream nodes), never below the size asked for.
    assert 5 <= len(found) < 400
    assert found[0]["alert_id"] == "a399"


def test_foreign_cursor_is_refused(log: AlertLog) -> None:
    with pytest.raises(BadCursor):
        log.page(AlertQuery(cursor="'; DROP"))
