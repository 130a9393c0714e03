"""Operations endpoints: liveness, readiness (store, broker), Prometheus metrics."""

from __future__ import annotations

import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import event
from tests.servers import free_port
from tests.test_api_support import api_client, api_settings, ndjson

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)


def test_healthz_and_readyz_on_the_embedded_store() -> None:
    with api_client(api_settings()) as api:
        health = api.get("/healthz")
        ready = api.get("/readyz")
    assert (health.status_code, health.json()["status"]) == (200, "ok")
    assert ready.status_code == 200 and ready.json()["checks"] == {"store": True}


def test_readyz_needs_the_broker_when_alerts_go_to_kafka(
    redis_url: str, redis_client: redis.Redis, kafka_bootstrap: str
) -> None:
    up = api_settings(redis_url, api_publish_alerts=True, kafka_bootstrap=kafka_bootstrap)
    down = api_settings(
        redis_url, api_publish_alerts=True, kafka_bootstrap=f"127.0.0.1:{free_port()}"
    )
    with api_client(up) as api:
        ready = api.get("/readyz")
    with api_client(down) as api:
        not_ready = api.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"store": True, "broker": True}
    assert not_ready.status_code == 503
    assert not_ready.json()["checks"] == {"store": True, "broker": False}


def test_metrics_are_prometheus_text_with_the_api_series() -> None:
    with api_client(api_settings()) as api:
        api.post("/v1/check/v1/chat/completions", headers={"x-account-id": "org_1"})
        api.post("/v1/events", content=ndjson([event(), {"event_id": "broken"}]))
        text = api.get("/metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    for name in ("hg_check_requests", "hg_check_duration_seconds", "hg_ingest_requests",
                 "hg_events_processed", "hg_events_rejected"):  # fmt: skip
        assert name in families, name
    rejected = {
        tuple(sorted(s.labels.items())): s.value
        for s in families["hg_events_rejected"].samples
        if s.name.endswith("_total")
    }
    assert rejected[(("field", "ts"), ("source", "http"))] >= 1
