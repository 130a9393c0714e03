"""End to end: a real Prometheus scrapes the real worker and API, evaluates the real rules.

The suite's Tansu broker and redis-server carry the stream and the state. This test starts
Debian's ``prometheus`` on a free port with a generated scrape config (1 s scrapes and rule
evaluations) over the worker's metrics port, the sidecar API's /metrics and a
``prometheus-redis-exporter``, and loads deploy/prometheus/harvestguard.rules.yml unchanged.
It then replays traffic with a harvester (tests.factories.traffic, detector settings that flag
within a few hundred events, as in tests/test_worker.py) plus malformed and repeated
records, while a thread plays the gateway (inline checks, and now and then a push of events
to POST /v1/events), and asserts through Prometheus's HTTP API that:

* every target is up;
* HarvestGuardCampaignDetected reaches the firing state for the blocked harvester, and no
  other alert fires on this healthy stack;
* the dashboard's variables resolve (Grafana's ``label_values`` emulated) and every query of
  every panel of deploy/grafana/dashboards/harvestguard.json returns data;
* in headless Chromium, Prometheus's alerts page shows the campaign alert firing and the
  review console's queue holds the harvester (the screenshots docs/deploy.md shows).

Missing binaries FAIL the test (``bash tests/run.sh`` installs them). Bounded to 75 s.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import random
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import redis
import yaml
from kafka import KafkaProducer

from tests.browser import chromium, screenshot
from tests.factories import T0, event, traffic
from tests.servers import HOST, create_topics, find_tool, free_port

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "deploy" / "prometheus" / "harvestguard.rules.yml"
DASHBOARD = REPO / "deploy" / "grafana" / "dashboards" / "harvestguard.json"
BUDGET_S = 75.0
# A token the API accepts (16+ characters, random-looking); used only by this test.
API_TOKEN = "obs-test-Zq8r3Lw5Xk2Nv7Pj"
INGEST_TOKEN = "obs-ingest-Hc4Tw9Yd2Mf6Bs1Q"
HARVESTER = "org_harvest"
MALFORMED = [
    b"{not json",
    b'{"event_id": "bad-1", "account_id": "org_1", "model": "m",'
    b' "prompt_tokens": 1, "completion_tokens": 1}',
]
# Grafana's built-in variables, as it would set them for 1 s scrapes and a short range.
BUILTINS = {"$__rate_interval": "10s", "$__range": "5m", "$__interval": "1s"}


class Processes:
    """Processes started by this test, each logging to a file; all stopped at the end."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        with open(self.directory / f"{name}.log", "wb") as log:
            self.procs[name] = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=self.directory, env=env,
            )  # fmt: skip

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited with {proc.returncode}:\n{self.log(name)}")

    def log(self, name: str, lines: int = 40) -> str:
        text = (self.directory / f"{name}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def wait_for(what: str, probe: Callable[[], bool], deadline: float, procs: Processes) -> None:
    while True:
        procs.check_alive()
        with contextlib.suppress(httpx.HTTPError):
            if probe():
                return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


class PromAPI:
    def __init__(self, port: int) -> None:
        self.client = httpx.Client(base_url=f"http://{HOST}:{port}", timeout=5.0)

    def get(self, path: str, **params: Any) -> Any:
        response = self.client.get(path, params=params)
        response.raise_for_status()
        body = response.json()
        assert body["status"] == "success", body
        return body["data"]

    def targets(self) -> list[dict[str, Any]]:
        return list(self.get("/api/v1/targets")["activeTargets"])

    def alerts(self) -> list[dict[str, Any]]:
        return list(self.get("/api/v1/alerts")["alerts"])

    def label_values(self, selector: str, label: str) -> list[str]:
        return sorted(self.get(f"/api/v1/label/{label}/values", **{"match[]": selector}))

    def has_data(self, expr: str, instant: bool, start: float) -> bool:
        """At least one series with at least one finite value."""
        if instant:
            result = self.get("/api/v1/query", query=expr)["result"]
            values = [sample["value"] for sample in result]
        else:
            result = self.get(
                "/api/v1/query_range", query=expr, start=start, end=time.time(), step="1s"
            )["result"]
            values = [v for series in result for v in series["values"]]
        return any(math.isfinite(float(v)) for _, v in values)


def prometheus_config(path: Path, worker: int, api: int, exporter: int) -> None:
    def job(name: str, port: int) -> dict[str, Any]:
        return {"job_name": name, "static_configs": [{"targets": [f"{HOST}:{port}"]}]}

    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [
            job("harvestguard-worker", worker),
            job("harvestguard-api", api),
            job("redis", exporter),
        ],
    }
    path.write_text(yaml.safe_dump(config))


