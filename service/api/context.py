"""Everything one API process holds, built once from the settings.

With the embedded store, state, feedback, alerts and key mappings live in
this process. With Redis they live in Redis under the store's prefix, shared
with the streaming worker; the API then reads and writes account state
without the worker's write-through cache, because another process (the
worker, or a second API process) may change an account between two batches.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.api.idempotency import Ledger, MemoryLedger, Pushes, RedisLedger
from service.api.ingest import Ingestor
from service.api.limits import RecordRate
from service.api.reader import (
    CheckBackend,
    ClusterBackend,
    DecisionReader,
    KeyDirectory,
    LocalBackend,
    MemoryKeys,
    RedisBackend,
    RedisKeys,
    SentinelBackend,
)
from service.api.security import check_tokens
from service.pipeline import Pipeline
from service.settings import Settings
from service.sinks import KafkaAlerts
from service.state.alert_log import AlertLog, MemoryAlertLog, RedisAlertLog
from service.state.base import FeatureStore
from service.state.factory import make_enrichment, make_links, make_redis_store, sentinels
from service.state.feedback import FeedbackBook, MemoryFeedback, RedisFeedback
from service.state.links import LinkStore
from service.state.memory import MemoryStore
from service.state.redis_store import RedisStore
from service.watermark import Marks, RedisMarks


@dataclass(slots=True)
class ApiContext:
    settings: Settings
    store: FeatureStore
    links: LinkStore
    pipeline: Pipeline
    ingestor: Ingestor
    feedback: FeedbackBook
    alerts: AlertLog
    keys: KeyDirectory
    reader: DecisionReader
    publisher: KafkaAlerts | None
    rate: RecordRate | None  # records a second per client, None: no limit
    pushes: Pushes | None  # pushes remembered for idempotent retries, None: not remembered
    api_token: bytes
    ingest_token: bytes | None
    # The inline check's deadline for the store: a fifth of its timeout is kept to answer.
    check_budget_s: float
    marks: Marks | None = None  # the workers' watermark, where they share one (Redis)

    def complete_epoch(self) -> int:
        """The newest epoch whose cross-account state is complete: what the workers last
        read (never newer, which would fold in epochs still being written); without
        workers, everything this process's own pushes wrote."""
        seen = self.marks.complete() if self.marks is not None else None
        return seen if seen is not None else self.pipeline.newest_epoch

    def close(self) -> None:
        if self.publisher is not None:
            self.publisher.close()
        self.store.close()
        self.links.close()


def build_context(settings: Settings, ingests: bool = True) -> ApiContext:
    """The process's stores, pipeline and sinks; raises ``InsecureSettings`` on weak tokens
    (the ingest token only where the process ``ingests``)."""
    api_token = settings.api_token.get_secret_value()
    ingest_token = settings.ingest_token.get_secret_value()
    check_tokens(api_token, ingest_token if ingests else "", settings.ingest_open or not ingests)

    store: FeatureStore
    feedback: FeedbackBook
    alerts: AlertLog
    keys: KeyDirectory
    backend: CheckBackend
    marks: Marks | None
    ledger: Ledger
    if settings.store == "redis":
        redis_store = make_redis_store(settings)
        store = redis_store
        feedback = RedisFeedback(redis_store.client, settings.redis_prefix, redis_store.wait)
        alerts = RedisAlertLog(redis_store.client, settings.redis_prefix, settings.alert_log_size)
        keys = RedisKeys(redis_store.client, settings.redis_prefix)
        marks = RedisMarks(
            redis_store.client,
            f"{settings.redis_prefix}:wm:{{{settings.topic_requests}}}",
            settings.watermark_idle_s,
        )
        ledger = RedisLedger(redis_store.client, settings.redis_prefix)
        where = (settings.redis_url, settings.redis_prefix, settings.check_timeout_ms / 1000)
        if settings.redis_cluster:
            backend = ClusterBackend(*where)
        elif (sentinel := sentinels(settings)) is not None:
            backend = SentinelBackend(*where, sentinel)
        else:
            backend = RedisBackend(*where)
    else:
        store = MemoryStore(settings.state_ttl_s, settings.max_accounts)
        feedback = MemoryFeedback()
        alerts = MemoryAlertLog(settings.alert_log_size)
        keys = MemoryKeys()
        backend = LocalBackend(store, keys)
        marks = None
        ledger = MemoryLedger()

    publisher = KafkaAlerts(settings) if settings.api_publish_alerts else None
    links = make_links(settings)
    client = store.client if isinstance(store, RedisStore) else None
    pipeline = Pipeline(
        store,
        settings,
        links=links,
        source="http",
        overrides=feedback,
        enrichment=make_enrichment(settings, client),
    )
    return ApiContext(
        settings=settings,
        store=store,
        links=links,
        pipeline=pipeline,
        ingestor=Ingestor(pipeline, alerts, publisher),
        feedback=feedback,
        alerts=alerts,
        keys=keys,
        reader=DecisionReader(
            backend, ttl_s=settings.check_cache_ttl_s, max_bytes=settings.check_cache_max_bytes
        ),
        publisher=publisher,
        rate=RecordRate(settings.ingest_records_per_s, settings.ingest_max_records)
        if settings.ingest_records_per_s > 0
        else None,
        pushes=Pushes(ledger, settings.ingest_idempotency_s)
        if settings.ingest_idempotency_s > 0
        else None,
        api_token=api_token.encode("utf-8", "surrogatepass"),
        ingest_token=ingest_token.encode("utf-8", "surrogatepass") if ingest_token else None,
        check_budget_s=settings.check_timeout_ms * 0.8 / 1000,
        marks=marks,
    )
