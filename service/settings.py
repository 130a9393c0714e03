"""Every setting of harvestguard, in one typed object built once per process.

Each field is read from the environment as ``HARVESTGUARD_<NAME>`` (for example
``HARVESTGUARD_REDIS_URL``) or from a ``.env`` file; docs/configuration.md lists them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from redis.connection import parse_url

from detectors.families import FAMILIES
from service.adapters.client_ip import parse_networks
from service.adapters.identity import parse_account_from

_URL_PASSWORD = re.compile(r"(?P<user>[a-z][a-z0-9+.-]*://[^:@/?#,]*:)[^,]*@", re.IGNORECASE)
_QUERY_PASSWORD = re.compile(r"(?P<name>[?&]password=)[^&#,]*", re.IGNORECASE)
MASK = "***"


def masked_url(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***``
    (``redis://:S3cret@host`` -> ``redis://:***@host``; also ``?password=``)."""
    text = _URL_PASSWORD.sub(lambda match: f"{match['user']}{MASK}@", text)
    return _QUERY_PASSWORD.sub(lambda match: f"{match['name']}{MASK}", text)


class PolicyOverride(BaseModel):
    """What an account's or a tenant's policy changes; unset fields keep the global value."""

    model_config = ConfigDict(extra="forbid")

    review: float | None = Field(None, ge=0, le=1)
    throttle: float | None = Field(None, ge=0, le=1)
    block: float | None = Field(None, ge=0, le=1)
    hysteresis: float | None = Field(None, ge=0, le=1)
    shadow: bool | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HARVESTGUARD_",
        env_file=".env",
        extra="ignore",
        frozen=True,
        # A rejected value may be a secret (a token, a URL with a password): never echo it.
        hide_input_in_errors=True,
    )

    # State
    store: Literal["memory", "redis"] = Field(
        "memory", description="Where account state lives: embedded memory or Redis."
    )
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Redis connection URL.")
    redis_cluster: bool = Field(
        False,
        description="Redis is a Redis Cluster: `redis_url` names one of its nodes, or several "
        "comma-separated (db 0).",
    )
    redis_sentinel_master: str = Field(
        "",
        description="With Redis Sentinel: the name of the monitored master; `redis_url` then "
        "names the sentinels, comma-separated, and clients follow the master they report.",
    )
    redis_sentinel_password: SecretStr = Field(
        SecretStr(""),
        description="Password of the sentinels themselves, if they need one (often not the "
        "master's, which goes in `redis_url`).",
    )
    redis_prefix: str = Field("hg", description="Prefix of every Redis key.")
    redis_wait_replicas: int = Field(
        0,
        ge=0,
        description="Replicas that must hold a batch's account state before its offsets are "
        "committed (Redis `WAIT`), so a failover loses no counted event; 0: do not wait.",
    )
    redis_wait_timeout_ms: int = Field(
        1000, gt=0, description="How long a batch waits for those replicas before it is retried."
    )
    state_ttl_s: int = Field(26 * 3600, gt=0, description="Idle account state expires after.")
    decision_ttl_s: int = Field(7 * 86400, gt=0, description="A decision expires after.")
    max_accounts: int = Field(
        1_000_000,
        gt=0,
        description="Most accounts the embedded store holds; past it the least recently "
        "active are dropped.",
    )
    cache_accounts: int = Field(
        200_000, ge=0, description="Owned accounts the worker keeps in memory (write-through)."
    )

    # Kafka
    kafka_bootstrap: str = Field("127.0.0.1:9092", description="Kafka bootstrap servers.")
    topic_requests: str = Field("llm.requests", description="Topic of request events.")
    topic_dlq: str = Field("llm.requests.dlq", description="Dead-letter topic.")
    topic_alerts: str = Field("llm.alerts", description="Topic of verdict changes.")
    consumer_group: str = Field("harvestguard", description="Kafka consumer group of workers.")
    session_timeout_ms: int = Field(10_000, gt=0, description="Consumer-group session timeout.")
    max_poll_records: int = Field(5_000, gt=0, description="Most records in one worker batch.")
    poll_timeout_ms: int = Field(500, gt=0, description="How long one poll waits for records.")
    metrics_port: int = Field(9108, ge=0, description="Worker's /metrics port (0: none).")

    # Pipeline
    input_format: Literal["contract", "litellm", "envoy", "envoy-json", "kong", "nginx"] = Field(
        "contract", description="Record format of the worker's topic and of detect's input."
    )
    account_from: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="Where a gateway adapter finds the account, in order, comma-separated: "
        "org, team, consumer, key_hash, user, header:NAME or a dotted path (empty: the "
        "adapter's default; see docs/gateways.md).",
    )
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="Networks of the proxies in front of the gateway, comma-separated CIDRs: "
        "the client is the rightmost X-Forwarded-For hop outside them.",
    )
    batch_size: int = Field(1_000, gt=0, description="Events per batch in offline detection.")
    parse_in_child: bool = Field(
        True, description="detect reads, parses and fingerprints in a child process."
    )
    min_events: int = Field(1, ge=1, description="Events an account needs before it is scored.")
    max_unscored_events: int = Field(
        256,
        ge=1,
        description="An account is scored after every quarter of growth in its events, and at "
        "least every this many events.",
    )
    rescore_after_s: float = Field(
        600.0,
        gt=0,
        description="An active account is also scored at its first event of every tick this "
        "long (event time).",
    )
    recheck_after_s: Annotated[tuple[float, ...], NoDecode] = Field(
        (600.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0),
        description="A young account in a linked group, no busier than a farm's (at most 10 "
        "requests in its day, or 100 if its age is known), that is not flagged is scored again "
        "this long after its last scoring (event time; one recheck after another, comma-"
        "separated), against its groups as they stand then, though it sent nothing since: a "
        "farm's thinnest members send before their farm shows. Empty: never.",
    )
    learn_interval_s: float = Field(
        3600.0, ge=0, description="An account teaches the baseline at most once per this."
    )

    # Event time
    future_skew_s: float = Field(
        300.0,
        gt=0,
        description="An event further ahead of its record's own timestamp (Kafka) or of the "
        "server clock (push) than this is refused (dead-lettered with its reason).",
    )
    max_lateness_s: float = Field(
        3600.0,
        gt=0,
        description="An event further behind its partition's newest event time than this is "
        "refused; later ones count, across accounts in the partition's open epoch.",
    )
    epoch_s: int = Field(
        60,
        ge=10,
        le=3600,
        description="Length of an event-time epoch: cross-account inputs (link groups, the peer "
        "baseline, models first seen) are read as of the last complete one. Longer epochs "
        "make workers wait on each other less often (docs/performance.md) and cross-account "
        "evidence later; every worker, the API and detect must use the same, and changing it "
        "needs the cross-account state in Redis cleared (the worker refuses a mismatch).",
    )
    watermark_idle_s: float = Field(
        10.0,
        gt=0,
        description="A partition with nothing to read for this long (wall clock) stops "
        "holding the shared watermark back; an event it receives later counts in the open "
        "epoch, which breaks replay-identical verdicts for that event only.",
    )
    partitions: int = Field(
        1,
        ge=1,
        description="detect: read the file as this many partitions by the producer's key hash "
        "(the topic's count), so that late events get the epochs the workers gave them.",
    )
    enrichment: str = Field(
        "",
        description="Where account facts the events may lack (creation time, payment "
        "method) come from: `file:PATH` (JSONL, read again when it changes), `redis` (a hash "
        "per account, `<prefix>:{<account>}:facts`), or empty for none.",
    )
    fingerprint_key: SecretStr = Field(
        SecretStr(""),
        description="Key of every fingerprint that leaves memory (link values, skeletons); "
        "every worker, API and detect of one deployment must share it. Empty: a fixed "
        "public key (a warning at start-up for the worker and the API).",
    )

    # Detector
    baseline_min_accounts: int = Field(
        200, ge=1, description="Accounts a volume tier needs before its peer baseline counts."
    )
    new_account_days: float = Field(
        30.0, ge=0, description="Accounts younger than this count as new in linked groups."
    )
    new_model_grace_s: float = Field(
        3600.0,
        ge=0,
        description="A model first seen this long after the stream began is a new release.",
    )
    link_max_members: int = Field(
        4096, gt=1, description="Accounts sharing a link value beyond which it is no evidence."
    )
    link_max_values: int = Field(
        2_000_000,
        gt=0,
        description="Most link values the embedded link store holds; past it the least "
        "recently reported are dropped.",
    )
    max_reasons: int = Field(5, gt=0, description="Reason codes kept per verdict.")
    disabled_families: Annotated[frozenset[str], NoDecode] = Field(
        frozenset(),
        description="Evidence families switched off, for ablations (comma-separated: "
        f"{', '.join(FAMILIES)}).",
    )

    # Policy
    review_threshold: float = Field(0.80, ge=0, le=1, description="Score that triggers review.")
    throttle_threshold: float = Field(0.90, ge=0, le=1, description="Score that throttles.")
    block_threshold: float = Field(0.97, ge=0, le=1, description="Score that blocks.")
    hysteresis: float = Field(
        0.10, ge=0, le=1, description="How far below a threshold a score must fall to step down."
    )
    shadow_mode: bool = Field(False, description="Compute verdicts but enforce none.")
    established_account_days: float = Field(
        90.0,
        ge=0,
        description="Accounts at least this old are flagged for review at most (an analyst "
        "decides), unless evidence across accounts (farm, coordination) drove the verdict. "
        "0: no cap.",
    )
    allowlist: Annotated[frozenset[str], NoDecode] = Field(
        frozenset(), description="Accounts never flagged (comma-separated in the environment)."
    )

    policy_overrides: dict[str, PolicyOverride] = Field(
        default_factory=dict,
        description="Per account id or tenant glob (`acme-*`): thresholds, hysteresis or "
        'shadow to use instead, as JSON: `{"acme-*": {"shadow": true}}`.',
    )

    # Sidecar API (``harvestguard api``)
    api_host: str = Field("127.0.0.1", description="Address the sidecar API listens on.")
    api_port: int = Field(8080, ge=0, le=65535, description="Port of the sidecar API.")
    api_token: SecretStr = Field(
        SecretStr(""),
        description="Bearer token of the analyst and feedback endpoints; `api` refuses to "
        "start without a strong one (docs/security.md: 16+ characters, no placeholder, runs "
        "or sequences, not the ingest token).",
    )
    ingest_token: SecretStr = Field(
        SecretStr(""),
        description="Bearer token of POST /v1/events, as strong as the API token and another; "
        "`api` refuses to start without one unless `ingest_open` is set.",
    )
    ingest_open: bool = Field(
        False,
        description="Accept pushed events without a token (only where nobody else can reach "
        "the port); warned about at start-up.",
    )
    ingest_max_bytes: int = Field(
        16 << 20, gt=0, description="Largest push-ingestion body after decompression (413 above)."
    )
    ingest_max_gzip_members: int = Field(
        1_000, gt=0, description="Most gzip members in one pushed body (400 above)."
    )
    ingest_max_records: int = Field(
        50_000, gt=0, description="Most records in one pushed body (413 above)."
    )
    ingest_records_per_s: float = Field(
        50_000.0,
        ge=0,
        description="Records a second one client (address) may push, in bursts of up to "
        "`ingest_max_records` (429 above; 0: no limit).",
    )
    ingest_idempotency_s: int = Field(
        86_400,
        ge=0,
        description="How long a push is remembered by its Idempotency-Key (or its body's hash), "
        "so that a retry counts once (0: not remembered).",
    )
    api_max_header_bytes: int = Field(
        16_384, ge=1024, description="Largest request line and headers of one request (431 above)."
    )
    api_header_timeout_s: float = Field(
        10.0, gt=0, description="Time a client has to send a request's line and headers."
    )
    api_publish_alerts: bool = Field(
        False, description="Publish the API's verdict changes to the alerts topic (Kafka)."
    )
    alert_log_size: int = Field(
        10_000, gt=0, description="Recent verdict changes kept for GET /v1/alerts."
    )
    check_account_header: str = Field(
        "x-account-id", min_length=1, description="Header of the inline check naming the account."
    )
    check_key_header: str = Field(
        "",
        description="Header with an API-key hash, mapped to an account in the store, read when "
        "the account header is absent (empty: off).",
    )
    check_failure_mode: Literal["open", "closed"] = Field(
        "open", description="Inline check when the store is unreachable: allow (open) or 503."
    )
    check_timeout_ms: float = Field(
        50.0,
        gt=0,
        description="The inline check answers within this, even when the store stalls "
        "(it waits for the store at most 80 % of it).",
    )
    check_cache_ttl_s: float = Field(
        0.0, ge=0, description="Keep decisions read by the check this long (0: read every time)."
    )
    check_cache_max_bytes: int = Field(
        32 << 20, gt=0, description="Memory each of the check's caches (decisions, keys) may use."
    )
    check_retry_after_s: int = Field(
        60, ge=0, description="Retry-After of a throttled request, in seconds."
    )

    @field_validator("api_token", "ingest_token", "redis_sentinel_password", mode="before")
    @classmethod
    def _stripped(cls, value: Any) -> Any:
        # A secret read from a file or `$(cat ...)` often ends in a newline nobody sees.
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        return value.strip() if isinstance(value, str) else value

    @property
    def state_ttl_epochs(self) -> int:
        """How many epochs account state, and reports to linked groups, last."""
        return self.state_ttl_s // self.epoch_s

    @field_validator("allowlist", "disabled_families", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("recheck_after_s", mode="before")
    @classmethod
    def _delays(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(float(part) for part in value.split(",") if part.strip())
        return value

    @model_validator(mode="after")
    def _rechecks_after_an_epoch(self) -> Settings:
        delays = self.recheck_after_s
        if any(d < self.epoch_s for d in delays) or list(delays) != sorted(delays):
            raise ValueError(
                f"recheck_after_s must be ascending and each at least epoch_s ({self.epoch_s})"
            )
        return self

    @field_validator("account_from", mode="before")
    @classmethod
    def _account_sources(cls, value: Any) -> Any:
        return parse_account_from(value) if isinstance(value, str | list | tuple) else value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> Any:
        return parse_networks(value) if isinstance(value, str | list | tuple) else value

    @field_validator("disabled_families")
    @classmethod
    def _known_families(cls, value: frozenset[str]) -> frozenset[str]:
        unknown = sorted(value - set(FAMILIES))
        if unknown:
            raise ValueError(f"unknown families {unknown}; known: {', '.join(FAMILIES)}")
        return value

    @model_validator(mode="after")
    def _one_kind_of_redis(self) -> Settings:
        sentinel = bool(self.redis_sentinel_master)
        if self.redis_cluster and sentinel:
            raise ValueError(
                "HARVESTGUARD_REDIS_CLUSTER and HARVESTGUARD_REDIS_SENTINEL_MASTER exclude "
                "each other: a Redis Cluster fails over by itself"
            )
        if "," in self.redis_url and not (self.redis_cluster or sentinel):
            raise ValueError(
                "redis_url names several nodes, which only a Redis Cluster or Sentinel can "
                "use: set HARVESTGUARD_REDIS_CLUSTER=true or HARVESTGUARD_REDIS_SENTINEL_MASTER, "
                "or give one URL"
            )
        # The first is a URL (its options are every node's); the others may be host:port.
        nodes = [part.strip() for part in self.redis_url.split(",") if part.strip()]
        for n, node in enumerate(nodes):
            try:
                parse_url(node if n == 0 or "://" in node else f"redis://{node}")
            except ValueError as error:
                raise ValueError(f"redis_url: {masked_url(node)!r}: {error}") from None
        return self

    @field_validator("enrichment")
    @classmethod
    def _known_enrichment(cls, value: str) -> str:
        if value not in ("", "redis") and not value.startswith("file:"):
            raise ValueError("give file:PATH, redis, or nothing")
        if value.startswith("file:") and not Path(value[5:]).is_file():
            raise ValueError(f"{value[5:]}: no such file")
        return value

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # repr() and str() of the settings end up in logs and tracebacks: mask URLs.
        for name, value in super().__repr_args__():
            yield name, masked_url(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _ordered_thresholds(self) -> Settings:
        if not self.review_threshold <= self.throttle_threshold <= self.block_threshold:
            raise ValueError("thresholds must satisfy review <= throttle <= block")
        return self
