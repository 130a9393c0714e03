"""``harvestguard api --role check|ingest|all``: a check process never runs ingestion.

A check-only process answers the inline check and refuses push ingestion and the analyst
API with a 404 that names the role serving them; an ingest-only process refuses the check
the same way. Split roles share Redis: what one process ingests, the other's check reads
(two real ``harvestguard api`` processes on one redis-server).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import redis
from fastapi.testclient import TestClient

from service.api.app import RoleNeedsSharedStore, create_app
from service.api.routers.check import METHODS
from service.api.security import InsecureSettings
from service.state.account import Decision
from tests.factories import traffic
from tests.servers import free_port, wait_healthy
from tests.test_api_support import AUTH, FAST, TOKEN, api_settings, ndjson, push

CHECK = "/v1/check/v1/chat/completions"


@contextmanager
def role_client(role: str, redis_url: str, **fields: object) -> Iterator[tuple[TestClient, str]]:
    settings = api_settings(redis_url, **fields)
    with TestClient(create_app(settings, role)) as client:  # type: ignore[arg-type]
        yield client, settings.redis_prefix


def seed(client: redis.Redis, prefix: str, account: str, action: str) -> None:
    decision = Decision(action, 0.99, ["trace_harvest"], 1.0)
    client.set(f"{prefix}:{{{account}}}:d", decision.to_json())


@pytest.mark.integration
def test_a_check_process_answers_checks_and_refuses_ingestion_and_the_analyst_api(
    redis_url: str, redis_client: redis.Redis
) -> None:
    # Publishing is on, to a broker that does not exist: a check process publishes nothing,
    # so it neither connects nor waits for a broker to be ready.
    fields = {"api_publish_alerts": True, "kafka_bootstrap": f"127.0.0.1:{free_port()}"}
    with role_client("check", redis_url, **fields) as (api, prefix):
        seed(redis_client, prefix, "org_blocked", "block")
        pushed = api.post("/v1/events", content=ndjson(list(traffic(events=50))))
        analyst = [
            api.get("/v1/accounts/org_blocked", headers=AUTH),
            api.post("/v1/accounts/org_blocked/feedback", json={"kind": "clear"}, headers=AUTH),
            api.get("/v1/alerts", headers=AUTH),
            api.put("/v1/keys/abc", json={"account_id": "org_1"}, headers=AUTH),
        ]
        blocked = api.post(CHECK, headers={"x-account-id": "org_blocked"})
        unknown = api.get(CHECK, headers={"x-account-id": "org_other"})
        ready = api.get("/readyz")
        paths = set(api.get("/openapi.json").json()["paths"])
    assert pushed.status_code == 404
    assert "--role ingest" in pushed.json()["detail"]
    assert [r.status_code for r in analyst] == [404] * 4
    assert all("--role ingest" in r.json()["detail"] for r in analyst)
    assert not list(redis_client.scan_iter(f"{prefix}:*:s"))  # nothing was ingested
    assert redis_client.get(f"{prefix}:{{org_blocked}}:d") is not None  # feedback did not run
    assert blocked.status_code == 403 and blocked.headers["x-harvestguard-action"] == "block"
    assert unknown.status_code == 200 and unknown.headers["x-harvestguard-action"] == "allow"
    assert ready.status_code == 200 and ready.json()["checks"] == {"store": True}
    assert any(p.startswith("/v1/check") for p in paths)
    assert not any(p.startswith(("/v1/events", "/v1/accounts", "/v1/alerts")) for p in paths)


@pytest.mark.integration
def test_an_ingest_process_ingests_serves_analysts_and_refuses_the_check(
    redis_url: str, redis_client: redis.Redis
) -> None:
    with role_client("ingest", redis_url, **FAST) as (api, prefix):
        seed(redis_client, prefix, "org_blocked", "block")
        checks = [
            api.request(method, path, headers={"x-account-id": "org_blocked"})
            for method in METHODS
            for path in ("/v1/check", CHECK)
        ]
        reports = push(api, list(traffic(events=8000)))
        account = api.get("/v1/accounts/org_harvest", headers=AUTH)
        paths = set(api.get("/openapi.json").json()["paths"])
    # A gateway pointed at the wrong process is told so: no silent "allow".
    assert {r.status_code for r in checks} == {404}
    assert all("--role check" in r.json()["detail"] for r in checks if r.request.method != "HEAD")
    assert not any("x-harvestguard-action" in r.headers for r in checks)
    assert sum(r["applied"] for r in reports) == 8000
    assert account.status_code == 200 and account.json()["action"] != "allow"
    assert redis_client.exists(f"{prefix}:{{org_harvest}}:d")
    assert "/v1/events" in paths and not any(p.startswith("/v1/check") for p in paths)


def test_split_roles_need_a_shared_store() -> None:
    for role in ("check", "ingest"):
        with pytest.raises(RoleNeedsSharedStore, match="HARVESTGUARD_STORE=redis"):
            create_app(api_settings(), role)
    with pytest.raises(ValueError, match="'both' is not one of all, check, ingest"):
        create_app(api_settings(), "both")  # type: ignore[arg-type]
    env = {**os.environ, "HARVESTGUARD_API_TOKEN": TOKEN, "HARVESTGUARD_STORE": "memory"}
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "api", "--role", "check", "--port", "0"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "refusing to start" in result.stderr and "HARVESTGUARD_STORE=redis" in result.stderr


@pytest.mark.integration
def test_only_processes_that_ingest_need_the_ingest_token(redis_url: str) -> None:
    closed = {"ingest_open": False, "ingest_token": ""}
    with role_client("check", redis_url, **closed) as (api, _):  # starts: it ingests nothing
        assert api.get("/healthz").status_code == 200
    for role in ("ingest", "all"):
        with pytest.raises(InsecureSettings, match="HARVESTGUARD_INGEST_TOKEN is empty"):
            create_app(api_settings(redis_url, **closed), role)  # type: ignore[arg-type]


@contextmanager
def api_process(role: str, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "service.cli", "--log-level", "WARNING", "api",
               "--role", role, "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    process = subprocess.Popen(command, env=env)
    try:
        wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.integration
def test_what_the_ingest_process_flags_the_check_process_enforces(redis_url: str) -> None:
    env = {
        **os.environ,
        "HARVESTGUARD_API_TOKEN": TOKEN,
        "HARVESTGUARD_STORE": "redis",
        "HARVESTGUARD_REDIS_URL": redis_url,
        "HARVESTGUARD_REDIS_PREFIX": f"t{uuid.uuid4().hex[:8]}",
        "HARVESTGUARD_INGEST_OPEN": "true",
    }
    harvester = {"x-account-id": "org_harvest"}
    with api_process("ingest", env) as ingest, api_process("check", env) as check:
        before = httpx.post(check + CHECK, headers=harvester)
        events = list(traffic(events=8000))
        with httpx.Client(base_url=ingest, timeout=60) as client:
            for start in range(0, len(events), 500):
                body = ndjson(events[start : start + 500])
                client.post("/v1/events", content=body).raise_for_status()
        after = httpx.post(check + CHECK, headers=harvester)
        refused = httpx.post(check + "/v1/events", content=ndjson(events[:5]))
    assert before.status_code == 200 and before.headers["x-harvestguard-action"] == "allow"
    assert after.headers["x-harvestguard-action"] in ("review", "throttle", "block")
    assert after.status_code in (200, 403, 429)
    assert refused.status_code == 404
