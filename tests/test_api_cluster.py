"""The sidecar API on a three-node Redis Cluster: check, feedback, keys, push, alerts, views.

One walk through everything the API stores, so that every key it touches is
exercised where the keys of one request fall in different slots and nodes.
"""

from __future__ import annotations

from typing import Any

import pytest
from redis.cluster import RedisCluster

from service.state.account import Decision
from tests.factories import T0, event, traffic
from tests.test_api_support import AUTH, FAST, all_alerts, api_client, api_settings, push

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)

PATH = "/v1/check/v1/chat/completions"


def give(api: Any, account: str, kind: str) -> dict[str, Any]:
    response = api.post(
        f"/v1/accounts/{account}/feedback",
        json={"kind": kind, "by": "ana@example.com", "note": ""},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_api_works_on_a_cluster(
    redis_cluster_url: str, redis_cluster_client: RedisCluster
) -> None:
    seeds = f"redis://127.0.0.1:1/0,{redis_cluster_url}"  # one seed down: start from the other
    settings = api_settings(seeds, redis_cluster=True, check_key_header="x-key", **FAST)
    prefix = settings.redis_prefix
    blocked = Decision("block", 0.99, ["completion_ratio_high"], T0)
    redis_cluster_client.set(f"{prefix}:{{org_b}}:d", blocked.to_json())
    card = [
        event(event_id=f"c{i}", ts=T0 + i, account_id=f"org_card_{i % 4}",
              payment_fingerprint="pm_shared", prompt=f"question {i}")
        for i in range(80)
    ]  # fmt: skip
    with api_client(settings) as api:

        def status(**headers: str) -> int:
            return int(api.post(PATH, headers=headers).status_code)

        ready = api.get("/readyz").json()
        first = status(**{"x-account-id": "org_b"})
        give(api, "org_b", "dismiss")
        after_dismiss = status(**{"x-account-id": "org_b"})
        give(api, "org_b", "confirm")
        after_confirm = status(**{"x-account-id": "org_b"})
        assert api.put("/v1/keys/kh_1", json={"account_id": "org_b"}, headers=AUTH).is_success
        by_key = status(**{"x-key": "kh_1"})
        reports = push(api, list(traffic(events=6000)) + card)
        alerts = all_alerts(api)
        view = api.get("/v1/accounts/org_card_0", headers=AUTH).json()
        history = api.get("/v1/accounts/org_b", headers=AUTH).json()["feedback"]
    assert ready["checks"] == {"store": True}
    assert (first, after_dismiss, after_confirm, by_key) == (403, 200, 403, 403)
    assert [f["kind"] for f in history] == ["confirm", "dismiss"]
    assert sum(r["applied"] for r in reports) == 6080
    assert any(a["account_id"] == "org_harvest" and a["action"] != "allow" for a in alerts)
    chat = {f"org_{i}" for i in range(40)}  # traffic()'s benign controls: none alerted
    assert not chat & {a["account_id"] for a in alerts}
    assert redis_cluster_client.xlen(f"{prefix}:alerts") == len(alerts)
    shared = [link for link in view["linked"] if link["kind"] == "payment"]
    assert len(shared) == 1 and shared[0]["members"] == 4
    # The override hash and its generation counter share a slot (one transaction).
    assert redis_cluster_client.keyslot(f"{prefix}:overrides") == redis_cluster_client.keyslot(
        f"{{{prefix}:overrides}}:gen"
    )


def test_the_check_fails_open_when_the_cluster_is_unreachable() -> None:
    settings = api_settings(
        "redis://127.0.0.1:1/0", redis_cluster=True, check_timeout_ms=200, check_failure_mode="open"
    )
    with api_client(settings) as api:
        down = api.post(PATH, headers={"x-account-id": "org_b"})
        ready = api.get("/readyz")
    assert down.status_code == 200
    assert down.headers["x-harvestguard-degraded"] == "store-unavailable"
    assert ready.status_code == 503
