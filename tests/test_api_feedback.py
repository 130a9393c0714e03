"""Analyst feedback: its effect on the inline check, its record, and on detection.

Detection's side is tested twice: with a scripted detector (the score and the
reason codes are set by the test, so every step of dismiss / allowlist /
confirm is deterministic and each test has a control that flags without the
feedback), and end to end with the real detector over pushed traffic.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import redis

from detectors.base import Signal
from detectors.registry import Assessment, Scorer
from service.pipeline import Pipeline
from service.settings import Settings
from service.state.account import Decision
from service.state.factory import build_backends
from service.state.feedback import (
    FeedbackBook,
    MemoryFeedback,
    Override,
    RedisFeedback,
    adjust,
)
from service.state.memory import MemoryStore
from tests.factories import T0, event, observed, traffic
from tests.test_api_support import AUTH, FAST, all_alerts, api_client, api_settings, push

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)

PATH = "/v1/check/v1/chat/completions"


class ScriptedScorer(Scorer):
    """Scores and explains whatever the test says."""

    def __init__(self) -> None:
        super().__init__([])
        self.score = 0.0
        self.reasons: list[str] = []

    def assess(self, x: dict[str, float]) -> Assessment:
        signals = [Signal(reason, 1.0, 1.0, family="content") for reason in self.reasons]
        return Assessment(self.score, signals, {"content": float(len(signals))})


class Harness:
    """A pipeline on one account whose score and reasons the test scripts."""

    def __init__(self, feedback: FeedbackBook | None, store: Any = None) -> None:
        self.detector = ScriptedScorer()
        settings = Settings(_env_file=None, min_events=1)  # type: ignore[call-arg]
        self.pipeline = Pipeline(
            store or MemoryStore(), settings, scorer=self.detector, overrides=feedback
        )
        self.sent = 0

    def step(self, score: float, *reasons: str) -> str:
        """One event for org_x scored ``score`` with these reasons; the stored action after."""
        self.detector.score, self.detector.reasons = score, list(reasons)
        self.sent += 1
        raw = event(event_id=f"s{self.sent}", ts=T0 + self.sent, account_id="org_x")
        result = self.pipeline.process(observed([raw]))
        self.pipeline.commit(result)
        stored = self.pipeline.store.decision("org_x")
        return "allow" if stored is None else stored.action


def write_decision(harness: Harness, action: str) -> None:
    """What feedback does to the store: replace the decision behind the pipeline's back."""
    harness.pipeline.store.save({}, {"org_x": Decision(action, 0.5, [], T0)})


def test_dismissed_reasons_do_not_flag_again_but_new_ones_do() -> None:
    feedback = MemoryFeedback()
    harness = Harness(feedback)
    assert harness.step(0.99, "a", "b") == "block"
    feedback.put("org_x", Override(dismissed=["a", "b"]))
    write_decision(harness, "allow")
    assert harness.step(0.99, "a", "b") == "allow"
    assert harness.step(0.99, "b") == "allow"
    assert harness.step(0.99, "a", "c") == "block"


def test_without_the_dismissal_the_same_reasons_flag_again() -> None:
    harness = Harness(MemoryFeedback())
    assert harness.step(0.99, "a", "b") == "block"
    assert harness.step(0.1) == "allow"
    assert harness.step(0.99, "a", "b") == "block"


def test_an_allowlisted_account_is_never_flagged() -> None:
    feedback = MemoryFeedback()
    harness = Harness(feedback)
    feedback.put("org_x", Override(allowlisted=True))
    assert [harness.step(0.99, f"r{i}") for i in range(3)] == ["allow"] * 3
    assert Harness(MemoryFeedback()).step(0.99, "r0") == "block"  # the control


def test_a_confirmed_action_is_not_stepped_down() -> None:
    feedback = MemoryFeedback()
    harness = Harness(feedback)
    assert harness.step(0.85, "a") == "review"
    feedback.put("org_x", Override(pinned="block"))
    write_decision(harness, "block")
    assert harness.step(0.85, "a") == "block"
    assert harness.step(0.0) == "block"
    control = Harness(MemoryFeedback())
    assert (control.step(0.85, "a"), control.step(0.0)) == ("review", "allow")


def test_the_worker_pipeline_reads_feedback_from_redis(
    redis_url: str, redis_client: redis.Redis
) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}"
    settings = Settings(_env_file=None, store="redis", redis_url=redis_url, redis_prefix=prefix)  # type: ignore[call-arg]
    backends = build_backends(settings)
    store, worker_side = backends.store, backends.feedback
    assert isinstance(worker_side, RedisFeedback)
    harness = Harness(worker_side, store=store)
    assert harness.step(0.99, "a") == "block"
    # The API is another process: its own RedisFeedback writes, the worker's reads.
    RedisFeedback(redis.Redis.from_url(redis_url), prefix).put("org_x", Override(allowlisted=True))
    store.save({}, {"org_x": Decision("allow", 0.0, [], T0)})
    assert harness.step(0.99, "a", "b") == "allow"
    assert harness.step(0.99, "c") == "allow"


