"""An account's windows read out as one feature vector, the detectors' input.

Rates are log-scaled and everything else is a share or a ratio, so that a
scaler and a tree model see comparable ranges whether an account sends one
request a minute or a thousand a second.
"""

from __future__ import annotations

import math

from service.features.windows import AccountWindows

MINUTE, HOUR, DAY = 0, 1, 2
FEATURES: tuple[str, ...] = (
    "rate_1m",
    "rate_1h",
    "prompt_tokens_mean",
    "completion_tokens_mean",
    "completion_ratio",
    "error_share",
    "length_share",
    "single_turn_share",
    "logprobs_share",
    "distinct_prompt_share",
    "distinct_template_share",
    "client_ips",
    "api_keys",
    "gap_cv",
    "models",
)


def account_vector(windows: AccountWindows, now: float) -> dict[str, float]:
    """The feature vector of an account at event time ``now`` (its last event's ``ts``)."""
    hour = windows.counters_at(HOUR, now)
    requests = hour["requests"]
    per_request = 1.0 / requests if requests > 0 else 0.0
    prompt_tokens = hour["prompt_tokens"]
    completion_tokens = hour["completion_tokens"]
    gaps = hour["gap_count"]
    gap_cv = 0.0
    if gaps >= 2:
        mean = hour["gap_sum"] / gaps
        variance = max(hour["gap_sq_sum"] / gaps - mean * mean, 0.0)
        gap_cv = math.sqrt(variance) / mean if mean > 0 else 0.0
    distinct = windows.distinct
    return {
        "rate_1m": math.log1p(windows.counter("requests", MINUTE, now)),
        "rate_1h": math.log1p(requests),
        "prompt_tokens_mean": math.log1p(prompt_tokens * per_request),
        "completion_tokens_mean": math.log1p(completion_tokens * per_request),
        "completion_ratio": math.log1p(completion_tokens / (prompt_tokens + 1.0)),
        "error_share": hour["errors"] * per_request,
        "length_share": hour["length_finishes"] * per_request,
        "single_turn_share": hour["single_turn"] * per_request,
        "logprobs_share": hour["logprobs"] * per_request,
        "distinct_prompt_share": min(1.0, distinct("prompts", HOUR, now) * per_request),
        "distinct_template_share": min(1.0, distinct("templates", HOUR, now) * per_request),
        "client_ips": math.log1p(distinct("client_ips", HOUR, now)),
        "api_keys": math.log1p(distinct("api_keys", DAY, now)),
        "gap_cv": min(gap_cv, 10.0),
        "models": float(len(windows.model_mix(DAY, now))),
    }
