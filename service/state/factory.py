"""The stores a process needs, built from the settings: embedded, or Redis (one server,
Sentinel or Cluster)."""

from __future__ import annotations

from service.settings import Settings
from service.state.base import FeatureStore
from service.state.cached import CachedStore
from service.state.links import LinkStore, MemoryLinks
from service.state.memory import MemoryStore
from service.state.redis_client import Sentinels
from service.state.redis_links import RedisLinks
from service.state.redis_store import RedisStore


def make_store(settings: Settings) -> FeatureStore:
    """Account state: in memory, or in Redis behind the worker's write-through cache."""
    if settings.store == "memory":
        return MemoryStore(settings.state_ttl_s, settings.max_accounts)
    return CachedStore(make_redis_store(settings), settings.cache_accounts)


def make_redis_store(settings: Settings) -> RedisStore:
    """Account state in Redis, uncached (the API: another process may own the account)."""
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
    """The global structures (link groups, models, the baseline), beside the account state."""
    if settings.store == "memory":
        return MemoryLinks(
            settings.link_max_members, settings.state_ttl_s, settings.link_max_values
        )
    return RedisLinks(
        settings.redis_url,
        prefix=settings.redis_prefix,
        max_members=settings.link_max_members,
        ttl_s=settings.state_ttl_s,
        cluster=settings.redis_cluster,
        sentinel=sentinels(settings),
    )


def sentinels(settings: Settings) -> Sentinels | None:
    """Redis Sentinel's part of the settings, if Redis is reached through it."""
    if not settings.redis_sentinel_master:
        return None
    return Sentinels(
        settings.redis_sentinel_master, settings.redis_sentinel_password.get_secret_value()
    )
