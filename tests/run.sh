#!/usr/bin/env bash
# The one test command: bash tests/run.sh [extra pytest args]
# Installs what the suite needs (redis-server, Prometheus's tools, docker-compose and Chromium
# from Debian, the package with its test extras), then runs ruff, mypy and pytest. The suite
# starts its own redis-server (alone and as a three-node cluster), Tansu Kafka broker,
# Prometheus and headless Chromium on free loopback ports.
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
missing=()
for pair in redis-server:redis-server redis-cli:redis-tools promtool:prometheus prometheus:prometheus \
            amtool:prometheus-alertmanager prometheus-redis-exporter:prometheus-redis-exporter \
            docker-compose:docker-compose chromium:chromium; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
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

echo "run.sh: pip install -e .[test]"
"$PY" -m pip install -q --disable-pip-version-check -e ".[test]"

echo "run.sh: ruff check ."
"$PY" -m ruff check .

echo "run.sh: mypy service detectors simulations"
"$PY" -m mypy service detectors simulations

echo "run.sh: pytest -q $*"
rc=0
"$PY" -m pytest -q "$@" || rc=$?
if [ "$rc" -eq 5 ]; then
    echo "run.sh: pytest collected no tests: failing" >&2
    exit 1
fi
exit "$rc"
