"""The monitoring configuration in deploy/: alert rules, scrape config, Alertmanager, Grafana.

The real tools check it: ``promtool check rules`` / ``check config`` / ``test rules`` (the
rule unit tests in deploy/prometheus/tests/) and ``amtool`` (configuration and routing).
The rest is cross-checks: every ``hg_`` metric the rules and the dashboard use is declared in
service/metrics.py, the scrape jobs are the ones the rules select, and the Grafana
provisioning points where docker-compose mounts the files. A missing tool FAILS the test
(``bash tests/run.sh`` installs them). tests/test_observability.py runs the rules and the
dashboard's queries against a live Prometheus.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import prometheus_client
import pytest
import yaml

from service import metrics
from tests.servers import find_tool

REPO = Path(__file__).resolve().parent.parent
PROMETHEUS_DIR = REPO / "deploy" / "prometheus"
RULES = PROMETHEUS_DIR / "harvestguard.rules.yml"
RULE_TESTS = PROMETHEUS_DIR / "tests" / "harvestguard.rules.test.yml"
PROMETHEUS_YML = PROMETHEUS_DIR / "prometheus.yml"
ALERTMANAGER_YML = REPO / "deploy" / "alertmanager" / "alertmanager.yml"
GRAFANA = REPO / "deploy" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "harvestguard.json"
COMPOSE = REPO / "docker-compose.yml"

# Metrics of other exporters that the dashboard may use (redis_exporter; Prometheus itself).
FOREIGN_METRICS = {
    "up",
    "ALERTS",
    "redis_memory_used_bytes",
    "redis_memory_used_startup_bytes",
    "redis_keys_count",
}
ALERTS_REQUIRED = {
    "HarvestGuardCampaignDetected",
    "HarvestGuardFlaggedAccountsSurge",
    "HarvestGuardDeadLetterGrowing",
    "HarvestGuardConsumerLagRising",
    "HarvestGuardWorkerDown",
    "HarvestGuardInlineCheckSlow",
}


def run(argv: list[str], cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=60)


def declared_series() -> set[str]:
    """Every series name service/metrics.py can expose (counters with _total, histograms' parts)."""
    names: set[str] = set()
    for value in vars(metrics).values():
        if not isinstance(value, prometheus_client.metrics.MetricWrapperBase):
            continue
        for family in value.describe():
            if family.type == "counter":
                names.add(f"{family.name}_total")
            elif family.type == "histogram":
                names.update(f"{family.name}_{part}" for part in ("bucket", "count", "sum"))
            else:
                names.add(family.name)
    return names


def rules() -> list[dict[str, Any]]:
    doc = yaml.safe_load(RULES.read_text())
    return [rule for group in doc["groups"] for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    board = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in board["panels"] for t in p.get("targets", [])]
    exprs += [a["expr"] for a in board["annotations"]["list"] if "expr" in a]
    exprs += [v["definition"] for v in board["templating"]["list"] if "definition" in v]
    return exprs


def metric_names(expr: str) -> set[str]:
    """The metric names in a PromQL expression: ours (hg_), redis_exporter's and Prometheus's."""
    expr = re.sub(r'"[^"]*"', '""', expr)  # label values and strings are not names
    words = set(re.findall(r"(?<![$\w])[a-zA-Z_:][a-zA-Z0-9_:]*", expr))
    return {w for w in words if w.startswith(("hg_", "redis_")) or w in FOREIGN_METRICS}


# --------------------------------------------------------------------------- promtool


def test_promtool_check_rules() -> None:
    promtool = find_tool("promtool", "prometheus")
    result = run([promtool, "check", "rules", str(RULES)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules())} rules found" in result.stdout


def test_promtool_check_config_of_the_compose_prometheus() -> None:
    promtool = find_tool("promtool", "prometheus")
    result = run([promtool, "check", "config", str(PROMETHEUS_YML)])
    assert result.returncode == 0, result.stdout + result.stderr
    # The rules file is found relative to the config, as it is once mounted in the container.
    assert "SUCCESS: 1 rule files found" in result.stdout


def test_promtool_rule_unit_tests_pass() -> None:
    promtool = find_tool("promtool", "prometheus")
    result = run([promtool, "test", "rules", str(RULE_TESTS)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_rule_unit_tests_cover_every_alert_and_would_catch_a_broken_rule(tmp_path: Path) -> None:
    promtool = find_tool("promtool", "prometheus")
    tests = yaml.safe_load(RULE_TESTS.read_text())
    tested = {
        case["alertname"]
        for test in tests["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    alerts = {rule["alert"] for rule in rules()}
    assert alerts >= ALERTS_REQUIRED
    assert tested == alerts, f"alerts never seen firing in a unit test: {alerts - tested}"

    # The same tests against rules that never fire must fail: they assert firing, not syntax.
    silenced = yaml.safe_load(RULES.read_text())
    for group in silenced["groups"]:
        for rule in group["rules"]:
            rule["expr"] = f"({rule['expr'].strip()}) and on () vector(0) > 1"
    (tmp_path / "tests").mkdir()
    (tmp_path / RULES.name).write_text(yaml.safe_dump(silenced))
    (tmp_path / "tests" / RULE_TESTS.name).write_text(RULE_TESTS.read_text())
    result = run([promtool, "test", "rules", str(tmp_path / "tests" / RULE_TESTS.name)])
    assert result.returncode != 0
    report = result.stdout + result.stderr
    for alert in alerts:
        assert f"alertname: {alert}," in report, alert


def test_rules_carry_severity_and_a_summary() -> None:
    for rule in rules():
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        assert rule["annotations"]["summary"].startswith("harvestguard"), rule["alert"]
        assert rule["annotations"]["description"], rule["alert"]


def test_rules_and_dashboard_use_only_declared_metrics() -> None:
    declared = declared_series()
    used: set[str] = set()
    for expr in [rule["expr"] for rule in rules()] + dashboard_exprs():
        used |= metric_names(expr)
    unknown = {n for n in used if n.startswith("hg_") and n not in declared}
    assert not unknown, f"not declared in service/metrics.py: {sorted(unknown)}"
    assert {n for n in used if not n.startswith("hg_")} <= FOREIGN_METRICS
    # The brief's must-haves are really queried.
    for name in (
        "hg_verdict_changes_total",
        "hg_dlq_published_total",
        "hg_consumer_lag_records",
        "hg_check_duration_seconds_bucket",
        "hg_events_processed_total",
    ):
        assert name in used, name


def test_scrape_jobs_are_the_ones_the_rules_and_dashboard_select() -> None:
    config = yaml.safe_load(PROMETHEUS_YML.read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert {"harvestguard-worker", "harvestguard-api", "redis"} <= set(jobs)
    rule_text = RULES.read_text()
    assert 'up{job="harvestguard-worker"}' in rule_text
    assert 'up{job="harvestguard-api"}' in rule_text
    board = json.loads(DASHBOARD.read_text())
    job_var = next(v for v in board["templating"]["list"] if v["name"] == "job")
    assert re.fullmatch(r'.*job=~"harvestguard\.\*".*', job_var["definition"])
    # Targets are compose services on the ports the services listen on.
    compose = yaml.safe_load(COMPOSE.read_text())["services"]
    worker_port = compose["worker"]["environment"]["HARVESTGUARD_METRICS_PORT"]
    api_port = compose["api"]["environment"]["HARVESTGUARD_API_PORT"]
    assert jobs["harvestguard-worker"]["static_configs"][0]["targets"] == [f"worker:{worker_port}"]
    check_port = compose["check"]["environment"]["HARVESTGUARD_API_PORT"]
    assert jobs["harvestguard-api"]["static_configs"][0]["targets"] == [
        f"api:{api_port}",
        f"check:{check_port}",
    ]
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == [
        "alertmanager:9093"
    ]
    exporter = " ".join(compose["redis-exporter"]["command"])
    assert "--count-keys=db0=hg:*:s" in exporter  # the key pattern the dashboard divides by


# --------------------------------------------------------------------------- Alertmanager


def test_amtool_checks_the_alertmanager_config() -> None:
    amtool = find_tool("amtool", "prometheus-alertmanager")
    result = run([amtool, "check-config", str(ALERTMANAGER_YML)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.mark.parametrize(
    ("labels", "receiver"),
    [
        (["alertname=HarvestGuardCampaignDetected", "severity=critical"], "oncall-webhook"),
        (["alertname=HarvestGuardWorkerDown", "severity=critical"], "oncall-webhook"),
        (
            ["alertname=HarvestGuardDeadLetterGrowing", "severity=warning"],
            "trust-and-safety-webhook",
        ),
        (["alertname=SomethingElse"], "trust-and-safety-webhook"),
    ],
)
def test_alertmanager_routes_by_severity(labels: list[str], receiver: str) -> None:
    amtool = find_tool("amtool", "prometheus-alertmanager")
    result = run(
        [amtool, "config", "routes", "test", "--config.file", str(ALERTMANAGER_YML),
         f"--verify.receivers={receiver}", *labels]
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == receiver


def test_alertmanager_groups_by_alertname_and_severity_into_webhooks() -> None:
    config = yaml.safe_load(ALERTMANAGER_YML.read_text())
    assert config["route"]["group_by"] == ["alertname", "severity"]
    receivers = {r["name"]: r for r in config["receivers"]}
    for receiver in receivers.values():
        assert receiver["webhook_configs"][0]["url"].startswith("http://alert-sink:5001/")
    compose = yaml.safe_load(COMPOSE.read_text())["services"]
    assert "alert-sink" in compose
    # Every severity the rules use is routed somewhere explicit.
    routed = {m.split("=")[1].strip(' "') for r in config["route"]["routes"] for m in r["matchers"]}
    assert {rule["labels"]["severity"] for rule in rules()} <= routed


def test_webhook_sink_prints_one_line_per_alert() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "webhook_sink", REPO / "deploy" / "alertmanager" / "webhook_sink.py"
    )
    assert spec is not None and spec.loader is not None
    sink = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sink)
    lines = sink.describe(
        "/oncall",
        {"alerts": [
            {"status": "firing", "labels": {"alertname": "HarvestGuardCampaignDetected",
             "severity": "critical"}, "annotations": {"summary": "harvestguard: 2 blocked"}},
            {"status": "resolved", "labels": {"alertname": "X"}, "annotations": {}},
        ]},
    )  # fmt: skip
    assert lines == [
        "/oncall FIRING HarvestGuardCampaignDetected severity=critical harvestguard: 2 blocked",
        "/oncall RESOLVED X severity=? ",
    ]


# --------------------------------------------------------------------------- Grafana


def test_dashboard_structure() -> None:
    board = json.loads(DASHBOARD.read_text())
    assert board["uid"] == "harvestguard"
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert {"datasource", "job", "instance"} <= set(variables)
    assert variables["datasource"]["type"] == "datasource"
    panels = [p for p in board["panels"] if p["type"] != "row"]
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    titles = " | ".join(p["title"] for p in panels).lower()
    for wanted in (
        "throughput",
        "lag",
        "verdict",
        "reason",
        "latency",
        "dead-letter",
        "redis memory",
    ):
        assert wanted in titles, wanted
    for panel in panels:
        assert panel["targets"], panel["title"]
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${datasource}"
            expr = target["expr"]
            if "hg_" in expr:  # harvestguard's own series follow the job/instance variables
                assert 'job=~"$job"' in expr and 'instance=~"$instance"' in expr, expr
    # Panels do not overlap on the 24-column grid.
    cells: set[tuple[int, int]] = set()
    for p in board["panels"]:
        g = p["gridPos"]
        assert g["x"] + g["w"] <= 24
        box = {
            (x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])
        }
        assert not cells & box, p["title"]
        cells |= box


def test_grafana_provisioning_matches_the_compose_mounts() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())["services"]["grafana"]
    mounts = dict(v.split(":")[:2] for v in compose["volumes"])
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    dashboards_dir = mounts["./deploy/grafana/dashboards"]
    provider = yaml.safe_load(
        (GRAFANA / "provisioning" / "dashboards" / "harvestguard.yml").read_text()
    )
    assert provider["providers"][0]["options"]["path"] == dashboards_dir
    home = compose["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == f"{dashboards_dir}/{DASHBOARD.name}"
    sources = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    source = sources["datasources"][0]
    assert source["type"] == "prometheus" and source["isDefault"] is True
    assert source["url"] == "http://prometheus:9090"
    ports = yaml.safe_load(COMPOSE.read_text())["services"]["prometheus"]["ports"]
    assert "127.0.0.1:9090:9090" in ports
