"""Every Prometheus metric of harvestguard, declared once, here.

Labels are bounded by construction: a contract field name, an action, a source
or a partition number; never an account id.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

PREFIX = "hg"

EVENTS_PROCESSED = Counter(
    f"{PREFIX}_events_processed_total", "Request events counted into account windows.", ["source"]
)
EVENTS_REJECTED = Counter(
    f"{PREFIX}_events_rejected_total",
    "Records that broke the contract, by the field named in the rejection.",
    ["source", "field"],
)
EVENT_FIELDS_NULLED = Counter(
    f"{PREFIX}_event_fields_nulled_total",
    "Optional contract fields that broke their rule and were read as null (the event was "
    "still processed), by field name (a bounded set: the contract's optional fields).",
    ["field"],
)
EVENTS_DUPLICATE = Counter(
    f"{PREFIX}_events_duplicate_total",
    "Events not counted again: a repeated event_id, or a Kafka redelivery already applied.",
    ["kind"],
)
VERDICT_CHANGES = Counter(
    f"{PREFIX}_verdict_changes_total", "Changes of an account's verdict, by new action.", ["action"]
)
VERDICT_REASONS = Counter(
    f"{PREFIX}_verdict_reasons_total",
    "Reason codes of verdict changes to review, throttle or block (a bounded set: the "
    "detector's signal names, e.g. reasoning_trace_harvest, linked_group).",
    ["reason"],
)
# Exported at 0 from the start, so that increase() also sees a worker's first block.
for _action in ("review", "throttle", "block"):
    VERDICT_CHANGES.labels(_action)
ACCOUNTS_SCORED = Counter(f"{PREFIX}_accounts_scored_total", "Account scorings by the detector.")
ACCOUNTS_RECHECKED = Counter(
    f"{PREFIX}_accounts_rechecked_total",
    "Scorings of accounts that sent nothing since their last one (rechecks), of those above.",
)
BATCH_SECONDS = Histogram(
    f"{PREFIX}_batch_processing_seconds",
    "Time to process one batch: parse, features, detection, sinks and state write.",
    ["source"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
BATCH_EVENTS = Histogram(
    f"{PREFIX}_batch_events",
    "Records in one batch.",
    ["source"],
    buckets=(1, 10, 100, 500, 1000, 2500, 5000, 10000, 25000),
)
CONSUMER_LAG = Gauge(
    f"{PREFIX}_consumer_lag_records",
    "Records not yet processed on a partition (high watermark minus position).",
    ["partition"],
)
STORE_ERRORS = Counter(
    f"{PREFIX}_store_errors_total", "Failed state-store operations (retried).", ["operation"]
)
DLQ_PUBLISHED = Counter(
    f"{PREFIX}_dlq_published_total", "Malformed records sent to the dead-letter topic."
)
EVICTED = Counter(
    f"{PREFIX}_evicted_total",
    "Accounts or link values dropped from the embedded stores before their TTL (count bound).",
    ["what"],
)
ALERTS_PUBLISHED = Counter(f"{PREFIX}_alerts_published_total", "Verdict changes published.")
VERDICT_FAMILIES = Counter(
    f"{PREFIX}_verdict_families_total",
    "Evidence families that drove verdict changes to review, throttle or block.",
    ["family"],
)
WATERMARK_EPOCH = Gauge(
    f"{PREFIX}_watermark_epoch",
    "The shared watermark: every partition has written its contributions to epochs below it "
    "(epoch = event time // HARVESTGUARD_EPOCH_S).",
)
RECORDS_WAITING = Gauge(
    f"{PREFIX}_records_waiting",
    "Records a worker holds because they are ahead of the watermark.",
)
SOURCE_HELD_BACK = Counter(
    f"{PREFIX}_source_held_back_total",
    "Polls skipped because too many records wait for the watermark (the worker's partitions "
    "run ahead of the group's slowest).",
)
DEPENDENCY_UP = Gauge(
    f"{PREFIX}_dependency_up",
    "Whether the worker reaches a dependency (1) or is waiting it out (0).",
    ["dependency"],
)

# Sidecar API (service/api/)
CHECK_REQUESTS = Counter(
    f"{PREFIX}_check_requests_total",
    "Inline checks, by outcome: the action enforced, shadow_<action> when shadow mode let it "
    "through, no_account, or fail_open / fail_closed when the store was unreachable.",
    ["outcome"],
)
CHECK_SECONDS = Histogram(
    f"{PREFIX}_check_duration_seconds",
    "Time to answer one inline check, from routing to response.",
    buckets=(0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25),
)
INGEST_REQUESTS = Counter(
    f"{PREFIX}_ingest_requests_total", "Push-ingestion requests, by HTTP status.", ["status"]
)
FEEDBACK = Counter(f"{PREFIX}_feedback_total", "Analyst feedback received, by kind.", ["kind"])
