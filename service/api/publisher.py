"""Verdict changes of the API (push ingestion, feedback) to Kafka ``llm.alerts``.

The producer is made on first use, so the API starts (and answers checks)
while the broker is still down; every publish waits for the broker's
acknowledgement, as the worker does, so an alert the API reports as published
is on the topic.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Sequence
from typing import Any

import orjson
from kafka import KafkaProducer
from kafka.errors import KafkaError

from service import metrics
from service.settings import Settings

_FLUSH_TIMEOUT_S = 10.0


class PublishFailed(RuntimeError):
    """The broker did not acknowledge the alerts."""


class AlertPublisher:
    def __init__(self, settings: Settings) -> None:
        self.bootstrap = settings.kafka_bootstrap
        self.topic = settings.topic_alerts
        self._producer: KafkaProducer | None = None
        self._lock = threading.Lock()

    def _connected(self) -> KafkaProducer:
        with self._lock:
            if self._producer is None:
                self._producer = KafkaProducer(
                    bootstrap_servers=self.bootstrap,
                    acks="all",
                    linger_ms=5,
                    retries=5,
                    max_block_ms=5000,
                )
            return self._producer

    def publish(self, alerts: Sequence[dict[str, Any]]) -> None:
        if not alerts:
            return
        try:
            producer = self._connected()
            futures = [
                producer.send(
                    self.topic,
                    value=orjson.dumps(alert),
                    key=alert["account_id"].encode("utf-8", "surrogatepass"),
                )
                for alert in alerts
            ]
            producer.flush(timeout=_FLUSH_TIMEOUT_S)
            for future in futures:
                # flush() returns on timeout too: only the futures say whether each landed.
                future.get(timeout=0)
        except (KafkaError, OSError) as error:
            metrics.STORE_ERRORS.labels("publish").inc()
            raise PublishFailed(f"kafka: {error!r}") from error
        metrics.ALERTS_PUBLISHED.inc(len(alerts))

    def reachable(self, timeout_s: float = 1.0) -> bool:
        """Whether a bootstrap broker accepts connections (the producer's own connections
        are not a signal: kafka-python drops idle ones and reconnects on demand)."""
        for server in self.bootstrap.split(","):
            host, _, port = server.strip().rpartition(":")
            try:
                with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s):
                    return True
            except (OSError, ValueError):
                continue
        return False

    def close(self) -> None:
        with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            producer.close(timeout=5)
