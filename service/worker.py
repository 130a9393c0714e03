"""The streaming worker: request events in from Kafka, verdicts out, state in the store.

One batch at a time, in this order, so that a crash anywhere loses nothing and
counts nothing twice:

1. take the records the watermark releases (service/sources/kafka.py: parsed,
   observed, malformed or untimely records set aside for the DLQ);
2. process them through the pipeline (windows, detectors, policy), which also
   writes what they contribute to cross-account state, stamped with their epoch;
3. publish dead letters and alerts, and wait for the broker's acknowledgement;
4. write account state, which carries each account's applied offset;
5. keep the partitions' newest epochs, and commit the offsets.

A batch that spans several epochs goes through 2-4 once per epoch, in order: the
pipeline's read as of epoch ``e`` (for the scorings of ``e + 1``) folds ``e``'s
contributions into the cross-account state for good, so the batch's own work in
``e`` is written before that read. A crash or an outage after it then replays
only what comes later, never epoch ``e`` against a state that already holds it.

A crash before 4 replays the batch (alerts may be published twice, with the same
``alert_id``; cross-account contributions replace themselves); a crash after 4
replays events that every account then skips as already applied. The worker
waits out its dependencies: if the store or the broker is down, at start or in
the middle of a batch, it retries with backoff (0.2 s doubling to 10 s), says so
once in the log and in ``hg_dependency_up``, and never exits for it.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from types import FrameType
from typing import Any, TypeVar

from kafka import KafkaConsumer
from kafka.errors import KafkaError

from service import metrics
from service.eventtime import EventClock
from service.features.observation import parser
from service.pipeline import BatchResult, Pipeline, by_epoch
from service.settings import Settings
from service.sinks import KafkaAlerts, PublishFailed
from service.sources.kafka import KafkaSource, SourceBatch
from service.state.base import StoreUnavailable
from service.state.cached import CachedStore
from service.state.factory import Backends, build_backends
from service.worker_health import Health, serve_health

log = logging.getLogger(__name__)
_MAX_BACKOFF_S = 10.0
T = TypeVar("T")


class Worker:
    def __init__(
        self, settings: Settings, backends: Backends | None = None, health: Health | None = None
    ) -> None:
        self.settings = settings
        self.health = health or Health()
        self.stopping = False
        self.backends = backends or build_backends(settings)
        self.pipeline = Pipeline(
            self.backends.store,
            settings,
            links=self.backends.links,
            source="kafka",
            overrides=self.backends.feedback,
            enrichment=self.backends.enrichment,
        )
        self.sink = KafkaAlerts(settings)
        self.source = KafkaSource(
            self._consumer(),
            settings.topic_requests,
            parser(settings.input_format, settings.account_from, settings.trusted_proxies),
            self.backends.marks,
            EventClock(settings.future_skew_s, settings.max_lateness_s, settings.epoch_s),
            on_revoke=self._forget_cache,
        )
        self.source.subscribe()

    def _consumer(self) -> KafkaConsumer:
        """The group member, built once a broker answers (waiting for one if need be)."""
        settings = self.settings
        return self._retry(
            "kafka",
            lambda: KafkaConsumer(
                bootstrap_servers=settings.kafka_bootstrap,
                group_id=settings.consumer_group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                session_timeout_ms=settings.session_timeout_ms,
                heartbeat_interval_ms=max(settings.session_timeout_ms // 3, 100),
                max_poll_records=settings.max_poll_records,
                fetch_max_bytes=64 << 20,
                max_partition_fetch_bytes=16 << 20,
            ),
        )

    def _forget_cache(self) -> None:
        """Partitions moved: their accounts' next owner may change them, so the in-memory
        copies are dropped and read again from the store when next needed."""
        if isinstance(self.backends.store, CachedStore):
            self.backends.store.forget_all()

    def _retry(self, dependency: str, attempt: Callable[[], T]) -> T:
        """Call ``attempt`` until it stops failing for the dependency (or the worker stops)."""
        backoff = 0.2
        while True:
            try:
                found = attempt()
            except (StoreUnavailable, KafkaError, PublishFailed, OSError) as error:
                if self.stopping:
                    raise
                self.health.down(dependency, error)
                time.sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_S)
                continue
            self.health.up(dependency)
            return found

    def run(self, max_idle_s: float | None = None) -> None:
        """Process batches until stopped, or until idle for ``max_idle_s`` once assigned.

        Idle time counts only while the worker owns partitions: joining a group can take
        a session timeout, and that wait is not a sign that the stream has ended."""
        idle_since: float | None = None
        poll_ms = self.settings.poll_timeout_ms
        while not self.stopping:
            batch = self._next(poll_ms)
            if batch is not None:
                if not self._write(batch):
                    break  # stopping while a dependency was down: nothing committed
                idle_since = None
                continue
            if max_idle_s is None or not self.source.consumer.assignment():
                continue
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= max_idle_s:
                log.info("no records for %.1f s: stopping", max_idle_s)
                break
        self.close()

    def _next(self, poll_ms: int) -> SourceBatch | None:
        try:
            batch = self.source.next_batch(poll_ms)
        except StoreUnavailable as error:
            self.health.down("redis", error)
            time.sleep(0.5)
            return None
        except KafkaError as error:
            self.health.down("kafka", error)
            time.sleep(0.5)
            return None
        self.health.up("kafka")
        return batch

    def _write(self, batch: SourceBatch) -> bool:
        """Process, publish, write and commit one batch, retrying while a dependency is down."""
        started = time.perf_counter()
        backoff = 0.2
        while not self.stopping:
            try:
                dead = [(r.record, r.reason) for r in batch.rejected]
                for observed, epochs in by_epoch(batch.observed, batch.epochs):
                    result = self.pipeline.process(observed, epochs)
                    self._publish(result, dead)
                    dead = []
                    self.pipeline.commit(result)
                self.source.done(batch)
            except (StoreUnavailable, KafkaError, PublishFailed) as error:
                dependency = "redis" if isinstance(error, StoreUnavailable) else "kafka"
                metrics.STORE_ERRORS.labels("store" if dependency == "redis" else "publish").inc()
                self.health.down(dependency, error)
                # The in-memory copies now hold this batch's updates: drop them, reload, redo.
                if isinstance(self.backends.store, CachedStore):
                    self.backends.store.forget_all()
                time.sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_S)
                continue
            self.health.up("redis")
            metrics.BATCH_EVENTS.labels("kafka").observe(batch.polled)
            metrics.BATCH_SECONDS.labels("kafka").observe(time.perf_counter() - started)
            return True
        return False

    def _publish(self, result: BatchResult, dead: list[tuple[Any, str]]) -> None:
        for _, reason in dead:
            metrics.EVENTS_REJECTED.labels("kafka", reason.split(":", 1)[0]).inc()
        self.sink.publish(result.alerts, dead)
        if self.backends.alert_log is not None:
            self.backends.alert_log.append(result.alerts)

    def close(self) -> None:
        try:
            self.sink.close()
        finally:
            self.source.consumer.close(autocommit=False)
            self.backends.close()


def run_worker(settings: Settings, max_idle_s: float | None = None) -> int:
    """Run the worker until SIGTERM/SIGINT (or ``max_idle_s`` without records)."""
    health = Health()
    if settings.metrics_port:
        serve_health(settings.metrics_port, health)
    try:
        worker = Worker(settings, health=health)
    except KeyboardInterrupt:  # stopped while waiting for the broker at start
        return 0

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
