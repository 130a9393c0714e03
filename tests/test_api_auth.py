"""Security: every protected route refuses a missing or wrong token; weak secrets stop start-up."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from service.api.app import create_app
from service.api.deps import require_api_token, require_ingest_token
from service.api.security import InsecureSettings
from tests.servers import free_port, wait_healthy
from tests.test_api_support import AUTH, INGEST_TOKEN, TOKEN, api_client, api_settings

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)

# Open on purpose: Envoy calls the check on loopback; probes and Prometheus need no secret.
OPEN = {
    "/v1/check",
    "/v1/check/{path:path}",
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    # The review console's static files: no data; the page signs in with the analyst token.
    "/console",
    "/console/",
    "/console/{name}",
}


def _guards(dependant: Any) -> set[object]:
    found: set[object] = set()
    stack = [dependant] if dependant is not None else []
    while stack:
        item = stack.pop()
        found.add(item.call)
        stack.extend(item.dependencies)
    return found


def _routes() -> list[tuple[str, str, object]]:
    """(method, path with parameters filled in, guard) of every route the app serves."""
    app = create_app(api_settings(ingest_token=INGEST_TOKEN))
    found = []
    for route in iter_route_contexts(app.routes):
        path = route.path or ""
        guards = _guards(getattr(route, "dependant", None))
        guard = next((g for g in (require_api_token, require_ingest_token) if g in guards), None)
        for method in sorted(route.methods or {"GET"}):
            found.append((method, re.sub(r"\{[^}]+\}", "x", path), guard))
        if guard is None:
            assert path in OPEN, f"{path} has no token and is not meant to be open"
    return found


ROUTES = _routes()
PROTECTED = [(m, p, g) for m, p, g in ROUTES if g is not None]


def test_the_analyst_routes_are_all_protected() -> None:
    protected_paths = {p for _, p, _ in PROTECTED}
    assert {"/v1/accounts/x", "/v1/accounts/x/feedback", "/v1/alerts", "/v1/keys/x",
            "/v1/queue", "/v1/clusters/x"} <= protected_paths  # fmt: skip
    assert "/v1/events" in protected_paths


@pytest.mark.parametrize(
    ("method", "path", "guard"), PROTECTED, ids=[f"{m} {p}" for m, p, _ in PROTECTED]
)
def test_protected_route_refuses_missing_and_wrong_tokens(
    method: str, path: str, guard: object
) -> None:
    right = TOKEN if guard is require_api_token else INGEST_TOKEN
    wrong = [
        {},
        {"authorization": "Bearer " + right[:-1] + ("x" if right[-1] != "x" else "y")},
        {"authorization": right},  # no scheme
        {"authorization": f"Basic {right}"},
        # Each token opens only its own routes.
        {"authorization": f"Bearer {INGEST_TOKEN if right == TOKEN else TOKEN}"},
    ]
    with api_client(api_settings(ingest_token=INGEST_TOKEN)) as api:
        refused = [api.request(method, path, headers=h).status_code for h in wrong]
        accepted = api.request(method, path, headers={"authorization": f"Bearer {right}"})
    assert refused == [401] * len(wrong)
    assert accepted.status_code != 401


@pytest.mark.parametrize(
    "token",
    ["", "changeme", "secret", "sh0rt-rand0m-15", "changeme-please-0123456789",
     "my-secret-api-key-2026", "aaaaaaaaaaaaaaaaaaaaaaaa", "abababababababababab"],
)  # fmt: skip
def test_placeholder_or_short_tokens_refuse_to_start(token: str) -> None:
    with pytest.raises(InsecureSettings, match="HARVESTGUARD_API_TOKEN"):
        create_app(api_settings(api_token=token))


def test_a_weak_ingest_token_refuses_to_start_too() -> None:
    with pytest.raises(InsecureSettings, match="HARVESTGUARD_INGEST_TOKEN"):
        create_app(api_settings(ingest_token="changeme"))


def test_the_cli_refuses_a_placeholder_with_a_clear_error() -> None:
    env = {**os.environ, "HARVESTGUARD_API_TOKEN": "changeme", "HARVESTGUARD_STORE": "memory"}
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "api", "--port", "0"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "refusing to start" in result.stderr and "HARVESTGUARD_API_TOKEN" in result.stderr
    assert "changeme" not in result.stderr  # the secret itself is never printed


def test_harvestguard_api_serves_on_a_real_socket() -> None:
    port = free_port()
    env = {**os.environ, "HARVESTGUARD_API_TOKEN": TOKEN, "HARVESTGUARD_STORE": "memory",
           "HARVESTGUARD_INGEST_TOKEN": INGEST_TOKEN}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "api", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(f"{base}/healthz", proc)
        with httpx.Client(base_url=base) as http:
            confirm = http.post(
                "/v1/accounts/org_9/feedback", json={"kind": "confirm", "by": "t"}, headers=AUTH
            )
            check = http.request(
                "DELETE", "/v1/check/v1/files/f1", headers={"x-account-id": "org_9"}
            )
            head = http.head("/v1/check/v1/models", headers={"x-account-id": "org_9"})
            unauthorized = http.get("/v1/alerts")
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0].decode()
    assert confirm.status_code == 200
    assert check.status_code == 403 and check.headers["x-harvestguard-action"] == "block"
    assert head.status_code == 403 and head.content == b""
    assert unauthorized.status_code == 401
    assert TOKEN not in output and "/v1/check" not in output  # no secrets, no access log
