"""An account's windows read out as one feature vector, the detectors' input.

Shares are read over the day window (a campaign is judged on its pattern, and
a day holds the most evidence); rates over the minute and the hour. Counts
travel with the shares so that a detector can tell three requests from three
thousand.
"""

from __future__ import annotations

import math

from service.features.windows import COUNTERS, AccountWindows

MINUTE, HOUR, DAY = 0, 1, 2
NOT_KNOWN = -1.0
FEATURES: tuple[str, ...] = (
    "requests",
    "rate_1m",
    "rate_1h",
    "harvest_count",
    "trace_count",
    "rubric_count",
    "probe_count",
    "harvest_share",
    "trace_share",
    "cot_share",
    "rubric_share",
    "probe_share",
    "reproducible_share",
    "single_turn_share",
    "length_share",
    "logprobs_share",
    "multi_choice_share",
    "error_share",
    "completion_tokens_mean",
    "reasoning_tokens_mean",
    "completion_ratio",
    "cot_languages",
    "distinct_prompt_share",
    "template_repeat_share",
    "client_ips",
    "api_keys",
    "gap_cv",
    "models",
    "new_model_share",
    "account_age_days",
)

# The counters the lean vector reads from the day window, and the full one from the hour.
_LEAN_DAY = (
    "requests", "harvest", "trace_harvest", "rubric", "probe", "reproducible", "single_turn",
)  # fmt: skip
_GAPS = ("gap_count", "gap_sum", "gap_sq_sum")


def account_vector(
    windows: AccountWindows,
    now: float,
    account_created: float = NOT_KNOWN,
    model_first_seen: dict[str, float] | None = None,
    new_model_s: float = 86400.0,
    full: bool = True,
) -> dict[str, float]:
    """The feature vector of an account at event time ``now`` (its last event's ``ts``).

    ``model_first_seen`` maps a model to when any account first used it: traffic on a
    model younger than ``new_model_s`` counts towards ``new_model_share``. With
    ``full=False`` only what the detector scores is read (no sketch estimates, no
    inter-arrival statistics): the vector of every scoring, the full one being for the
    baseline and the analyst.
    """
    day = windows.counters_at(DAY, now, COUNTERS if full else _LEAN_DAY)
    requests = day["requests"]
    per_request = 1.0 / requests if requests > 0 else 0.0
    # The model mix is read only when some model is new, or for the full vector.
    mix = windows.model_mix(DAY, now) if model_first_seen or full else {}
    new_model = 0.0
    if model_first_seen:
        new_model = sum(
            count
            for model, count in mix.items()
            if now - model_first_seen.get(model, -math.inf) < new_model_s
        )
    x = {
        "requests": requests,
        "rate_1h": math.log1p(windows.counter("requests", HOUR, now)),
        "harvest_count": day["harvest"],
        "trace_count": day["trace_harvest"],
        "rubric_count": day["rubric"],
        "probe_count": day["probe"],
        "reproducible_share": day["reproducible"] * per_request,
        "single_turn_share": day["single_turn"] * per_request,
        "cot_languages": float(windows.cot_languages(DAY, now)),
        "new_model_share": new_model * per_request,
        "account_age_days": (now - account_created) / 86400.0 if account_created >= 0 else -1.0,
    }
    if not full:
        return x
    prompt_tokens, completion_tokens = day["prompt_tokens"], day["completion_tokens"]
    hour = windows.counters_at(HOUR, now, _GAPS)
    gaps = hour["gap_count"]
    gap_cv = 0.0
    if gaps >= 2:
        mean = hour["gap_sum"] / gaps
        variance = max(hour["gap_sq_sum"] / gaps - mean * mean, 0.0)
        gap_cv = math.sqrt(variance) / mean if mean > 0 else 0.0
    distinct = windows.distinct
    x.update(
        rate_1m=math.log1p(windows.counter("requests", MINUTE, now)),
        harvest_share=day["harvest"] * per_request,
        trace_share=day["trace_harvest"] * per_request,
        cot_share=day["cot"] * per_request,
        rubric_share=day["rubric"] * per_request,
        probe_share=day["probe"] * per_request,
        length_share=day["length_finishes"] * per_request,
        logprobs_share=day["logprobs"] * per_request,
        multi_choice_share=day["multi_choice"] * per_request,
        error_share=day["errors"] * per_request,
        completion_tokens_mean=completion_tokens * per_request,
        reasoning_tokens_mean=day["reasoning_tokens"] * per_request,
        completion_ratio=completion_tokens / (prompt_tokens + 1.0),
        distinct_prompt_share=min(1.0, distinct("prompts", DAY, now) * per_request),
        # Share of requests that reuse a prompt skeleton (digits masked, head and tail).
        template_repeat_share=max(0.0, 1.0 - distinct("templates", DAY, now) * per_request),
        client_ips=distinct("client_ips", DAY, now),
        api_keys=distinct("api_keys", DAY, now),
        gap_cv=min(gap_cv, 10.0),
        models=float(len(mix)),
    )
    return x
