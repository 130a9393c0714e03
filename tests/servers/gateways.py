"""Real gateways and what stands around them, for the gateway tests and the latency benchmark.

* :class:`MockModel` - ``tests/servers/mock_llm.py``, an OpenAI-compatible model server;
* :class:`HarvestguardApi` - ``harvestguard api`` (the inline check and push ingestion);
* :class:`LiteLLMProxy` - the real LiteLLM proxy (``litellm`` from its own virtualenv,
  :data:`LITELLM_VENV`, made by ``tests/run.sh``) with harvestguard's callback and,
  optionally, its guardrail from ``deploy/litellm/``; no database, a master key;
* :class:`NginxGateway` - Debian's nginx with ``deploy/nginx/nginx.conf``, its ports
  rewritten to the free ones picked here.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import urllib.request
from pathlib import Path

import yaml

from tests.servers.process import HOST, ServerError, _ManagedServer, _port_open, find_tool

REPO = Path(__file__).resolve().parent.parent.parent
LITELLM_VERSION = "1.108.7"
LITELLM_VENV = Path(
    os.environ.get("HARVESTGUARD_LITELLM_VENV", f"/opt/harvestguard/litellm-{LITELLM_VERSION}")
)
MASTER_KEY = "sk-harvestguard-test-master-0123456789"
API_TOKEN = secrets.token_urlsafe(24)
INGEST_TOKEN = secrets.token_urlsafe(24)


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _repo_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


class MockModel(_ManagedServer):
    name = "mock-llm"

    def _argv(self) -> list[str]:
        return [sys.executable, "-m", "tests.servers.mock_llm", str(self.port)]

    def _env(self) -> dict[str, str]:
        return _repo_env()

    def _answers(self) -> bool:
        return _http_ok(f"http://{HOST}:{self.port}/health")

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/v1"


class HarvestguardApi(_ManagedServer):
    """``harvestguard api`` with the given settings (``HARVESTGUARD_*`` without the prefix)."""

    name = "harvestguard-api"

    def __init__(self, settings: dict[str, str], port: int | None = None) -> None:
        super().__init__(port)
        self.settings = settings

    def _argv(self) -> list[str]:
        return [sys.executable, "-m", "service.cli", "api", "--port", str(self.port)]

    def _env(self) -> dict[str, str]:
        settings = {
            "API_TOKEN": API_TOKEN,
            "INGEST_TOKEN": INGEST_TOKEN,
            "METRICS_PORT": "0",
            **self.settings,
        }
        return _repo_env(**{f"HARVESTGUARD_{k.upper()}": v for k, v in settings.items()})

    def _answers(self) -> bool:
        return _http_ok(f"http://{HOST}:{self.port}/healthz")

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def find_litellm() -> Path:
    binary = LITELLM_VENV / "bin" / "litellm"
    if not binary.exists():
        raise ServerError(
            f"{binary} not found: bash tests/run.sh creates LiteLLM {LITELLM_VERSION}'s "
            "virtualenv there (or set HARVESTGUARD_LITELLM_VENV)"
        )
    return binary


class LiteLLMProxy(_ManagedServer):
    """The LiteLLM proxy in front of ``model``, with harvestguard's callback (and guardrail)."""

    name = "litellm"

    def __init__(
        self, model_url: str, env: dict[str, str], guardrail: bool = True, port: int | None = None
    ) -> None:
        super().__init__(port)
        self.model_url = model_url
        self.extra_env = env
        self.guardrail = guardrail
        for name in ("harvestguard_callback.py", "harvestguard_guardrail.py"):
            shutil.copy(REPO / "deploy" / "litellm" / name, self.workdir / name)
        callbacks = ["harvestguard_callback.proxy_handler_instance"]
        if guardrail:
            callbacks.append("harvestguard_guardrail.guardrail_instance")
        # The shipped config, its model replaced by the mock.
        config = yaml.safe_load((REPO / "deploy" / "litellm" / "config.yaml").read_text())
        config["model_list"] = [{"model_name": "chat-large", "litellm_params": {
            "model": "openai/mock", "api_base": model_url, "api_key": "none"}}]  # fmt: skip
        config["litellm_settings"]["callbacks"] = callbacks
        (self.workdir / "config.yaml").write_text(yaml.safe_dump(config))

    def _argv(self) -> list[str]:
        return [str(find_litellm()), "--config", "config.yaml", "--host", HOST,
                "--port", str(self.port), "--num_workers", "1"]  # fmt: skip

    def _env(self) -> dict[str, str]:
        return _repo_env(
            LITELLM_MASTER_KEY=MASTER_KEY,
            LITELLM_LOCAL_MODEL_COST_MAP="True",  # no fetch from the internet at start
            LITELLM_LOG="ERROR",
            DISABLE_SCHEMA_UPDATE="True",
            HARVESTGUARD_SPOOL_DIR=str(self.workdir / "spool"),
            **self.extra_env,
        )

    def _answers(self) -> bool:
        return _http_ok(f"http://{HOST}:{self.port}/health/liveliness")

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


class NginxGateway(_ManagedServer):
    """nginx with ``deploy/nginx/``; ``check=False`` drops the auth_request (a baseline)."""

    name = "nginx"

    def __init__(
        self, model_port: int, check_port: int, check: bool = True, port: int | None = None
    ) -> None:
        super().__init__(port)
        self.check = check
        target = self.workdir / "deploy" / "nginx"
        shutil.copytree(REPO / "deploy" / "nginx", target)
        (self.workdir / "logs").mkdir()
        conf = (target / "nginx.conf").read_text()
        conf = conf.replace("127.0.0.1:9000", f"{HOST}:{model_port}")
        conf = conf.replace("listen 127.0.0.1:8000", f"listen {HOST}:{self.port}")
        if not check:
            conf = conf.replace("auth_request /_harvestguard_check;", "")
        (target / "nginx.conf").write_text(conf)
        snippet = (target / "harvestguard.conf").read_text()
        (target / "harvestguard.conf").write_text(
            snippet.replace("127.0.0.1:8080", f"{HOST}:{check_port}")
        )
        self.log = self.workdir / "logs" / "harvestguard.jsonl"

    def _argv(self) -> list[str]:
        return [find_tool("nginx", "nginx"), "-p", f"{self.workdir}/",
                "-c", "deploy/nginx/nginx.conf", "-g", "daemon off;"]  # fmt: skip

    def _answers(self) -> bool:
        return _port_open(self.port)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"
