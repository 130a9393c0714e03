"""What the inline check adds to a request through each real gateway, with and without it.

    python benchmarks/gateway_latency.py [--requests 400] [--accounts 50]

Starts, on free loopback ports: redis-server, ``harvestguard api`` (Redis store, so the
check reads Redis as in production), the mock model (``tests/servers/mock_llm.py``), a
Tansu broker for the LiteLLM callback, and each gateway twice:

- LiteLLM 1.108.7 (its own virtualenv, see tests/run.sh) with harvestguard's logging
  callback, once with and once without ``harvestguard_guardrail`` (the pre-call check);
- Debian's nginx with ``deploy/nginx/``, once with and once without ``auth_request``.

Then it sends ``--requests`` chat completions through each pair, one at a time over
keep-alive connections, alternating between the two so that both see the same machine,
and prints each median and p90 and the added median (goal: at most 3 ms through LiteLLM,
at most 1 ms through nginx). The check alone, called directly, is the yardstick.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TypeVar

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.gateway_traffic import benign_body  # noqa: E402
from tests.servers import RedisServer, TansuBroker  # noqa: E402
from tests.servers.gateways import (  # noqa: E402
    MASTER_KEY,
    HarvestguardApi,
    LiteLLMProxy,
    MockModel,
    NginxGateway,
)
from tests.servers.process import _ManagedServer  # noqa: E402

S = TypeVar("S", bound=_ManagedServer)

GOALS_MS = {"litellm": 3.0, "nginx": 1.0}


def timed(send: Callable[[int], httpx.Response], n: int) -> float:
    started = time.perf_counter()
    answer = send(n)
    took = (time.perf_counter() - started) * 1000.0
    if answer.status_code != 200:
        raise SystemExit(f"request {n}: {answer.status_code} {answer.text[:200]}")
    return took


def compare(
    name: str, urls: dict[str, str], headers: dict[str, str], requests: int, accounts: int
) -> float:
    """Alternate requests through the gateway with and without the check; the added median."""
    clients = {label: httpx.Client(base_url=url, timeout=30) for label, url in urls.items()}
    samples: dict[str, list[float]] = {label: [] for label in urls}
    try:
        for n in range(-30, requests):  # 30 warm-up requests each, not counted
            for label, client in clients.items():

                def send(i: int, client: httpx.Client = client) -> httpx.Response:
                    account = {"x-account-id": f"acct_{i % accounts}"}
                    return client.post("/v1/chat/completions", json=benign_body(i),
                                       headers={**headers, **account})  # fmt: skip

                took = timed(send, n)
                if n >= 0:
                    samples[label].append(took)
    finally:
        for client in clients.values():
            client.close()
    medians = {label: statistics.median(values) for label, values in samples.items()}
    for label, values in samples.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{name:8s} {label:13s} median {medians[label]:7.2f} ms   p90 {p90:7.2f} ms")
    added = medians["with check"] - medians["without check"]
    verdict = "within" if added <= GOALS_MS[name] else "OVER"
    print(f"{name:8s} added median {added:+.2f} ms ({verdict} the {GOALS_MS[name]:.0f} ms goal)")
    return added


def check_alone(api_url: str, requests: int, accounts: int) -> float:
    with httpx.Client(base_url=api_url, timeout=30) as client:
        samples = []
        for n in range(-30, requests):
            started = time.perf_counter()
            client.get("/v1/check", headers={"x-account-id": f"acct_{n % accounts}"})
            if n >= 0:
                samples.append((time.perf_counter() - started) * 1000.0)
    median = statistics.median(samples)
    print(f"check alone (yardstick, direct GET /v1/check): median {median:.2f} ms")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--accounts", type=int, default=50)
    args = parser.parse_args()
    with ExitStack() as stack:

        def up(server: S) -> S:
            server.start(timeout=90)
            stack.callback(server.close)
            return server

        redis_server = up(RedisServer())
        broker = up(TansuBroker(storage="memory"))
        api = up(HarvestguardApi({"store": "redis", "redis_url": redis_server.url}))
        model = up(MockModel())
        proxy_env = {
            "HARVESTGUARD_KAFKA_BOOTSTRAP": broker.bootstrap,
            "HARVESTGUARD_CHECK_URL": f"{api.url}/v1/check",
            "HARVESTGUARD_ACCOUNT_FROM": "org,team,header:x-account-id",
        }
        with_hook = up(LiteLLMProxy(model.base_url, proxy_env, guardrail=True))
        without_hook = up(LiteLLMProxy(model.base_url, proxy_env, guardrail=False))
        with_auth = up(NginxGateway(model.port, api.port, check=True))
        without_auth = up(NginxGateway(model.port, api.port, check=False))
        print(
            f"{args.requests} requests each, alternating, {args.accounts} accounts, one at a time"
        )
        check_alone(api.url, args.requests, args.accounts)
        added = {
            "litellm": compare(
                "litellm",
                {"with check": with_hook.url, "without check": without_hook.url},
                {"authorization": f"Bearer {MASTER_KEY}"},
                args.requests,
                args.accounts,
            ),
            "nginx": compare(
                "nginx",
                {"with check": with_auth.url, "without check": without_auth.url},
                {},
                args.requests,
                args.accounts,
            ),
        }
    return 0 if all(added[name] <= goal for name, goal in GOALS_MS.items()) else 1


if __name__ == "__main__":
    sys.exit(main())
