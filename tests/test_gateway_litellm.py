"""The real LiteLLM proxy (no database, a master key, a mock model) with harvestguard's
callback and guardrail from deploy/litellm/: a harvester is flagged through Kafka, the
worker and Redis, and its later calls are refused by the proxy; a benign account is served;
odd headers lose no event; a SIGTERM of the proxy and an outage of Kafka lose no event.

The outage lasts ``HARVESTGUARD_TEST_OUTAGE_S`` seconds (10 in CI; docs/gateways.md shows
the run with 60).
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from service.contract import parse_event
from tests.gateway_traffic import (
    ODD_CLIENT_IPS,
    ODD_HEADERS,
    TRUSTED,
    benign_body,
    drive,
    harvest_body,
    started,
)
from tests.servers import TansuBroker, read_topic
from tests.servers.gateways import MASTER_KEY, HarvestguardApi, LiteLLMProxy, MockModel
from tests.workers import Topics, account_decisions, start_worker, worker_env

pytestmark = pytest.mark.integration

OUTAGE_S = float(os.environ.get("HARVESTGUARD_TEST_OUTAGE_S", "10"))
AUTH = {"authorization": f"Bearer {MASTER_KEY}"}


@pytest.fixture(scope="module")
def model() -> Iterator[MockModel]:
    server = MockModel()
    started(server)
    yield server
    server.close()


def proxy_env(bootstrap: str, topic: str, check_url: str) -> dict[str, str]:
    return {
        "HARVESTGUARD_KAFKA_BOOTSTRAP": bootstrap,
        "HARVESTGUARD_TOPIC_REQUESTS": topic,
        "HARVESTGUARD_CHECK_URL": check_url,
        "HARVESTGUARD_CHECK_TIMEOUT_MS": "200",
        # No database: org and team are never set; the header, else the request's user.
        "HARVESTGUARD_ACCOUNT_FROM": "org,team,header:x-account-id,user",
        "HARVESTGUARD_TRUSTED_PROXIES": TRUSTED,
    }


def events_on(bootstrap: str, topic: str, count: int, timeout: float = 60.0) -> list[bytes]:
    """The values on ``topic`` once there are at least ``count`` (or the last seen, at timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            values = [value or b"" for *_, value in read_topic(bootstrap, topic, timeout=10)]
        except TimeoutError:
            values = []
        if len(values) >= count or time.monotonic() > deadline:
            return values
        time.sleep(0.5)


def test_a_harvester_is_refused_by_the_proxy_and_a_benign_account_is_served(
    model: MockModel,
    kafka_bootstrap: str,
    redis_url: str,
    redis_client: redis.Redis,
    tmp_path: Path,
) -> None:
    topics = Topics(kafka_bootstrap)
    prefix = f"gw{uuid.uuid4().hex[:6]}"
    api = HarvestguardApi({"store": "redis", "redis_url": redis_url, "redis_prefix": prefix})
    proxy = LiteLLMProxy(
        model.base_url, proxy_env(kafka_bootstrap, topics.requests, f"{api.url}/v1/check")
    )
    with open(tmp_path / "worker.log", "wb") as log:
        worker = start_worker(worker_env(kafka_bootstrap, redis_url, topics, prefix), 600, log)
        try:
            started(api)
            started(proxy)
            with httpx.Client(timeout=30) as client:
                as_benign = {**AUTH, "x-account-id": "acct_benign"}
                benign = drive(client, proxy.url, benign_body, as_benign, 30)
                # The harvester names itself only by the request's user: no key database.
                harvester = drive(
                    client, proxy.url, lambda n: {**harvest_body(n), "user": "harv_1"}, AUTH, 400,
                    pause_s=0.05, stop_after_refusals=20,
                )  # fmt: skip
                benign_after = drive(client, proxy.url, benign_body, as_benign, 10)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
            proxy.close()
            api.close()
    decisions = account_decisions(redis_client, prefix)
    assert benign.statuses == [200] * 30 and benign_after.statuses == [200] * 10
    assert "acct_benign" not in decisions or decisions["acct_benign"].action == "allow"
    assert decisions["harv_1"].action in ("throttle", "block"), decisions
    assert harvester.first_refusal is not None, harvester.statuses
    # Once refused, refused for good (a throttle only escalates while the campaign goes on).
    assert all(s in (403, 429) for s in harvester.statuses[harvester.first_refusal :])
    status = harvester.statuses[harvester.first_refusal]
    headers = harvester.refusal_headers
    assert headers["x-harvestguard-action"] == {429: "throttle", 403: "block"}[status]
    assert headers["x-harvestguard-reasons"]
    if status == 429:
        assert int(headers["retry-after"]) > 0
    print(
        f"harvester: {harvester.served} served, {harvester.refused} refused "
        f"(first at request {harvester.first_refusal}); decision {decisions['harv_1']}"
    )


def test_odd_headers_lose_no_event_and_the_client_ip_is_the_rightmost_untrusted_hop(
    model: MockModel, kafka_bootstrap: str
) -> None:
    topic = f"llm.requests.odd-{uuid.uuid4().hex[:8]}"
    # No check running: the guardrail fails open (and says so in the proxy's log).
    proxy = LiteLLMProxy(model.base_url, proxy_env(kafka_bootstrap, topic, "http://127.0.0.1:9/x"))
    started(proxy)
    try:
        with httpx.Client(timeout=30) as client:
            for n, extra in enumerate(ODD_HEADERS):
                body = {**benign_body(n), "user": f"odd_{n}"}
                answer = client.post(f"{proxy.url}/v1/chat/completions", json=body,
                                     headers={**AUTH, **extra})  # fmt: skip
                assert answer.status_code == 200, (extra, answer.text)
        values = events_on(kafka_bootstrap, topic, len(ODD_HEADERS))
    finally:
        proxy.close()
    events = {event.account_id: event for event in map(parse_event, values)}
    assert sorted(events) == sorted(f"odd_{n}" for n in range(len(ODD_HEADERS)))
    assert [events[f"odd_{n}"].client_ip for n in range(len(ODD_HEADERS))] == ODD_CLIENT_IPS


def test_a_proxy_sigterm_and_a_kafka_outage_lose_no_event(model: MockModel) -> None:
    """Kafka goes down; calls go on; the proxy is stopped (SIGTERM) and started again; Kafka
    comes back after ``OUTAGE_S``: every call is on the topic, with a running proxy too."""
    broker = TansuBroker(storage="s3")  # what it took before the outage survives its restart
    started(broker)
    topic = "llm.requests"
    proxy = LiteLLMProxy(model.base_url, proxy_env(broker.bootstrap, topic, "http://127.0.0.1:9/x"))
    started(proxy)
    sent: list[str] = []
    try:
        with httpx.Client(timeout=30) as client:

            def call(account: str) -> None:
                body = {**benign_body(len(sent)), "user": account}
                answer = client.post(f"{proxy.url}/v1/chat/completions", json=body, headers=AUTH)
                assert answer.status_code == 200, answer.text
                sent.append(account)

            for _ in range(10):
                call("before_outage")  # delivered while Kafka is up
            broker.stop()
            outage_started = time.monotonic()
            for _ in range(30):
                call("sigterm")
            proxy.stop()  # SIGTERM a moment after the calls, Kafka still down
            started(proxy)
            while time.monotonic() - outage_started < OUTAGE_S or sent.count("outage") < 10:
                call("outage")  # a running proxy through the rest of the outage
                time.sleep(0.25)
            outage_s = time.monotonic() - outage_started
            broker.start()
            values = events_on(broker.bootstrap, topic, len(sent), timeout=90)
    finally:
        proxy.close()
        broker.close()
    accounts = sorted(parse_event(value).account_id for value in values)
    # At least once: a batch whose acknowledgement was lost may come twice (the worker drops
    # a repeated event_id); none may be missing.
    assert set(accounts) == set(sent) and len(accounts) >= len(sent)
    for name in set(sent):
        assert accounts.count(name) >= sent.count(name), name
    print(f"{len(sent)} calls, {len(values)} events delivered after a {outage_s:.0f} s outage")
