"""docker-compose.yml and deploy/Dockerfile: valid, ordered, and wired to the real settings.

``docker-compose config`` (Debian's docker-compose, no Docker engine needed) validates the
file and resolves its variables; the rest checks the wiring a typo would break: start-up
order, topics, ports, settings names, the commands against the real CLI parser, and the
image against pyproject.toml. A missing docker-compose FAILS the test (``bash tests/run.sh``
installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.cli import build_parser
from service.settings import Settings

REPO = Path(__file__).resolve().parent.parent
COMPOSE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "deploy" / "Dockerfile"
SETTINGS_ENV = {f"HARVESTGUARD_{name.upper()}" for name in Settings.model_fields}
HARVESTGUARD_SERVICES = ("worker", "api", "check", "simulator")
SIMULATOR_COMMAND = ["simulate", "mixed", "--to", "kafka", "--bootstrap", "kafka:9092",
                     "--speed", "60x"]  # fmt: skip


def docker_compose() -> str:
    path = shutil.which("docker-compose")
    if path is None:
        pytest.fail(
            "docker-compose not found on PATH: apt-get install -y docker-compose "
            "(bash tests/run.sh does)",
            pytrace=False,
        )
    return path


def compose_config(env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("HARVESTGUARD_", "GRAFANA_"))
    }
    environ.update(env or {})
    return subprocess.run(
        [docker_compose(), "-f", str(COMPOSE), "config"],
        cwd=REPO, capture_output=True, text=True, timeout=60, env=environ,
    )  # fmt: skip


def services() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text())["services"])


# --------------------------------------------------------------------------- compose


# The API's tokens have no default in the file: every `config` run is given some.
TOKENS = {
    "HARVESTGUARD_API_TOKEN": "x7Gq2vN9pLr4Ws8Kd1Zt",
    "HARVESTGUARD_INGEST_TOKEN": "Qm3Tz8Rb1Vw6Hy5Lc0Jk",
}


def test_docker_compose_config_is_valid() -> None:
    result = compose_config(TOKENS)
    assert result.returncode == 0, result.stderr


def test_api_tokens_come_from_the_environment_without_a_default() -> None:
    from service.api.security import check_tokens

    for missing in TOKENS:
        refused = compose_config({k: v for k, v in TOKENS.items() if k != missing})
        assert refused.returncode != 0
        assert f"set {missing} to" in refused.stderr  # the error says what to set
    resolved = yaml.safe_load(compose_config(TOKENS).stdout)["services"]["api"]["environment"]
    assert {k: resolved[k] for k in TOKENS} == TOKENS
    check_tokens(TOKENS["HARVESTGUARD_API_TOKEN"], TOKENS["HARVESTGUARD_INGEST_TOKEN"], False)
    assert "_TOKEN:-" not in COMPOSE.read_text()  # no default token (":-")


def test_every_published_port_is_bound_to_loopback() -> None:
    published = [port for spec in services().values() for port in spec.get("ports", [])]
    assert published and all(port.startswith("127.0.0.1:") for port in published), published


def test_the_stack_has_every_service() -> None:
    assert set(services()) >= {
        "kafka", "topics", "redis", "redis-exporter", "worker", "api", "check", "simulator",
        "prometheus", "alertmanager", "alert-sink", "grafana",
    }  # fmt: skip


def test_kafka_is_apache_kafka_in_kraft_mode_with_the_topics_created() -> None:
    svc = services()
    kafka = svc["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = kafka["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert not any("ZOOKEEPER" in key for key in env)
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    script = svc["topics"]["command"][0]
    loop = re.search(r"for topic in ([^;]+);", script)
    assert loop is not None
    defaults = Settings()
    assert loop.group(1).split() == [
        defaults.topic_requests,
        defaults.topic_dlq,
        defaults.topic_alerts,
    ]
    assert "--if-not-exists" in script and "--partitions 4" in script


def test_start_up_order_is_enforced_by_conditions() -> None:
    svc = services()
    for name, spec in svc.items():
        depends = spec.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on without conditions"
        for dependency, rule in depends.items():
            condition = rule["condition"]
            target = svc[dependency]
            if condition == "service_healthy":
                assert "healthcheck" in target, f"{name} waits for {dependency}'s health"
            else:
                assert condition == "service_completed_successfully", (name, dependency)
                assert target.get("restart") == "no", f"{dependency} is a one-shot"

    def before(name: str) -> set[str]:
        out: set[str] = set()
        for dependency in svc[name].get("depends_on", {}):
            out |= {dependency} | before(dependency)
        return out

    assert {"kafka", "topics", "redis"} <= before("worker")
    assert {"kafka", "topics", "redis"} <= before("api")
    assert {"worker", "api", "topics"} <= before("simulator")
    assert "prometheus" in before("grafana") and "alertmanager" in before("prometheus")
    for name in ("kafka", "redis", "worker", "api", "prometheus", "alertmanager", "grafana"):
        assert "healthcheck" in svc[name], name


def test_harvestguard_services_use_real_settings_and_commands() -> None:
    svc = services()
    parser = build_parser()
    for name in HARVESTGUARD_SERVICES:
        spec = svc[name]
        assert spec["build"]["dockerfile"] == "deploy/Dockerfile"
        assert (REPO / spec["build"]["context"] / spec["build"]["dockerfile"]).is_file()
        for key in spec.get("environment", {}):
            assert key in SETTINGS_ENV, f"{name}: {key} is no harvestguard setting"
        parser.parse_args(spec["command"])  # the real CLI accepts it (exits on error)
    assert svc["simulator"]["command"] == SIMULATOR_COMMAND
    worker = svc["worker"]["environment"]
    api = svc["api"]["environment"]
    assert (
        worker["HARVESTGUARD_KAFKA_BOOTSTRAP"]
        == api["HARVESTGUARD_KAFKA_BOOTSTRAP"]
        == ("kafka:9092")
    )
    assert worker["HARVESTGUARD_STORE"] == api["HARVESTGUARD_STORE"] == "redis"
    assert worker["HARVESTGUARD_REDIS_URL"] == api["HARVESTGUARD_REDIS_URL"]
    assert api["HARVESTGUARD_API_HOST"] == "0.0.0.0"
    # Health checks probe the ports the services listen on.
    metrics_port = worker["HARVESTGUARD_METRICS_PORT"]
    api_port = api["HARVESTGUARD_API_PORT"]
    assert f"127.0.0.1:{metrics_port}/metrics" in " ".join(svc["worker"]["healthcheck"]["test"])
    assert f"127.0.0.1:{api_port}/readyz" in " ".join(svc["api"]["healthcheck"]["test"])
    assert f"127.0.0.1:{metrics_port}:{metrics_port}" in svc["worker"]["ports"]
    assert f"127.0.0.1:{api_port}:{api_port}" in svc["api"]["ports"]


def test_the_inline_check_runs_in_its_own_process_on_the_shared_store() -> None:
    svc = services()
    parser = build_parser()
    roles = {name: parser.parse_args(svc[name]["command"]).role for name in ("api", "check")}
    assert roles == {"api": "ingest", "check": "check"}
    api, check = svc["api"]["environment"], svc["check"]["environment"]
    # Split roles share state through Redis: the same store, server and key prefix.
    for key in ("HARVESTGUARD_STORE", "HARVESTGUARD_REDIS_URL", "HARVESTGUARD_REDIS_PREFIX"):
        assert api.get(key) == check.get(key), key
    assert check["HARVESTGUARD_STORE"] == "redis"
    port = check["HARVESTGUARD_API_PORT"]
    assert f"127.0.0.1:{port}/readyz" in " ".join(svc["check"]["healthcheck"]["test"])
    published = {p.rsplit(":", 2)[1] for p in svc["api"]["ports"] + svc["check"]["ports"]}
    assert len(published) == 2  # each on its own host port
    assert {"check", "api"} <= set(svc["simulator"]["depends_on"])


def test_mounted_files_exist() -> None:
    for name, spec in services().items():
        for volume in spec.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (REPO / source).exists(), f"{name} mounts a missing {source}"


# --------------------------------------------------------------------------- Dockerfile


def dockerfile_lines() -> list[str]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_image_contains_every_package_and_runs_the_cli_unprivileged() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    lines = dockerfile_lines()
    # COPY SOURCE... DEST: every source named in a COPY.
    copied = {src for line in lines if line.startswith("COPY") for src in line.split()[1:-1]}
    for pattern in project["tool"]["setuptools"]["packages"]["find"]["include"]:
        assert pattern.rstrip("*") in copied, pattern
    assert {"pyproject.toml", project["project"]["readme"]} <= copied
    # The simulator's packaged digest travels with the simulations package.
    assert list((REPO / "simulations" / "data").glob("*.npz"))
    script = next(iter(project["project"]["scripts"]))
    assert lines[-2] == f'ENTRYPOINT ["{script}"]'
    user = [line for line in lines if line.startswith("USER")]
    assert user and user[-1].split()[1] not in {"root", "0"}
    workdir = [line.split()[1] for line in lines if line.startswith("WORKDIR")][-1]
    assert any(line.startswith("RUN") and f"chown -R nobody:nogroup {workdir}" in line
               for line in lines)  # fmt: skip
    # The simulator's labels volume is the image's writable ./out.
    assert f"simulator-out:{workdir}/out" in services()["simulator"]["volumes"]


def test_image_exposes_the_default_ports() -> None:
    defaults = Settings()
    exposed = {
        int(port) for line in dockerfile_lines() if line.startswith("EXPOSE")
        for port in line.split()[1:]
    }  # fmt: skip
    assert exposed == {defaults.metrics_port, defaults.api_port}
