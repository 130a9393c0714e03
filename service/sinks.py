"""Where a processed batch goes before its state is written: Kafka and the alert log.

:class:`KafkaAlerts` is the one publisher of verdict changes (``llm.alerts``) and
dead letters (``llm.requests.dlq``), for the worker and the API alike. Its
producer is made on first use, so a process starts while the broker is still
down; every publish waits for the broker's acknowledgement, so what is reported
as published is on the topic. A dead letter carries the record without its
prompt text, why it was refused, and where it came from (for a replay after a
fix).
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


_REDACTED = ("prompt", "system_prompt")


def dead_letter(record: Any, reason: str) -> bytes:
    """The DLQ message of a refused record: why, where from, and the record without text.

    Prompt text never leaves the process, not even in the DLQ: the record is kept with
    ``prompt`` and ``system_prompt`` removed, and the source coordinates lead back to
    the original for a replay after a fix."""
    body: Any = None
    try:
        decoded = orjson.loads(record.value)
        if isinstance(decoded, dict):
            body = {k: v for k, v in decoded.items() if k not in _REDACTED}
    except (orjson.JSONDecodeError, TypeError, ValueError, RecursionError):
        pass
    return orjson.dumps(
        {
            "reason": reason,
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "timestamp_ms": record.timestamp,
            "record": body,
            "record_bytes": len(record.value or b""),
        },
        default=str,
    )


class KafkaAlerts:
    def __init__(self, settings: Settings) -> None:
        self.bootstrap = settings.kafka_bootstrap
        self.topic = settings.topic_alerts
        self.dlq_topic = settings.topic_dlq
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

    def publish(
        self, alerts: Sequence[dict[str, Any]], dead: Sequence[tuple[Any, str]] = ()
    ) -> None:
        """Publish verdict changes and dead letters (record, reason); return once the broker
        has acknowledged every one, or raise :class:`PublishFailed`."""
        if not alerts and not dead:
            return
        try:
            producer = self._connected()
            futures = [
                producer.send(self.dlq_topic, value=dead_letter(record, reason), key=record.key)
                for record, reason in dead
            ]
            futures += [
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
        metrics.DLQ_PUBLISHED.inc(len(dead))

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
