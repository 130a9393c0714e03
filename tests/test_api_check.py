"""The inline check (Envoy ext_authz HTTP service) against a real redis-server."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import pytest
import redis

from service.api.app import create_app
from service.api.routers.check import METHODS
from service.settings import Settings
from service.state.account import Decision
from tests.servers import RedisServer
from tests.test_api_support import AUTH, api_client, api_settings

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)

PATH = "/v1/check/v1/chat/completions"
REASONS = ["completion_ratio_high", "length_share_high"]


def seed(client: redis.Redis, settings: Settings, account: str, decision: Decision) -> None:
    client.set(f"{settings.redis_prefix}:{{{account}}}:d", decision.to_json())


def decision(action: str) -> Decision:
    return Decision(action, 0.987, list(REASONS), 1_795_874_400.0, "cluster-7")


def ask(settings: Settings, headers: dict[str, str], method: str = "POST", path: str = PATH) -> Any:
    with api_client(settings) as api:
        return api.request(method, path, headers=headers)


def test_an_account_without_a_decision_is_allowed(
    redis_url: str, redis_client: redis.Redis
) -> None:
    response = ask(api_settings(redis_url), {"x-account-id": "org_new"})
    assert response.status_code == 200
    assert response.headers["x-harvestguard-action"] == "allow"
    assert "x-harvestguard-reasons" not in response.headers


def test_review_is_let_through_with_its_action_and_reasons(
    redis_url: str, redis_client: redis.Redis
) -> None:
    settings = api_settings(redis_url)
    seed(redis_client, settings, "org_r", decision("review"))
    response = ask(settings, {"x-account-id": "org_r"})
    assert response.status_code == 200
    assert response.headers["x-harvestguard-action"] == "review"
    assert response.headers["x-harvestguard-reasons"] == ",".join(REASONS)


def test_throttle_answers_429_with_retry_after(redis_url: str, redis_client: redis.Redis) -> None:
    settings = api_settings(redis_url, check_retry_after_s=17)
    seed(redis_client, settings, "org_t", decision("throttle"))
    response = ask(settings, {"x-account-id": "org_t"})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "17"
    assert response.headers["x-harvestguard-action"] == "throttle"
    assert response.headers["x-harvestguard-reasons"] == ",".join(REASONS)
    assert response.json() == {"action": "throttle", "reasons": REASONS, "retry_after_s": 17}


def test_block_answers_403_and_reveals_only_action_and_reason_codes(
    redis_url: str, redis_client: redis.Redis
) -> None:
    settings = api_settings(redis_url)
    seed(redis_client, settings, "org_b", decision("block"))
    response = ask(settings, {"x-account-id": "org_b"})
    assert response.status_code == 403
    assert response.json() == {"action": "block", "reasons": REASONS}
    exposed = response.text + " ".join(f"{k}:{v}" for k, v in response.headers.items())
    assert "0.987" not in exposed and "cluster-7" not in exposed


@pytest.mark.parametrize("method", METHODS)
def test_every_method_envoy_may_forward_is_checked(
    method: str, redis_url: str, redis_client: redis.Redis
) -> None:
    settings = api_settings(redis_url)
    seed(redis_client, settings, "org_b", decision("block"))
    with api_client(settings) as api:
        blocked = api.request(
            method, "/v1/check/v1/embeddings?x=1", headers={"x-account-id": "org_b"}
        )
        allowed = api.request(method, "/v1/check", headers={"x-account-id": "org_ok"})
    assert blocked.status_code == 403
    assert blocked.headers["x-harvestguard-action"] == "block"
    assert allowed.status_code == 200


def test_shadow_mode_allows_and_reports_what_it_would_have_done(
    redis_url: str, redis_client: redis.Redis
) -> None:
    settings = api_settings(redis_url, shadow_mode=True)
    seed(redis_client, settings, "org_b", decision("block"))
    seed(redis_client, settings, "org_t", decision("throttle"))
    with api_client(settings) as api:
        blocked = api.post(PATH, headers={"x-account-id": "org_b"})
        throttled = api.post(PATH, headers={"x-account-id": "org_t"})
        view = api.get("/v1/accounts/org_b", headers=AUTH).json()
    for response, action in ((blocked, "block"), (throttled, "throttle")):
        assert response.status_code == 200
        assert response.headers["x-harvestguard-action"] == "allow"
        assert response.headers["x-harvestguard-shadow-action"] == action
        assert response.headers["x-harvestguard-reasons"] == ",".join(REASONS)
    assert (view["action"], view["enforced_action"]) == ("block", "allow")


def test_a_custom_account_header_is_read(redis_url: str, redis_client: redis.Redis) -> None:
    settings = api_settings(redis_url, check_account_header="x-org")
    seed(redis_client, settings, "org_b", decision("block"))
    assert ask(settings, {"x-org": "org_b"}).status_code == 403
    assert ask(settings, {"x-account-id": "org_b"}).status_code == 200


def test_an_api_key_hash_is_mapped_to_its_account(
    redis_url: str, redis_client: redis.Redis
) -> None:
    settings = api_settings(redis_url, check_key_header="x-key-hash")
    seed(redis_client, settings, "org_b", decision("block"))
    with api_client(settings) as api:
        before = api.post(PATH, headers={"x-key-hash": "kh_1"})
        mapped = api.put("/v1/keys/kh_1", json={"account_id": "org_b"}, headers=AUTH)
        after = api.post(PATH, headers={"x-key-hash": "kh_1"})
        unknown = api.post(PATH, headers={"x-key-hash": "kh_2"})
        assert api.get("/v1/keys/kh_1", headers=AUTH).json()["account_id"] == "org_b"
        assert api.delete("/v1/keys/kh_1", headers=AUTH).status_code == 204
        removed = api.post(PATH, headers={"x-key-hash": "kh_1"})
    assert mapped.status_code == 200
    assert (before.status_code, after.status_code, unknown.status_code) == (200, 403, 200)
    assert removed.status_code == 200
    # The mapping is a plain Redis key, so provisioning can also write it directly.
    redis_client.set(f"{settings.redis_prefix}:key:kh_3", "org_b")
    assert ask(settings, {"x-key-hash": "kh_3"}).status_code == 403


def test_no_account_header_is_allowed(redis_url: str, redis_client: redis.Redis) -> None:
    response = ask(api_settings(redis_url), {})
    assert response.status_code == 200
    assert response.headers["x-harvestguard-action"] == "allow"


@pytest.mark.parametrize("mode", ["open", "closed"])
def test_store_unreachable_fails_open_or_closed_then_recovers(
    mode: str, redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    settings = api_settings(redis_server.url, check_failure_mode=mode, check_timeout_ms=200)
    seed(redis_client, settings, "org_b", decision("block"))
    with api_client(settings) as api:
        assert api.post(PATH, headers={"x-account-id": "org_b"}).status_code == 403
        redis_server.stop()
        try:
            started = time.perf_counter()
            down = api.post(PATH, headers={"x-account-id": "org_b"})
            elapsed = time.perf_counter() - started
            ready = api.get("/readyz")
        finally:
            redis_server.start()
        # Persistence is off: the restarted server is empty, so seed the decision again.
        seed(redis.Redis.from_url(redis_server.url), settings, "org_b", decision("block"))
        back = api.post(PATH, headers={"x-account-id": "org_b"})
    # Liveness, not a latency goal (that is benchmarks/inline_check.py): the 0.2 s timeout
    # answers, where an unbounded wait would hang the test.
    assert elapsed < 0.2 + 5.0
    assert down.headers["x-harvestguard-degraded"] == "store-unavailable"
    if mode == "open":
        assert down.status_code == 200
        assert down.headers["x-harvestguard-action"] == "allow"
    else:
        assert down.status_code == 503
        assert down.headers["x-harvestguard-reasons"] == "store_unavailable"
    assert ready.status_code == 503 and ready.json()["checks"]["store"] is False
    assert back.status_code == 403


def test_the_local_cache_serves_reads_and_feedback_bypasses_it(
    redis_url: str, redis_client: redis.Redis
) -> None:
    settings = api_settings(redis_url, check_cache_ttl_s=60)
    seed(redis_client, settings, "org_b", decision("block"))
    with api_client(settings) as api:
        assert api.post(PATH, headers={"x-account-id": "org_b"}).status_code == 403
        # Changed behind the API's back: the cached decision stands until the TTL.
        seed(redis_client, settings, "org_b", decision("allow"))
        assert api.post(PATH, headers={"x-account-id": "org_b"}).status_code == 403
        seed(redis_client, settings, "org_b", decision("block"))
        feedback = {"kind": "dismiss", "by": "analyst@example.com", "note": "known customer"}
        assert (
            api.post("/v1/accounts/org_b/feedback", json=feedback, headers=AUTH).status_code == 200
        )
        assert api.post(PATH, headers={"x-account-id": "org_b"}).status_code == 200


def test_checks_are_counted_by_outcome(redis_url: str, redis_client: redis.Redis) -> None:
    settings = api_settings(redis_url)
    seed(redis_client, settings, "org_b", decision("block"))
    with api_client(settings) as api:
        before = _count(api.get("/metrics").text, 'hg_check_requests_total{outcome="block"}')
        for _ in range(3):
            api.post(PATH, headers={"x-account-id": "org_b"})
        after = _count(api.get("/metrics").text, 'hg_check_requests_total{outcome="block"}')
    assert after - before == 3


def _count(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return 0.0


def test_the_documented_routes_answer_like_the_fast_path(
    redis_url: str, redis_client: redis.Redis
) -> None:
    """The middleware answers checks before FastAPI's routing; the routes must agree with it."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from service.api.context import build_context
    from service.api.routers.check import router

    settings = api_settings(redis_url, check_retry_after_s=9)
    for account, action in (("org_b", "block"), ("org_t", "throttle"), ("org_r", "review")):
        seed(redis_client, settings, account, decision(action))
    fast = create_app(settings)
    bare = FastAPI()  # the same settings, routes only: no fast path in front
    bare.state.context = build_context(settings)
    bare.include_router(router)
    cases = [("POST", PATH, a) for a in ("org_b", "org_t", "org_r", "org_new")]
    cases += [("HEAD", "/v1/check", "org_b"), ("DELETE", "/v1/check/v1/files/x", "org_t")]
    with TestClient(fast) as with_fast_path, TestClient(bare) as routes_only:
        for method, path, account in cases:
            one = with_fast_path.request(method, path, headers={"x-account-id": account})
            two = routes_only.request(method, path, headers={"x-account-id": account})
            assert (one.status_code, one.content) == (two.status_code, two.content)
            assert {k: v for k, v in one.headers.items() if k.startswith(("x-", "retry"))} == {
                k: v for k, v in two.headers.items() if k.startswith(("x-", "retry"))
            }