@pytest.mark.parametrize(
    ("override", "current", "proposed", "expected"),
    [
        (None, "allow", "block", "block"),
        (Override(allowlisted=True), "allow", "block", "allow"),
        (Override(allowlisted=True), "block", "block", "allow"),
        (Override(dismissed=["a"]), "allow", "throttle", "allow"),
        (Override(dismissed=["b"]), "allow", "throttle", "throttle"),
        (Override(pinned="throttle"), "throttle", "allow", "throttle"),
        (Override(pinned="throttle"), "throttle", "block", "block"),
        (Override(pinned="block"), "review", "review", "block"),
    ],
)
def test_adjust(override: Override | None, current: str, proposed: str, expected: str) -> None:
    now = Decision(current, 0.9, ["a"], 1.0)
    new = Decision(proposed, 0.95, ["a"], 2.0) if proposed != current else now
    assert adjust(override, now, new, 3.0).action == expected


# ---------------------------------------------------------------- through the API


def give(api: Any, account: str, kind: str, note: str = "") -> dict[str, Any]:
    response = api.post(
        f"/v1/accounts/{account}/feedback",
        json={"kind": kind, "by": "ana@example.com", "note": note},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def seed_block(client: redis.Redis, prefix: str, account: str) -> None:
    decision = Decision("block", 0.99, ["completion_ratio_high"], T0)
    client.set(f"{prefix}:{{{account}}}:d", decision.to_json())


def test_feedback_reaches_the_check_at_once_and_is_recorded(
    redis_url: str, redis_client: redis.Redis
) -> None:
    settings = api_settings(redis_url)
    seed_block(redis_client, settings.redis_prefix, "org_b")
    with api_client(settings) as api:

        def status() -> int:
            return int(api.post(PATH, headers={"x-account-id": "org_b"}).status_code)

        assert status() == 403
        dismissed = give(api, "org_b", "dismiss", "support ticket 4411: known batch job")
        after_dismiss = status()
        confirmed = give(api, "org_b", "confirm")
        after_confirm = status()
        give(api, "org_b", "allowlist")
        after_allowlist = status()
        give(api, "org_b", "clear")
        view = api.get("/v1/accounts/org_b", headers=AUTH).json()
        alerts = all_alerts(api)
    assert dismissed["decision"]["action"] == "allow"
    assert dismissed["feedback"]["reasons"] == ["completion_ratio_high"]
    assert (after_dismiss, after_confirm, after_allowlist) == (200, 403, 200)
    assert confirmed["decision"]["action"] == "block"
    assert view["action"] == "allow" and view["override"] is None
    assert [f["kind"] for f in view["feedback"]] == ["clear", "allowlist", "confirm", "dismiss"]
    assert view["feedback"][-1]["note"] == "support ticket 4411: known batch job"
    assert view["feedback"][-1]["by"] == "ana@example.com"
    assert [(a["action"], a["feedback"]) for a in alerts] == [
        ("allow", "allowlist"),
        ("block", "confirm"),
        ("allow", "dismiss"),
    ]
    # Stored in Redis: the audit list and (until cleared) the override hash.
    assert redis_client.llen(f"{settings.redis_prefix}:{{org_b}}:f") == 4
    assert redis_client.hget(f"{settings.redis_prefix}:overrides", "org_b") is None


def test_confirm_blocks_an_allowed_account() -> None:
    with api_client(api_settings()) as api:
        body = give(api, "org_quiet", "confirm")
        check = api.post(PATH, headers={"x-account-id": "org_quiet"})
        view = api.get("/v1/accounts/org_quiet", headers=AUTH).json()
    assert body["decision"]["action"] == "block"
    assert body["decision"]["reasons"] == ["analyst_confirmed"]
    assert check.status_code == 403
    assert view["override"] == {"allowlisted": False, "dismissed": [], "pinned": "block"}


def test_an_account_allowlisted_before_its_traffic_is_never_flagged() -> None:
    sample = list(traffic(events=8000))
    with api_client(api_settings(**FAST)) as api:
        give(api, "org_harvest", "allowlist")
        push(api, sample)
        alerts = [a for a in all_alerts(api) if a["account_id"] == "org_harvest"]
        check = api.post(PATH, headers={"x-account-id": "org_harvest"})
    with api_client(api_settings(**FAST)) as control:
        push(control, sample)
        flagged = [a for a in all_alerts(control) if a["account_id"] == "org_harvest"]
    assert all(a["action"] == "allow" for a in alerts)
    assert check.status_code == 200
    assert any(a["action"] != "allow" for a in flagged)  # the control: it is a harvester


def test_feedback_needs_a_known_kind_and_an_author() -> None:
    with api_client(api_settings()) as api:
        unknown = api.post("/v1/accounts/a/feedback", json={"kind": "ban", "by": "x"}, headers=AUTH)
        anonymous = api.post("/v1/accounts/a/feedback", json={"kind": "dismiss"}, headers=AUTH)
        missing = api.get("/v1/accounts/nobody", headers=AUTH)
    assert (unknown.status_code, anonymous.status_code, missing.status_code) == (422, 422, 404)
    assert "ban" not in unknown.text  # validation errors do not echo the input
