"""The Kubernetes examples in deploy/k8s/: parsed with PyYAML and their wiring checked.

No cluster is needed: the checks are the mistakes a cluster would only show at run time.
Every ``HARVESTGUARD_*`` variable is a field of service.settings.Settings; probes point at
container ports that exist and at the API's /healthz and /readyz; the API token comes from
the Secret, never a literal; the sidecar's port is the one deploy/envoy/envoy.yaml calls;
worker replicas fit the partitions; every container requests CPU and memory; the
pod-discovery scrape config keeps exactly these pods and ports under the job names the
alert rules select.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from service.settings import Settings

REPO = Path(__file__).resolve().parent.parent
K8S = REPO / "deploy" / "k8s"
SETTINGS_ENV = {f"HARVESTGUARD_{name.upper()}" for name in Settings.model_fields}
SECRET_ENV = {"HARVESTGUARD_API_TOKEN", "HARVESTGUARD_INGEST_TOKEN"}


def documents(name: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all((K8S / name).read_text()) if doc]


def kustomization() -> dict[str, Any]:
    return documents("kustomization.yaml")[0]


def applied() -> list[dict[str, Any]]:
    """Every object `kubectl apply -k deploy/k8s` creates."""
    return [doc for name in kustomization()["resources"] for doc in documents(name)]


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in applied() if doc["kind"] == kind}


def containers() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(deployment name, pod spec, container) for every container of every Deployment."""
    for name, deployment in by_kind("Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        for container in pod["containers"]:
            yield name, pod, container


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in container.get("env", [])}


def configmap_env(container: dict[str, Any]) -> dict[str, str]:
    maps = by_kind("ConfigMap")
    out: dict[str, str] = {}
    for source in container.get("envFrom", []):
        out.update(maps[source["configMapRef"]["name"]]["data"])
    return out


def setting(container: dict[str, Any], field: str) -> str:
    """The value a container's process sees for a setting (env, ConfigMap, or the default)."""
    key = f"HARVESTGUARD_{field.upper()}"
    env = env_of(container)
    if key in env:
        return str(env[key]["value"])
    return str(configmap_env(container).get(key, getattr(Settings(), field)))


def port_number(container: dict[str, Any], port: int | str) -> int:
    numbers = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    if isinstance(port, int):
        assert port in numbers.values(), f"{container['name']}: no containerPort {port}"
        return port
    assert port in numbers, f"{container['name']}: no port named {port!r}"
    return int(numbers[port])


def is_harvestguard(container: dict[str, Any]) -> bool:
    return bool(container["image"] == "harvestguard")


# --------------------------------------------------------------------------- tests


def test_every_manifest_parses_and_is_listed() -> None:
    listed = set(kustomization()["resources"])
    manifests = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    # The Secret is an example of shape only: created by hand with a random value.
    assert manifests - listed == {"secret.example.yaml"}
    kinds = {doc["kind"] for doc in applied()}
    assert {"Deployment", "Service", "ConfigMap", "NetworkPolicy"} <= kinds
    assert "Secret" not in kinds
    assert set(by_kind("Deployment")) == {"harvestguard-worker", "llm-gateway", "harvestguard-api"}
    assert any(i["name"] == "harvestguard" for i in kustomization()["images"])