def test_a_hung_store_fails_open_within_the_timeout(
    redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    """A stopped (SIGSTOP) redis-server accepts nothing and answers nothing: no hang."""
    settings = api_settings(redis_server.url, check_timeout_ms=100)
    seed(redis_client, settings, "org_b", decision("block"))
    assert redis_server.pid is not None
    with api_client(settings) as api:
        assert api.post(PATH, headers={"x-account-id": "org_b"}).status_code == 403
        os.kill(redis_server.pid, signal.SIGSTOP)
        try:
            started = time.perf_counter()
            hung = [api.post(PATH, headers={"x-account-id": "org_b"}) for _ in range(3)]
            elapsed = time.perf_counter() - started
        finally:
            os.kill(redis_server.pid, signal.SIGCONT)
        back = api.post(PATH, headers={"x-account-id": "org_b"})
    assert [r.status_code for r in hung] == [200, 200, 200]
    assert all(r.headers["x-harvestguard-degraded"] == "store-unavailable" for r in hung)
    # Liveness, not a latency goal: each answers after its 0.1 s timeout, with room for a
    # busy machine, where a stalled store without one would hang the test.
    assert elapsed < 3 * (0.1 + 2.0)
    assert back.status_code == 403


def test_the_database_number_of_the_url_is_used(redis_server: RedisServer) -> None:
    url = redis_server.url.rsplit("/", 1)[0] + "/3"
    client = redis.Redis.from_url(url)
    client.flushdb()
    settings = api_settings(url)
    seed(client, settings, "org_b", decision("block"))
    assert ask(settings, {"x-account-id": "org_b"}).status_code == 403
    client.close()
