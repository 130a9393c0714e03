"""The review endpoints behind the console: the queue, a cluster, the families (embedded store;
tests/test_console.py runs them with Redis and in a browser)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from service.alerts import verdict_alert
from service.state.account import Decision
from tests.factories import T0, event, traffic
from tests.test_api_support import AUTH, FAST, api_client, api_settings, push


def queue(api: TestClient, **params: Any) -> dict[str, Any]:
    response = api.get("/v1/queue", params=params, headers=AUTH)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def flagged(api: TestClient, **params: Any) -> list[str]:
    return [item["account_id"] for item in queue(api, **params)["flags"]]


def add_alert(api: TestClient, account: str, action: str, ts: float, **extra: Any) -> None:
    decision = Decision(action, 0.95, extra.pop("reasons", ["x"]), ts, extra.pop("cluster", None))
    alert = verdict_alert(account, Decision(), decision, alert_id=f"{account}:{ts}",
                          enforced=True, ts=ts, **extra)  # fmt: skip
    api.app.state.context.alerts.append([alert])  # type: ignore[attr-defined]


def test_the_queue_holds_each_accounts_latest_flag_newest_first() -> None:
    with api_client(api_settings(**FAST)) as api:
        push(api, list(traffic(events=6000)))
        assert flagged(api) == ["org_harvest"]
        item = queue(api)["flags"][0]
        assert item["families"][0] == "content" and not item["shadow"]
        add_alert(api, "org_later", "review", T0 + 7200)
        add_alert(api, "org_earlier", "block", T0 - 60)
        assert flagged(api) == ["org_later", "org_harvest", "org_earlier"]
        # Dismissed: no longer a current flag, and the change is in the list, by an analyst.
        api.post("/v1/accounts/org_harvest/feedback", json={"kind": "dismiss", "by": "ana"},
                 headers=AUTH)  # fmt: skip
        page = queue(api)
        assert [i["account_id"] for i in page["flags"]] == ["org_later", "org_earlier"]
        by_analyst = [i for i in page["changes"] if i["source"] == "feedback"]
        assert [(i["account_id"], i["action"]) for i in by_analyst] == [("org_harvest", "allow")]
        assert page["scanned"] == len(page["changes"])


def test_the_queue_filters_by_action_family_cluster_and_tenant() -> None:
    settings = api_settings(policy_overrides={"acme-*": {"shadow": True}})
    with api_client(settings) as api:
        add_alert(api, "acme-1", "block", T0, reasons=["farm_payment"], cluster="payment:ab")
        add_alert(api, "acme-2", "review", T0 + 1, reasons=["long_answers"])
        add_alert(api, "zeta-1", "block", T0 + 2, reasons=["reasoning_harvest"])
        add_alert(api, "zeta-2", "throttle", T0 + 3, reasons=["whatever"], families=["anomaly"])
        assert flagged(api, action="block") == ["zeta-1", "acme-1"]
        assert flagged(api, family="farm") == ["acme-1"]
        assert flagged(api, family="economics") == ["acme-2"]
        assert flagged(api, family="anomaly") == ["zeta-2"]  # the alert's own families
        assert flagged(api, cluster_id="payment:ab") == ["acme-1"]
        assert flagged(api, tenant="acme-*") == ["acme-2", "acme-1"]
        page = queue(api)
        assert {i["account_id"]: i["shadow"] for i in page["flags"]} == {
            "zeta-2": False, "zeta-1": False, "acme-2": True, "acme-1": True,
        }  # fmt: skip
        assert page["tenants"] == ["acme-*"]
        assert queue(api, limit=1)["flags"][0]["account_id"] == "zeta-2"


def test_a_cluster_shows_its_members_what_they_share_and_its_alerts() -> None:
    card = [
        event(event_id=f"c{i}", ts=T0 + i, account_id=f"org_card_{i % 4}",
              payment_fingerprint="pm_shared", prompt=f"question {i}")
        for i in range(80)
    ]  # fmt: skip
    # A later event elsewhere completes the card's epochs: what the cluster view reads.
    later = event(event_id="later", ts=T0 + 240, account_id="org_other")
    with api_client(api_settings()) as api:
        push(api, [*card, later])
        value = next(
            link["value"]
            for link in api.get("/v1/accounts/org_card_0", headers=AUTH).json()["linked"]
            if link["kind"] == "payment"
        )
        api.post("/v1/accounts/org_card_2/feedback", json={"kind": "confirm", "by": "ana"},
                 headers=AUTH)  # fmt: skip
        add_alert(api, "org_card_1", "block", T0 + 90, cluster=value)
        view = api.get(f"/v1/clusters/{value}", headers=AUTH).json()
        unknown = api.get("/v1/clusters/payment:0000000000000000", headers=AUTH)
    assert view["link"]["members"] == 4 and view["link"]["kind"] == "payment"
    assert view["link"]["accounts"] == [f"org_card_{i}" for i in range(4)]
    # Each member reports at its scoring points: the last of its 20 events scored is its
    # 18th (every quarter of growth), so the group's day counts 4 x 18.
    assert view["link"]["requests"] == 72 and "pm_shared" not in str(view)
    assert [(m["account_id"], m["action"]) for m in view["decisions"]] == [("org_card_2", "block")]
    assert [a["account_id"] for a in view["alerts"]] == ["org_card_1"]
    assert unknown.status_code == 404


def test_alerts_filter_by_account_and_cluster_and_families_are_listed() -> None:
    with api_client(api_settings()) as api:
        add_alert(api, "org_a", "block", T0, cluster="network:01")
        add_alert(api, "org_b", "block", T0 + 1, cluster="network:01")
        add_alert(api, "org_a", "review", T0 + 2)
        mine = api.get("/v1/alerts", params={"account_id": "org_a"}, headers=AUTH).json()
        theirs = api.get("/v1/alerts", params={"cluster_id": "network:01"}, headers=AUTH).json()
        families = api.get("/v1/families", headers=AUTH).json()
    assert [a["action"] for a in mine["alerts"]] == ["review", "block"]
    assert [a["account_id"] for a in theirs["alerts"]] == ["org_b", "org_a"]
    assert families["families"][0] == "content" and families["reasons"]["farm_payment"] == "farm"
    assert set(families["reasons"].values()) == set(families["families"])
