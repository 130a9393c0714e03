#!/usr/bin/env bash
# The one test command: bash tests/run.sh [extra pytest args]
# Installs what the suite needs (redis-server from Debian, the package with its test
# extras), then runs ruff, mypy and pytest. The suite starts its own redis-server and
# Tansu Kafka broker on free loopback ports. Exits non-zero on any failure, including
# pytest collecting no tests.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if command -v python3 >/dev/null 2>&1; then PY=python3; else PY=python; fi

if ! command -v redis-server >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "run.sh: redis-server is missing and this is not root: apt-get install redis-server" >&2
        exit 1
    fi
    echo "run.sh: installing redis-server (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
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