def harvestguard_env(bootstrap: str, redis_url: str, suffix: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARVESTGUARD_")}
    env.update(
        HARVESTGUARD_STORE="redis",
        HARVESTGUARD_REDIS_URL=redis_url,
        HARVESTGUARD_REDIS_PREFIX="hg",  # the prefix the exporter's key count matches
        HARVESTGUARD_KAFKA_BOOTSTRAP=bootstrap,
        HARVESTGUARD_TOPIC_REQUESTS=f"llm.requests.{suffix}",
        HARVESTGUARD_TOPIC_DLQ=f"llm.requests.dlq.{suffix}",
        HARVESTGUARD_TOPIC_ALERTS=f"llm.alerts.{suffix}",
        HARVESTGUARD_CONSUMER_GROUP=f"harvestguard-obs-{suffix}",
        HARVESTGUARD_SESSION_TIMEOUT_MS="6000",
        HARVESTGUARD_MAX_POLL_RECORDS="500",
        HARVESTGUARD_LEARN_INTERVAL_S="0",
        **extra,
    )
    return env


def produce_traffic(bootstrap: str, topic: str) -> int:
    """Benign traffic with one harvester, two malformed records and five repeated events."""
    events = list(traffic(events=8000))
    records = [(e["account_id"].encode(), orjson.dumps(e)) for e in events]
    records[100:100] = [(b"org_1", raw) for raw in MALFORMED]
    repeated = [e for e in events if e["account_id"] == HARVESTER][-5:]
    records += [(e["account_id"].encode(), orjson.dumps(e)) for e in repeated]
    # A stream, not one burst: ten slices over about three seconds, so that the worker's
    # batches span several 1 s scrapes and rates (batch time, throughput) have two samples.
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, batch_size=256 << 10)
    try:
        step = len(records) // 10 + 1
        for start in range(0, len(records), step):
            for key, value in records[start : start + step]:
                producer.send(topic, key=key, value=value)
            producer.flush()
            time.sleep(0.3)
    finally:
        producer.close()
    return len(records)


@contextlib.contextmanager
def gateway(api_port: int) -> Iterator[dict[str, int]]:
    """Call the sidecar as a gateway would: inline checks in a loop, pushed events now and then.

    Yields the count of answers by ``"<is harvester>:<status>"`` and ``"push:<status>"``.
    """
    statuses: dict[str, int] = {}
    stop = threading.Event()
    accounts = [HARVESTER] + [f"org_{i}" for i in range(40)]

    def loop() -> None:
        rng = random.Random(3)
        with httpx.Client(base_url=f"http://{HOST}:{api_port}", timeout=2.0) as client:
            for i in itertools.count():
                if stop.is_set():
                    break
                if i % 25 == 0:  # and, now and then, a gateway without Kafka pushes events
                    batch = [
                        event(event_id=f"push-{i}-{j}", ts=T0 + i + j / 10, account_id="org_push")
                        for j in range(10)
                    ]
                    with contextlib.suppress(httpx.HTTPError):
                        pushed = client.post(
                            "/v1/events",
                            json=batch,
                            headers={"authorization": f"Bearer {INGEST_TOKEN}"},
                        )
                        statuses[f"push:{pushed.status_code}"] = (
                            statuses.get(f"push:{pushed.status_code}", 0) + 1
                        )
                account = rng.choice(accounts)
                with contextlib.suppress(httpx.HTTPError):
                    response = client.post(
                        "/v1/check/v1/chat/completions", headers={"x-account-id": account}
                    )
                    key = f"{account == HARVESTER}:{response.status_code}"
                    statuses[key] = statuses.get(key, 0) + 1
                stop.wait(0.01)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield statuses
    finally:
        stop.set()
        thread.join(timeout=5)


def regex_of(values: list[str]) -> str:
    """A multi-value variable set to All, as Grafana interpolates it into a PromQL regex."""
    escaped = (re.sub(r"([\\^$.|?*+()\[\]{}])", r"\\\1", v) for v in values)
    return "(" + "|".join(e.replace("\\", "\\\\") for e in escaped) + ")"


