"""An account's windows read out as one feature dict, the detectors' input.

Shares are read over the day window (a campaign is judged on its pattern, and a
day holds the most evidence); rates over the minute and the hour. Counts travel
with the shares so that a detector can tell three requests from three thousand.
Group features (what the account's linked groups do, without the account
itself) are added by ``detectors.groups.group_features``.
"""

from __future__ import annotations

import math

from service.features.windows import HOUR_S, INDEX, MINUTE_S, AccountWindows

NOT_KNOWN = -1.0
_I = INDEX


def account_vector(
    windows: AccountWindows,
    now: float,
    created: float = NOT_KNOWN,
    models_first_seen: dict[str, float] | None = None,
    first_ts: float = NOT_KNOWN,
    new_model_s: float = 86400.0,
) -> dict[str, float]:
    """The feature dict of an account at event time ``now`` (its last event's ``ts``).

    ``models_first_seen`` maps a model to when it was first seen after the stream began
    (models seen from the start are left out): traffic on a model younger than
    ``new_model_s`` counts towards ``new_model_share``."""
    day = windows.day_counters(now)
    requests = day[0]
    per = 1.0 / requests if requests > 0 else 0.0
    new_model = 0.0
    if models_first_seen:
        new_model = sum(
            count
            for model, count in windows.model_mix(now).items()
            if now - models_first_seen.get(model, -math.inf) < new_model_s
        )
    gaps = day[_I["gap_count"]]
    gap_cv = 0.0
    if gaps >= 2:
        mean = day[_I["gap_sum"]] / gaps
        variance = max(day[_I["gap_sq_sum"]] / gaps - mean * mean, 0.0)
        gap_cv = min(math.sqrt(variance) / mean, 10.0) if mean > 0 else 0.0
    completion = day[_I["completion_tokens"]]
    # Hours since the account's first event still in the day window.
    first = max(first_ts, now - 86400.0) if first_ts >= 0 else now
    prompt = day[_I["prompt_tokens"]]
    distinct = windows.distinct
    heads, tails = distinct("heads", now), distinct("tails", now)
    _, top = windows.top_skeleton()
    return {
        "requests": requests,
        "rate_1m": math.log1p(windows.minute.at(MINUTE_S, now)),
        "rate_1h": math.log1p(windows.hour.at(HOUR_S, now)),
        "account_age_days": (now - created) / 86400.0 if created >= 0 else NOT_KNOWN,
        "active_hours": (now - first) / 3600.0,
        # Content: phrase flags and cues, and what was taken away with them.
        "cot_share": day[_I["cot"]] * per,
        "elicit_share": day[_I["elicit"]] * per,
        "trace_share": day[_I["trace"]] * per,
        "grade_share": day[_I["grade"]] * per,
        "format_share": day[_I["format"]] * per,
        "harvest_count": day[_I["harvest"]],
        "trace_count": day[_I["trace_harvest"]],
        "grade_count": day[_I["grade"]],
        "probe_count": day[_I["probe"]],
        "harvest_share": day[_I["harvest"]] * per,
        "probe_share": day[_I["probe"]] * per,
        "cot_languages": float(windows.languages_at(now)),
        "reproducible_share": day[_I["reproducible"]] * per,
        # Economics: what each answer is worth.
        "long_share": day[_I["long"]] * per,
        "completion_mean": completion * per,
        "prompt_mean": prompt * per,
        "completion_ratio": completion / (prompt + 1.0),
        "completion_day": completion,
        "near_max_share": day[_I["near_max"]] * per,
        "reasoning_mean": day[_I["reasoning_tokens"]] * per,
        "reasoning_share": day[_I["reasoning_requests"]] * per,
        "error_share": day[_I["errors"]] * per,
        # Structure: skeletons, payload variety, one turn at a time, one capability.
        "single_turn_share": day[_I["single_turn"]] * per,
        "template_repeat": max(0.0, 1.0 - min(heads, tails) * per) if requests else 0.0,
        "top_skeleton_share": min(1.0, top * per),
        "distinct_prompt_share": min(1.0, distinct("prompts", now) * per),
        "focus_share": max(day[_I["code"]], day[_I["math"]]) * per,
        "system_share": day[_I["system"]] * per,
        "stream_share": day[_I["stream"]] * per,
        "new_model_share": new_model * per,
        "models": float(len(windows.models)),
        # Coordination: pacing.
        "gap_cv": gap_cv,
        "client_ips": distinct("client_ips", now),
        "api_keys": distinct("api_keys", now),
    }
