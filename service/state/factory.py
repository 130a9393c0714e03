"""The stores a process needs, built from the settings in one place: embedded, or Redis
(one server, Sentinel or Cluster). The worker, the API and ``detect`` all build theirs here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from service.enrichment import Enrichment, FileEnrichment, RedisEnrichment
from service.settings import Settings
from service.state.alert_log import AlertLog, MemoryAlertLog, RedisAlertLog
from service.state.base import FeatureStore
from service.state.cached import CachedStore
from service.state.feedback import FeedbackBook, MemoryFeedback, RedisFeedback
from service.state.links import LinkStore, MemoryLinks
from service.state.memory import MemoryStore
from service.state.redis_client import Sentinels
from service.state.redis_links import RedisLinks
from service.state.redis_store import RedisStore
from service.watermark import Marks, RedisMarks


@dataclass(slots=True)
class Backends:
    store: FeatureStore  # account state (the worker's: behind a write-through cache)
    links: LinkStore  # cross-account state by epoch
    feedback: FeedbackBook  # analysts' overrides
    alert_log: AlertLog | None  # recent verdict changes for GET /v1/alerts
    marks: Marks  # the partitions' marks: the watermark
    redis: RedisStore | None = None  # the uncached Redis store, where there is one
    enrichment: Enrichment | None = None  # account facts from the provider's side

    def close(self) -> None:
        self.store.close()
        self.links.close()


def build_backends(settings: Settings, cached: bool = True) -> Backends:
    """Every store of one process. ``cached``: account state behind the write-through cache
    (the worker, which owns its accounts; not the API, where another process may write)."""
    if settings.store == "memory":
        if settings.enrichment == "redis":
            raise ValueError("HARVESTGUARD_ENRICHMENT=redis needs HARVESTGUARD_STORE=redis")
        return Backends(
            MemoryStore(settings.state_ttl_s, settings.max_accounts),
            make_links(settings),
            MemoryFeedback(),
            MemoryAlertLog(settings.alert_log_size),
            Marks(settings.watermark_idle_s),
            enrichment=make_enrichment(settings, None),
        )
    redis = make_redis_store(settings)
    client, prefix = redis.client, settings.redis_prefix
    return Backends(
        CachedStore(redis, settings.cache_accounts) if cached else redis,
        make_links(settings),
        RedisFeedback(client, prefix, redis.wait),
        RedisAlertLog(client, prefix, settings.alert_log_size),
        RedisMarks(client, f"{prefix}:wm:{{{settings.topic_requests}}}", settings.watermark_idle_s),
        redis,
        make_enrichment(settings, client),
    )


def make_enrichment(settings: Settings, client: object | None) -> Enrichment | None:
    """The account facts source the settings name (service/enrichment.py), if any."""
    if settings.enrichment.startswith("file:"):
        return FileEnrichment(Path(settings.enrichment[5:]))
    if settings.enrichment == "redis" and client is not None:
        return RedisEnrichment(client, settings.redis_prefix)
    return None


def make_redis_store(settings: Settings) -> RedisStore:
    """Account state in Redis, uncached."""
    return RedisStore(
        settings.redis_url,
        prefix=settings.redis_prefix,
        ttl_s=settings.state_ttl_s,
        decision_ttl_s=settings.decision_ttl_s,
        cluster=settings.redis_cluster,
        wait_replicas=settings.redis_wait_replicas,
        wait_timeout_ms=settings.redis_wait_timeout_ms,
        sentinel=sentinels(settings),
    )


def make_links(settings: Settings) -> LinkStore:
    """The cross-account state (link groups, models, the baseline), beside the account state."""
    ttl_epochs = settings.state_ttl_epochs
    if settings.store == "memory":
        return MemoryLinks(settings.link_max_members, ttl_epochs, settings.link_max_values)
    return RedisLinks(
        settings.redis_url,
        prefix=settings.redis_prefix,
        max_members=settings.link_max_members,
        ttl_epochs=ttl_epochs,
        cluster=settings.redis_cluster,
        sentinel=sentinels(settings),
        epoch_s=settings.epoch_s,
    )


def sentinels(settings: Settings) -> Sentinels | None:
    """Redis Sentinel's part of the settings, if Redis is reached through it."""
    if not settings.redis_sentinel_master:
        return None
    return Sentinels(
        settings.redis_sentinel_master, settings.redis_sentinel_password.get_secret_value()
    )