def resolve_variables(prom: PromAPI, board: dict[str, Any]) -> dict[str, str]:
    """Each query variable's values from Prometheus (label_values emulated), set to All."""
    resolved: dict[str, str] = {}
    for variable in board["templating"]["list"]:
        if variable["type"] != "query":
            continue
        definition = substitute(variable["definition"], resolved)
        match = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", definition)
        assert match is not None, definition
        values = prom.label_values(match.group(1), match.group(2))
        assert values, f"dashboard variable ${variable['name']} has no values: {definition}"
        resolved[variable["name"]] = regex_of(values)
    return resolved


def substitute(expr: str, variables: dict[str, str]) -> str:
    for name, value in BUILTINS.items():
        expr = expr.replace(name, value)
    for name in sorted(variables, key=len, reverse=True):
        expr = expr.replace(f"${{{name}}}", variables[name]).replace(f"${name}", variables[name])
    assert "$" not in expr, f"unresolved variable in {expr}"
    return expr


def see_the_campaign(prom_port: int, api_port: int, tmp_path: Path) -> None:
    """Both pages in headless Chromium, with screenshots (tests/browser.py)."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        # Debian's Prometheus 2 ships the classic web UI only.
        page.goto(f"http://{HOST}:{prom_port}/classic/alerts")
        rule = page.locator("tr.alert_header", has_text="HarvestGuardCampaignDetected")
        assert "active" in rule.inner_text() and "(0 active)" not in rule.inner_text()
        rule.click()  # unfold it: its firing alerts, their labels and summary
        details = page.locator("tr.alert_details", has_text="HarvestGuardCampaignDetected")
        details.get_by_text("moved to").first.wait_for()
        assert "firing" in details.inner_text().lower()
        # Show the firing alerts only (on this busy machine, the inline-check rules may be
        # pending while Chromium starts: their `for:` keeps such blips from firing).
        page.get_by_text("Inactive (").click()
        page.get_by_text("Pending (").click()
        page.set_viewport_size({"width": 1280, "height": 1000})
        screenshot(page, "prometheus-alerts.png", tmp_path)
        page.set_viewport_size({"width": 1280, "height": 800})

        page.goto(f"http://{HOST}:{api_port}/console")
        page.fill("#token", API_TOKEN)
        page.fill("#analyst", "on-call")
        page.click("#sign-in button[type=submit]")
        page.wait_for_selector("body[data-shown]", state="attached")
        row = page.locator("section:nth-of-type(1) tbody tr").filter(has_text=HARVESTER)
        assert row.count() == 1
        assert row.locator(".badge").first.inner_text() in ("block", "throttle")
        screenshot(page, "console-campaign.png", tmp_path)


def test_prometheus_scrapes_the_stack_fires_the_campaign_alert_and_feeds_every_panel(
    kafka_bootstrap: str, redis_url: str, redis_client: redis.Redis, tmp_path: Path
) -> None:
    began = time.monotonic()
    deadline = began + BUDGET_S - 5
    prometheus = find_tool("prometheus", "prometheus")
    exporter = find_tool("prometheus-redis-exporter", "prometheus-redis-exporter")
    suffix = uuid.uuid4().hex[:8]
    env = harvestguard_env(kafka_bootstrap, redis_url, suffix)
    create_topics(
        kafka_bootstrap, [env[f"HARVESTGUARD_TOPIC_{t}"] for t in ("REQUESTS", "DLQ", "ALERTS")]
    )
    worker_port, api_port, exporter_port, prom_port = (free_port() for _ in range(4))
    prometheus_config(tmp_path / "prometheus.yml", worker_port, api_port, exporter_port)
    cli = [sys.executable, "-m", "service.cli", "--log-level", "WARNING"]
    procs = Processes(tmp_path)
    try:
        procs.start("worker", [*cli, "worker"],
                    {**env, "HARVESTGUARD_METRICS_PORT": str(worker_port)})  # fmt: skip
        api_env = {**env, "HARVESTGUARD_METRICS_PORT": "0", "HARVESTGUARD_API_TOKEN": API_TOKEN,
                   "HARVESTGUARD_INGEST_TOKEN": INGEST_TOKEN}  # fmt: skip
        procs.start("api", [*cli, "api", "--host", HOST, "--port", str(api_port)], api_env)
        procs.start("redis-exporter", [
            exporter, "-redis.addr", redis_url.rsplit("/", 1)[0],
            "-count-keys", "db0=hg:*:s", "-web.listen-address", f"{HOST}:{exporter_port}",
        ])  # fmt: skip
        procs.start("prometheus", [
            prometheus, f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address={HOST}:{prom_port}", "--log.level=warn",
        ])  # fmt: skip
        prom = PromAPI(prom_port)

        # Every target up: worker, API, Redis exporter.
        def all_up() -> bool:
            targets = prom.targets()
            return len(targets) == 3 and all(t["health"] == "up" for t in targets)

        wait_for("every target up", all_up, deadline, procs)
        jobs = {t["labels"]["job"] for t in prom.targets()}
        assert jobs == {"harvestguard-worker", "harvestguard-api", "redis"}
        window_start = time.time() - 5

        with gateway(api_port) as statuses:
            produce_traffic(kafka_bootstrap, env["HARVESTGUARD_TOPIC_REQUESTS"])

            # The campaign alert fires: the worker blocked the harvester.
            def campaign_firing() -> bool:
                return any(
                    a["labels"]["alertname"] == "HarvestGuardCampaignDetected"
                    and a["state"] == "firing"
                    for a in prom.alerts()
                )

            wait_for("HarvestGuardCampaignDetected firing", campaign_firing, deadline, procs)
            firing = [a for a in prom.alerts() if a["state"] == "firing"]
            campaign = [
                a for a in firing if a["labels"]["alertname"] == "HarvestGuardCampaignDetected"
            ]
            assert {a["labels"]["job"] for a in campaign} == {"harvestguard-worker"}
            assert {a["labels"]["action"] for a in campaign} <= {"block", "throttle"}
            assert campaign[0]["labels"]["severity"] == "critical"
            assert "moved to" in campaign[0]["annotations"]["summary"]
            # Nothing is wrong with the stack itself: no target, pipeline or inline-check alert.
            # With these quick-flagging detector settings some honest accounts are flagged too;
            # the surge alert may fire, and then only on more than 20 flags.
            names = {a["labels"]["alertname"] for a in firing}
            assert names <= {"HarvestGuardCampaignDetected", "HarvestGuardFlaggedAccountsSurge"}
            if "HarvestGuardFlaggedAccountsSurge" in names:
                flags = prom.get(
                    "/api/v1/query",
                    query='sum(hg_verdict_changes_total{action=~"review|throttle|block"})',
                )["result"]
                assert float(flags[0]["value"][1]) > 20

            # The decision reaches the inline check: the gateway is told to deny the harvester.
            wait_for(
                "a denied inline check of the harvester in Prometheus",
                lambda: prom.has_data(
                    'sum(hg_check_requests_total{outcome=~"block|throttle"}) > 0', True, 0
                ),
                deadline,
                procs,
            )

            # Every dashboard variable resolves and every panel query returns data.
            board = json.loads(DASHBOARD.read_text())
            variables = resolve_variables(prom, board)
            assert {"job", "instance", "redis"} <= set(variables)
            assert prom.label_values('up{job=~"harvestguard.*"}', "job") == [
                "harvestguard-api",
                "harvestguard-worker",
            ]
            queries = {
                (panel["title"], target["refId"]): (
                    substitute(target["expr"], variables),
                    bool(target.get("instant")),
                )
                for panel in board["panels"]
                for target in panel.get("targets", [])
            }
            assert len(queries) >= 15
            pending = dict(queries)
            while pending:
                for key, (expr, instant) in list(pending.items()):
                    if prom.has_data(expr, instant, window_start):
                        del pending[key]
                if not pending or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert not pending, "panels without data:\n" + "\n".join(
                f"{title} [{ref}]: {expr}" for (title, ref), (expr, _) in pending.items()
            )

            # What a reader sees before deploying: Prometheus's alerts page with the campaign
            # alert firing, and the review console's queue holding the same campaign.
            see_the_campaign(prom_port, api_port, tmp_path)
        # The harvester was denied inline (403 block or 429 throttle); the others allowed.
        assert statuses.get("True:403", 0) + statuses.get("True:429", 0) > 0, statuses
        assert statuses.get("False:200", 0) > 0, statuses
        assert statuses.get("push:200", 0) > 0, statuses
        assert int(redis_client.dbsize()) > 0
    except AssertionError:
        with contextlib.suppress(Exception):
            for query in ("hg_verdict_changes_total", "ALERTS"):
                found = prom.get("/api/v1/query", query=query)["result"]
                print(f"--- {query} ---\n{found}", file=sys.stderr)
        for name in procs.procs:
            print(f"--- {name} log ---\n{procs.log(name)}", file=sys.stderr)
        raise
    finally:
        procs.stop_all()
    assert time.monotonic() - began < BUDGET_S