def test_selectors_match_pod_labels() -> None:
    pods = {}
    for name, deployment in by_kind("Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
        pods[name] = labels
    for name, service in by_kind("Service").items():
        selector = service["spec"]["selector"].items()
        matched = [d for d, labels in pods.items() if selector <= labels.items()]
        assert matched, f"Service {name} selects no pod"
        for port in service["spec"]["ports"]:
            pod = by_kind("Deployment")[matched[0]]["spec"]["template"]["spec"]
            assert any(
                p["name"] == port["targetPort"] for c in pod["containers"] for p in c["ports"]
            ), (name, port)
    for name, policy in by_kind("NetworkPolicy").items():
        selector = policy["spec"]["podSelector"]["matchLabels"].items()
        matched = [d for d, labels in pods.items() if selector <= labels.items()]
        assert matched, f"NetworkPolicy {name} selects no pod"
        names = {p["name"] for d in matched
                 for c in by_kind("Deployment")[d]["spec"]["template"]["spec"]["containers"]
                 for p in c["ports"]}  # fmt: skip
        for rule in policy["spec"]["ingress"]:
            for port in rule["ports"]:
                assert port["port"] in names, (name, port)


def test_every_harvestguard_variable_is_a_setting() -> None:
    for key in by_kind("ConfigMap")["harvestguard-config"]["data"]:
        assert key in SETTINGS_ENV, key
    seen = 0
    for name, _pod, container in containers():
        for key in env_of(container):
            if key.startswith("HARVESTGUARD_"):
                assert key in SETTINGS_ENV, f"{name}/{container['name']}: {key}"
                seen += 1
        if is_harvestguard(container):
            for key, value in configmap_env(container).items():
                # The value parses as that setting (Settings validates types and choices).
                Settings.model_validate({key.removeprefix("HARVESTGUARD_").lower(): value})
    assert seen


def test_the_api_token_comes_from_the_secret() -> None:
    example = documents("secret.example.yaml")[0]
    assert example["kind"] == "Secret"
    keys = set(example["stringData"])
    api_containers = [c for _, _, c in containers() if is_harvestguard(c) and c["args"][0] == "api"]
    assert len(api_containers) == 2  # the sidecar and the standalone API
    for container in api_containers:
        env = env_of(container)
        # Both tokens: no token, no API (it refuses to start); the check role ingests
        # nothing, so it needs the analyst token only.
        needed = (
            SECRET_ENV
            if container["args"][1:] != ["--role", "check"]
            else {"HARVESTGUARD_API_TOKEN"}
        )
        for variable in needed:
            token = env[variable]
            assert "value" not in token
            ref = token["valueFrom"]["secretKeyRef"]
            assert ref["name"] == example["metadata"]["name"] and ref["key"] in keys
            assert not ref.get("optional", False)
    for name, _pod, container in containers():
        for key in SECRET_ENV & set(env_of(container)):
            assert "secretKeyRef" in env_of(container)[key]["valueFrom"], (name, key)
        assert not SECRET_ENV & set(configmap_env(container)), name
    # The example value is refused by the API, so it cannot be applied by mistake.
    from service.api.security import InsecureSettings, check_token

    try:
        check_token("HARVESTGUARD_API_TOKEN", example["stringData"]["api-token"], True)
    except InsecureSettings:
        pass
    else:
        raise AssertionError("the example token would be accepted")


def test_api_probes_ports_and_listen_address() -> None:
    readiness_paths = set()
    for name, _pod, container in containers():
        if not (is_harvestguard(container) and container["args"][0] == "api"):
            continue
        port = int(setting(container, "api_port"))
        assert setting(container, "api_host") == "0.0.0.0", name  # probes come from outside
        live = container["livenessProbe"]["httpGet"]
        ready = container["readinessProbe"]["httpGet"]
        assert live["path"] == "/healthz", name
        assert ready["path"] in {"/healthz", "/readyz"}, name
        readiness_paths.add((name, ready["path"]))
        assert port_number(container, live["port"]) == port
        assert port_number(container, ready["port"]) == port
    # The standalone API's readiness is the store's; the sidecar's must not take the gateway
    # out of service when Redis is down (it fails open instead).
    assert readiness_paths == {("harvestguard-api", "/readyz"), ("llm-gateway", "/healthz")}


def test_sidecar_pod_pairs_envoy_with_the_api_on_the_port_envoy_calls() -> None:
    gateway = by_kind("Deployment")["llm-gateway"]["spec"]["template"]["spec"]
    named = {c["name"]: c for c in gateway["containers"]}
    assert set(named) == {"envoy", "harvestguard-api"}
    envoy_config = yaml.safe_load((REPO / "deploy" / "envoy" / "envoy.yaml").read_text())
    clusters = {c["name"]: c for c in envoy_config["static_resources"]["clusters"]}
    address = clusters["harvestguard"]["load_assignment"]["endpoints"][0]["lb_endpoints"][0]
    socket = address["endpoint"]["address"]["socket_address"]
    assert socket["address"] == "127.0.0.1"  # same pod: loopback
    assert socket["port_value"] == int(setting(named["harvestguard-api"], "api_port"))
    listener = envoy_config["static_resources"]["listeners"][0]["address"]["socket_address"]
    assert port_number(named["envoy"], "http") == listener["port_value"]
    # Envoy reads the config from the ConfigMap made of deploy/envoy/envoy.yaml.
    args = named["envoy"]["args"]
    config_path = Path(args[args.index("--config-path") + 1])
    mount = next(
        m for m in named["envoy"]["volumeMounts"] if m["mountPath"] == str(config_path.parent)
    )
    volume = next(v for v in gateway["volumes"] if v["name"] == mount["name"])
    assert volume["configMap"]["name"] == "gateway-envoy"
    assert (
        "--from-file=envoy.yaml=deploy/envoy/envoy.yaml" in (K8S / "kustomization.yaml").read_text()
    )
    assert config_path.name == "envoy.yaml"
    # The ext_authz filter calls the sidecar's check route.
    text = (REPO / "deploy" / "envoy" / "envoy.yaml").read_text()
    assert "path_prefix: /v1/check" in text


def test_the_sidecar_only_checks_and_the_standalone_api_ingests() -> None:
    from service.cli import build_parser

    roles = {}
    for name, _pod, container in containers():
        if is_harvestguard(container) and container["args"][0] == "api":
            roles[name] = build_parser().parse_args(container["args"]).role
    # The gateway's check never waits for a batch: ingestion runs in another process.
    assert roles == {"llm-gateway": "check", "harvestguard-api": "ingest"}
    # Split roles share state through Redis (the API refuses them with the embedded store).
    sidecar = next(c for n, _, c in containers() if n == "llm-gateway" and is_harvestguard(c))
    assert setting(sidecar, "store") == "redis"


def test_worker_deployment() -> None:
    worker = by_kind("Deployment")["harvestguard-worker"]
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    partitions = re.search(r"--partitions (\d+)", compose["topics"]["command"][0])
    assert partitions is not None
    assert 1 <= worker["spec"]["replicas"] <= int(partitions.group(1))
    pod = worker["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["args"] == ["worker"]
    port = int(setting(container, "metrics_port"))
    assert port > 0
    for probe in ("startupProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == "/metrics" and port_number(container, get["port"]) == port
    assert setting(container, "store") == "redis"
    # SIGTERM finishes the batch: give it time.
    assert pod["terminationGracePeriodSeconds"] >= 30
    annotations = worker["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(port)


def test_every_container_requests_cpu_and_memory_and_limits_memory() -> None:
    for name, _pod, container in containers():
        resources = container["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"]), (name, container["name"])
        assert "memory" in resources["limits"], (name, container["name"])


def test_harvestguard_containers_run_unprivileged() -> None:
    for name, pod, container in containers():
        if not is_harvestguard(container):
            continue
        context = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
        assert context["runAsNonRoot"] is True and context["runAsUser"] != 0, name
        assert context["allowPrivilegeEscalation"] is False, name


def test_pod_discovery_scrape_config_keeps_these_pods_under_the_rules_job_names() -> None:
    config = yaml.safe_load((K8S / "prometheus-kubernetes.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"harvestguard-worker", "harvestguard-api"}
    rules = (REPO / "deploy" / "prometheus" / "harvestguard.rules.yml").read_text()
    for job in jobs:
        assert f'job="{job}"' in rules

    def kept(job: dict[str, Any], pod_name: str, port_name: str) -> bool:
        """Apply the job's keep rules to a pod's app label and a container port name."""
        meta = {
            "__meta_kubernetes_pod_label_app_kubernetes_io_name": pod_name,
            "__meta_kubernetes_pod_container_port_name": port_name,
        }
        for rule in job["relabel_configs"]:
            if rule.get("action") != "keep":
                continue
            value = ";".join(meta[label] for label in rule["source_labels"])
            if not re.fullmatch(rule["regex"], value):
                return False
        return True

    targets = {
        (job_name, deployment, port["name"])
        for job_name, job in jobs.items()
        for deployment, _pod, container in containers()
        for port in container["ports"]
        if kept(job, deployment, port["name"])
    }
    assert targets == {
        ("harvestguard-worker", "harvestguard-worker", "metrics"),
        ("harvestguard-api", "llm-gateway", "hg-api"),
        ("harvestguard-api", "harvestguard-api", "hg-api"),
    }
    for job in jobs.values():
        assert job["kubernetes_sd_configs"][0]["namespaces"]["names"] == [
            kustomization()["namespace"]
        ]
