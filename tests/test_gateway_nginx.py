"""Debian's nginx with deploy/nginx/ (auth_request to the inline check, the JSON access log,
njs) in front of a mock model: the log, shipped to ``POST /v1/events?format=nginx``, flags a
harvester whose later requests nginx refuses (429 with Retry-After, or 403); a benign
account is served; odd headers lose no event; a check that is down fails open; and
``harvestguard detect --format nginx`` reads the same log."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from service.adapters import raw_parser
from tests.gateway_traffic import (
    ODD_CLIENT_IPS,
    ODD_HEADERS,
    TRUSTED,
    benign_body,
    drive,
    harvest_body,
    started,
)
from tests.servers.gateways import INGEST_TOKEN, REPO, HarvestguardApi, MockModel, NginxGateway

pytestmark = pytest.mark.integration

# nginx logs its peer beside the header: with no hop in the header (", , ,") the caller is
# the peer, the test's loopback address.
NGINX_CLIENT_IPS = [*ODD_CLIENT_IPS[:6], "127.0.0.1", *ODD_CLIENT_IPS[7:]]


class Shipper:
    """What a log shipper does (Vector, Fluent Bit): new lines of the log to the sidecar."""

    def __init__(self, log: Path, api_url: str) -> None:
        self.log, self.api_url, self.offset = log, api_url, 0
        self.applied = self.rejected = 0
        self.lines: list[bytes] = []

    def ship(self, expect: int = 1, timeout: float = 5.0) -> None:
        """Send the lines written since the last call (waiting for at least ``expect``)."""
        deadline = time.monotonic() + timeout
        while True:
            data = self.log.read_bytes()[self.offset :] if self.log.exists() else b""
            complete = data[: data.rfind(b"\n") + 1]
            if complete.count(b"\n") >= expect or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        if not complete:
            return
        self.offset += len(complete)
        self.lines.extend(complete.splitlines())
        answer = httpx.post(
            f"{self.api_url}/v1/events", params={"format": "nginx"}, content=complete,
            headers={"content-type": "application/x-ndjson",
                     "authorization": f"Bearer {INGEST_TOKEN}"}, timeout=30,
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
        report = answer.json()
        self.applied += report["applied"] + report["duplicates"]
        self.rejected += report["rejected_count"]
        assert report["rejected_count"] == 0, report["rejected"]


@pytest.fixture
def stack() -> Iterator[tuple[NginxGateway, HarvestguardApi, Shipper]]:
    model = MockModel()
    api = HarvestguardApi({"store": "memory", "trusted_proxies": TRUSTED})
    started(model)
    started(api)
    gateway = NginxGateway(model.port, api.port)
    started(gateway)
    try:
        yield gateway, api, Shipper(gateway.log, api.url)
    finally:
        for server in (gateway, api, model):
            server.close()


def test_a_harvester_is_refused_by_nginx_and_a_benign_account_is_served(
    stack: tuple[NginxGateway, HarvestguardApi, Shipper],
) -> None:
    gateway, _, shipper = stack
    with httpx.Client(timeout=30) as client:
        benign = drive(client, gateway.url, benign_body, {"x-account-id": "acct_benign"}, 30,
                       after_each=shipper.ship)  # fmt: skip
        # The harvester has no account header: nginx asks about, and logs, its key's hash.
        key = {"authorization": "Bearer sk-harvester-0001"}
        harvester = drive(client, gateway.url, harvest_body, key, 400,
                          after_each=lambda: shipper.ship(expect=0, timeout=0.2),
                          stop_after_refusals=20)  # fmt: skip
        benign_after = drive(client, gateway.url, benign_body, {"x-account-id": "acct_benign"}, 10)
    assert benign.statuses == [200] * 30 and benign_after.statuses == [200] * 10
    assert harvester.first_refusal is not None, harvester.statuses
    assert all(s in (403, 429) for s in harvester.statuses[harvester.first_refusal :])
    status = harvester.statuses[harvester.first_refusal]
    headers = harvester.refusal_headers
    assert headers["x-harvestguard-action"] == {429: "throttle", 403: "block"}[status]
    assert headers["x-harvestguard-reasons"]
    if status == 429:
        assert int(headers["retry-after"]) > 0
    # Every served request reached the sidecar; refused ones are not in harvestguard's log.
    assert shipper.rejected == 0 and shipper.applied == 30 + harvester.served
    print(f"nginx harvester: {harvester.served} served, {harvester.refused} refused")


def test_odd_headers_lose_no_event_and_the_check_fails_open(
    stack: tuple[NginxGateway, HarvestguardApi, Shipper], tmp_path: Path
) -> None:
    gateway, api, shipper = stack
    with httpx.Client(timeout=30) as client:
        for n, extra in enumerate(ODD_HEADERS):
            answer = client.post(f"{gateway.url}/v1/chat/completions", json=benign_body(n),
                                 headers={"x-account-id": f"odd_{n}", **extra})  # fmt: skip
            assert answer.status_code == 200, (extra, answer.text)
        shipper.ship(expect=len(ODD_HEADERS))
        assert shipper.applied == len(ODD_HEADERS)
        parse = raw_parser("nginx", trusted_proxies=tuple(TRUSTED.split(",")))
        events = {event.account_id: event for event in map(parse, shipper.lines)}
        assert [events[f"odd_{n}"].client_ip for n in range(len(ODD_HEADERS))] == NGINX_CLIENT_IPS
        # The check down: nginx's auth subrequest fails, the shipped config lets it through.
        api.stop()
        answer = client.post(f"{gateway.url}/v1/chat/completions", json=benign_body(99),
                             headers={"x-account-id": "acct_benign"})  # fmt: skip
        assert answer.status_code == 200, answer.text
    # The same log, offline, once nginx has written the last request's line (it writes the
    # access log after the response, so the copy could otherwise miss it).
    deadline = time.monotonic() + 10.0
    while b'"acct_benign"' not in gateway.log.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.05)
    log = tmp_path / "nginx.jsonl"
    log.write_bytes(gateway.log.read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "detect", "--format", "nginx", "--input", str(log),
         "--output", str(tmp_path / "verdicts.jsonl")],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "accounts: 11" in result.stderr, result.stderr  # 10 odd ones and acct_benign
    assert orjson.loads(shipper.lines[0])["request_body"]  # the body reached the log
