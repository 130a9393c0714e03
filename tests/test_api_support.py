"""Shared helpers of the sidecar API tests (no tests here).

Every API test builds its app with :func:`api_settings`, so settings never
come from the environment or a ``.env`` file by accident, and talks to it
through Starlette's in-process client (the app's real ASGI stack, lifespan
included) or, where a real listening server matters, a real uvicorn process.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.settings import Settings

TOKEN = "hg-test-4f9c2a7e1b8d6035"
INGEST_TOKEN = "hg-ingest-7d1e5b3c9a2f8406"
AUTH = {"authorization": f"Bearer {TOKEN}"}
# A detector that is warm after 50 accounts and learns at every scoring: small tests flag.
FAST = {"learn_interval_s": 0}


def api_settings(redis_url: str | None = None, **fields: Any) -> Settings:
    # Push ingestion is open in tests that do not give it a token (the API refuses to start
    # with neither); the tests of the token itself pass ``ingest_token``.
    base: dict[str, Any] = {"api_token": TOKEN, "store": "memory"}
    if "ingest_token" not in fields:
        base["ingest_open"] = True
    if redis_url is not None:
        base.update(store="redis", redis_url=redis_url, redis_prefix=f"t{uuid.uuid4().hex[:8]}")
    base.update(fields)
    return Settings(_env_file=None, **base)  # type: ignore[call-arg]


@contextmanager
def api_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=True) as client:
        yield client


def ndjson(events: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(e) + b"\n" for e in events)


def push(client: TestClient, events: list[dict[str, Any]], batch: int = 200) -> list[Any]:
    """POST events as NDJSON in batches (scoring happens at most once per account per batch)."""
    bodies = []
    for start in range(0, len(events), batch):
        response = client.post(
            "/v1/events",
            content=ndjson(events[start : start + batch]),
            headers={"content-type": "application/x-ndjson"},
        )
        assert response.status_code == 200, response.text
        bodies.append(response.json())
    return bodies


def all_alerts(client: TestClient, **filters: Any) -> list[dict[str, Any]]:
    """Every alert of GET /v1/alerts, following the cursor."""
    alerts: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 100, **filters}
    while True:
        response = client.get("/v1/alerts", params=params, headers=AUTH)
        assert response.status_code == 200, response.text
        page = response.json()
        alerts.extend(page["alerts"])
        if page["next_cursor"] is None:
            return alerts
        params["cursor"] = page["next_cursor"]
