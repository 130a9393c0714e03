"""What the worker says about its dependencies: a log line per change, a gauge, ``/readyz``.

The worker never exits because Kafka or Redis is unreachable; it waits them out.
So that an operator (and Kubernetes) can tell waiting from working, each
dependency's state is logged once when it changes, exported as
``hg_dependency_up{dependency}``, and summed up by ``/readyz`` (200 when every
dependency answers, 503 naming those that do not), served beside ``/metrics``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import orjson
from prometheus_client import make_wsgi_app

from service import metrics

log = logging.getLogger(__name__)
DEPENDENCIES = ("kafka", "redis")


class Health:
    def __init__(self) -> None:
        self._up: dict[str, bool] = {}
        for dependency in DEPENDENCIES:
            metrics.DEPENDENCY_UP.labels(dependency).set(0)

    def up(self, dependency: str) -> None:
        if self._up.get(dependency) is not True:
            if dependency in self._up:
                log.info("%s reachable again", dependency)
            self._up[dependency] = True
            metrics.DEPENDENCY_UP.labels(dependency).set(1)

    def down(self, dependency: str, error: BaseException) -> None:
        if self._up.get(dependency) is not False:
            log.warning("%s unreachable (%s): waiting it out with backoff", dependency, error)
            self._up[dependency] = False
            metrics.DEPENDENCY_UP.labels(dependency).set(0)

    def waiting_for(self) -> list[str]:
        """Dependencies not (yet) known to answer."""
        return [d for d in DEPENDENCIES if not self._up.get(d)]


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # probes every few seconds
        pass


def _app(health: Health) -> Callable[..., Iterable[bytes]]:
    metrics_app = make_wsgi_app()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/readyz":
            waiting = health.waiting_for()
            status = "503 Service Unavailable" if waiting else "200 OK"
            start_response(status, [("Content-Type", "application/json")])
            return [orjson.dumps({"ready": not waiting, "waiting_for": waiting})]
        return metrics_app(environ, start_response)

    return app


def serve_health(port: int, health: Health, host: str = "0.0.0.0") -> None:
    """``/metrics`` and ``/readyz`` on ``port``, from a daemon thread."""
    server = make_server(host, port, _app(health), handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
