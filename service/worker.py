"""The streaming worker: request events in from Kafka, verdicts out, state in the store.

One batch at a time, in this order, so that a crash anywhere loses nothing and
counts nothing twice:

1. poll a batch; parse it (malformed records are set aside for the DLQ);
2. process it through the pipeline (account windows, detector, policy);
3. publish DLQ records and alerts, and wait for the broker to acknowledge them;
4. write account state, which carries each account's applied offset, in one
   transaction;
5. commit the consumer offsets.

A crash before 4 replays the batch (alerts may be published twice, with the
same ``alert_id``); a crash after 4 replays events that every account then
skips as already applied. If the store is down, the batch is retried with
backoff and no offset is committed; SIGTERM finishes the batch and exits.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Iterable
from types import FrameType
from typing import Any

import orjson
from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import CommitFailedError, KafkaError
from prometheus_client import start_http_server

from service import metrics
from service.contract import InvalidEvent
from service.features.observation import observer
from service.pipeline import BatchResult, Envelope, Pipeline
from service.settings import Settings
from service.state.alert_log import redis_alert_log
from service.state.base import FeatureStore, StoreUnavailable
from service.state.cached import CachedStore
from service.state.factory import make_links, make_store
from service.state.feedback import redis_feedback

log = logging.getLogger(__name__)
_REDACTED = ("prompt", "system_prompt")
_MAX_BACKOFF_S = 10.0


def dead_letter(record: Any, reason: str) -> bytes:
    """The DLQ message of a malformed record: why, where from, and the record without text.

    Prompt text never leaves the process, not even in the DLQ: the record is
    kept with ``prompt`` and ``system_prompt`` removed, and the source
    coordinates lead back to the original for a replay after a fix.
    """
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


class Worker:
    def __init__(self, settings: Settings, store: FeatureStore | None = None) -> None:
        self.settings = settings
        self.store = store or make_store(settings)
        prefix = settings.redis_prefix
        # Analyst feedback (via the sidecar API) steers detection here too; verdict changes
        # also go to the alert log that GET /v1/alerts reads. Both need Redis as the store.
        self.links = make_links(settings)
        self.pipeline = Pipeline(
            self.store,
            settings,
            links=self.links,
            source="kafka",
            overrides=redis_feedback(self.store, prefix),
        )
        self.alert_log = redis_alert_log(self.store, prefix, settings.alert_log_size)
        self.observe = observer(
            settings.input_format, settings.account_from, settings.trusted_proxies
        )
        self.stopping = False
        self.consumer = KafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap,
            group_id=settings.consumer_group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=settings.session_timeout_ms,
            heartbeat_interval_ms=max(settings.session_timeout_ms // 3, 100),
            max_poll_records=settings.max_poll_records,
            fetch_max_bytes=64 << 20,
            max_partition_fetch_bytes=16 << 20,
        )
        self.consumer.subscribe([settings.topic_requests], listener=_DropCacheOnRebalance(self))
        self.producer = KafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap,
            acks="all",
            linger_ms=5,
            retries=5,
        )

    def run(self, max_idle_s: float | None = None) -> None:
        """Process batches until stopped, or until idle for ``max_idle_s`` once assigned.

        Idle time counts only while the worker owns partitions: joining a group can
        take a session timeout, and that wait is not a sign that the stream has ended.
        """
        idle_since: float | None = None
        while not self.stopping:
            records = self.consumer.poll(timeout_ms=self.settings.poll_timeout_ms)
            if records:
                self.handle(records)
                idle_since = None
                continue
            if max_idle_s is None or not self.consumer.assignment():
                continue
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= max_idle_s:
                log.info("no records for %.1f s: stopping", max_idle_s)
                break
        self.close()

    def handle(self, records: dict[TopicPartition, list[Any]]) -> None:
        started = time.perf_counter()
        envelopes: list[Envelope] = []
        dead: list[tuple[Any, str]] = []
        for messages in records.values():
            for message in messages:
                try:
                    envelopes.append(
                        Envelope(self.observe(message.value), message.partition, message.offset)
                    )
                except InvalidEvent as error:
                    dead.append((message, error.reason))
        for _message, reason in dead:
            metrics.EVENTS_REJECTED.labels("kafka", reason.split(":", 1)[0]).inc()
        if not self._process_until_written(envelopes, dead):
            return  # stopping while the store was down: commit nothing, the batch is redelivered
        try:
            self.consumer.commit()
        except (CommitFailedError, KafkaError) as error:
            # Safe to lose: the next owner redelivers, and every account skips what it applied.
            log.warning("offset commit failed (%s); redelivery will be skipped", error)
        self._record_lag(records)
        metrics.BATCH_EVENTS.labels("kafka").observe(len(envelopes) + len(dead))
        metrics.BATCH_SECONDS.labels("kafka").observe(time.perf_counter() - started)

    def _process_until_written(
        self, envelopes: list[Envelope], dead: list[tuple[Any, str]]
    ) -> bool:
        backoff = 0.2
        while not self.stopping:
            try:
                result = self.pipeline.process(envelopes)
                self._publish(result, dead)
                self.pipeline.commit(result)
                return True
            except (StoreUnavailable, KafkaError) as error:
                operation = "store" if isinstance(error, StoreUnavailable) else "publish"
                metrics.STORE_ERRORS.labels(operation).inc()
                log.warning("batch not written (%s); retrying in %.1f s", error, backoff)
                # The in-memory copies now hold this batch's updates: drop them, reload, redo.
                if isinstance(self.store, CachedStore):
                    self.store.forget_all()
                time.sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_S)
        return False

    def _publish(self, result: BatchResult, dead: list[tuple[Any, str]]) -> None:
        settings = self.settings
        for message, reason in dead:
            self.producer.send(
                settings.topic_dlq, value=dead_letter(message, reason), key=message.key
            )
        for alert in result.alerts:
            self.producer.send(
                settings.topic_alerts,
                value=orjson.dumps(alert),
                key=alert["account_id"].encode("utf-8", "surrogatepass"),
            )
        if dead or result.alerts:
            self.producer.flush(timeout=30)
        if self.alert_log is not None:
            self.alert_log.append(result.alerts)
        metrics.DLQ_PUBLISHED.inc(len(dead))
        metrics.ALERTS_PUBLISHED.inc(len(result.alerts))

    def _record_lag(self, records: dict[TopicPartition, list[Any]]) -> None:
        # Tansu answers ListOffsets wrongly; the high watermark seen in fetches is right.
        for tp in records:
            highwater = self.consumer.highwater(tp)
            if highwater is not None:
                position = records[tp][-1].offset + 1
                metrics.CONSUMER_LAG.labels(str(tp.partition)).set(max(highwater - position, 0))

    def close(self) -> None:
        try:
            self.producer.flush(timeout=10)
            self.producer.close(timeout=10)
        finally:
            self.consumer.close(autocommit=False)
            self.store.close()
            self.links.close()


class _DropCacheOnRebalance(ConsumerRebalanceListener):
    """Partitions moving means accounts moving: forget them; the store has their state."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker

    def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        if isinstance(self.worker.store, CachedStore):
            self.worker.store.forget_all()

    def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        log.info("assigned partitions %s", sorted(tp.partition for tp in assigned))


def run_worker(settings: Settings, max_idle_s: float | None = None) -> int:
    """Run the worker until SIGTERM/SIGINT (or ``max_idle_s`` without records)."""
    if settings.metrics_port:
        start_http_server(settings.metrics_port)
    worker = Worker(settings)

    def stop(signum: int, frame: FrameType | None) -> None:
        log.info("signal %d: finishing the batch, committing and exiting", signum)
        worker.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(
        "worker consuming %s as group %s, store %s",
        settings.topic_requests,
        settings.consumer_group,
        settings.store,
    )
    worker.run(max_idle_s)
    return 0
