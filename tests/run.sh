#!/usr/bin/env bash
# The one test command: bash tests/run.sh [extra pytest args]
# Installs what the suite needs (redis-server, Prometheus's tools, docker-compose, Chromium and
# nginx from Debian, the package with its test extras, LiteLLM in its own virtualenv), then
# runs ruff, mypy and pytest. The suite starts its own redis-server (alone and as a
# three-node cluster), Tansu Kafka broker, Prometheus, nginx, LiteLLM and headless Chromium
# on free loopback ports.
# Exits non-zero on any failure, including pytest collecting no tests.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if command -v python3 >/dev/null 2>&1; then PY=python3; else PY=python; fi

# Debian packages the suite needs, installed only where their command is missing (idempotent):
#   redis-server                           the state store of the integration tests
#   redis-cli (redis-tools)                joins the test Redis Cluster (--cluster create)
#   promtool, prometheus (prometheus)      rule checks and unit tests; the end-to-end test
#   amtool (prometheus-alertmanager)       Alertmanager config and routing checks
#   prometheus-redis-exporter              Redis memory per account in the end-to-end test
#   docker-compose                         validates docker-compose.yml without an engine
#   chromium                               the review console's and Prometheus's browser tests
#   nginx, its njs module (libnginx-mod-http-js)   the nginx gateway tests (deploy/nginx/)
missing=()
for pair in redis-server:redis-server redis-cli:redis-tools promtool:prometheus prometheus:prometheus \
            amtool:prometheus-alertmanager prometheus-redis-exporter:prometheus-redis-exporter \
            docker-compose:docker-compose chromium:chromium nginx:nginx; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
[ -e /usr/lib/nginx/modules/ngx_http_js_module.so ] || missing+=(libnginx-mod-http-js)
if [ "${#missing[@]}" -gt 0 ]; then
    # Unique package names, in order.
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
    if [ "$(id -u)" -ne 0 ]; then
        echo "run.sh: missing ${missing[*]} and this is not root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    echo "run.sh: installing ${missing[*]} (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The distribution was called harvestguard until that name turned out to be taken on PyPI:
# an editable install under the old name would shadow this one's metadata.
if "$PY" -m pip show harvestguard 2>/dev/null | grep -q '^Editable project location:'; then
    echo "run.sh: pip uninstall harvestguard (this project's old distribution name)"
    "$PY" -m pip uninstall -y -q harvestguard
fi

echo "run.sh: pip install -e .[test]"
"$PY" -m pip install -q --disable-pip-version-check -e ".[test]"

# The real LiteLLM proxy for the gateway tests, in its own virtualenv (its dependencies pin
# versions ours need not share), pinned to the release the tests were written against. The
# proxy imports harvestguard's callback from this checkout (PYTHONPATH), so it gets only
# what the callback needs beside LiteLLM.
LITELLM_VERSION=1.108.7
LITELLM_VENV="${HARVESTGUARD_LITELLM_VENV:-/opt/harvestguard/litellm-$LITELLM_VERSION}"
if ! "$LITELLM_VENV/bin/python" -c "import litellm.proxy.proxy_server, kafka, msgspec, orjson, prometheus_client" >/dev/null 2>&1; then
    echo "run.sh: LiteLLM $LITELLM_VERSION into $LITELLM_VENV (pip)"
    "$PY" -m venv "$LITELLM_VENV"
    "$LITELLM_VENV/bin/python" -m pip install -q --disable-pip-version-check \
        "litellm[proxy]==$LITELLM_VERSION" "kafka-python>=3.0,<4" "msgspec>=0.19,<0.30" \
        "orjson>=3.9,<4" "prometheus-client>=0.20,<1"
fi
export HARVESTGUARD_LITELLM_VENV="$LITELLM_VENV"

echo "run.sh: ruff check . && ruff format --check ."
"$PY" -m ruff check .
"$PY" -m ruff format --check .

echo "run.sh: mypy service detectors simulations"
"$PY" -m mypy service detectors simulations

# Two pytest workers (pytest-xdist), a test file to each at a time: most of the integration
# tests wait on servers and subprocesses, so two keep both cores busy. Each worker starts its
# own servers on free ports; pass -n 0 to run in one process.
echo "run.sh: pytest -q -n 2 --dist loadfile $*"
rc=0
"$PY" -m pytest -q -n 2 --dist loadfile "$@" || rc=$?
if [ "$rc" -eq 5 ]; then
    echo "run.sh: pytest collected no tests: failing" >&2
    exit 1
fi
exit "$rc"
