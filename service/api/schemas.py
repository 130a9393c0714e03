"""Request and response bodies of the API (they make the OpenAPI schema)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from service.account_ids import normalise_account_id
from service.state.account import Decision

# Normalised as every source of account ids is (service/account_ids.py).
AccountId = Annotated[str, Field(min_length=1), AfterValidator(normalise_account_id)]
FeedbackKind = Literal["confirm", "dismiss", "allowlist", "clear"]


class Rejection(BaseModel):
    index: int = Field(description="Array index, or 0-based line number of NDJSON.")
    reason: str = Field(description="The contract field and the problem, e.g. 'ts: is required'.")


class IngestResponse(BaseModel):
    received: int
    applied: int = Field(description="Events counted into account windows.")
    duplicates: int = Field(description="Events whose event_id the account had already seen.")
    rejected_count: int
    rejected: list[Rejection] = Field(description="The first 1000 rejections.")
    alerts: int = Field(description="Verdict changes this batch caused.")
    alerts_published: bool | None = Field(
        description="Whether they reached the alerts topic; null when not publishing."
    )


class DecisionView(BaseModel):
    action: str
    score: float
    reasons: list[str]
    since_ts: float
    cluster_id: str | None

    @classmethod
    def of(cls, decision: Decision) -> DecisionView:
        return cls(
            action=decision.action,
            score=round(decision.score, 4),
            reasons=list(decision.reasons),
            since_ts=decision.since_ts,
            cluster_id=decision.cluster_id,
        )


class FeatureView(BaseModel):
    feature: str
    value: float
    peer_median: float | None = Field(
        description="Median among accounts of the same volume tier; null until the tier "
        "has enough accounts."
    )
    peer_p99: float | None = Field(description="99th percentile among the same peers.")


class LinkView(BaseModel):
    value: str = Field(description="The shared value as 'kind:hash' (never the raw value).")
    kind: str = Field(
        description="payment, network, system (prompt), asn_agent or skeleton (prompt template)."
    )
    members: int = Field(description="Accounts sharing it.")
    common: bool = Field(description="Shared too widely to count as evidence.")
    accounts: list[str] = Field(description="Other accounts sharing it (at most 20).")
    requests: float = Field(description="The group's requests in its members' day windows.")
    shares: dict[str, float] = Field(
        description="Per request of the group: reasoning harvested, full traces, grades, probes, "
        "long answers; and the share of its members that are young (under 30 days)."
    )


class OverrideView(BaseModel):
    allowlisted: bool
    dismissed: list[str]
    pinned: str | None


class AccountView(BaseModel):
    account_id: str
    action: str = Field(description="The stored decision's action ('allow' if none).")
    enforced_action: str = Field(description="What the inline check enforces (shadow: allow).")
    score: float
    reasons: list[str]
    since_ts: float | None
    cluster_id: str | None
    events: int = Field(description="Events counted for the account (0 if no state is held).")
    first_ts: float | None
    last_ts: float | None
    features: list[FeatureView] = Field(
        description="The account's feature vector now, next to its peers' median and p99."
    )
    linked: list[LinkView] = Field(
        description="Values the account shares with other accounts, and the group its verdict "
        "names (cluster_id) if it has moved on from it; strongest evidence first."
    )
    families: dict[str, float] = Field(
        default_factory=dict,
        description="Log-odds each evidence family adds now (content, structure, economics, "
        "farm, coordination, anomaly); absent families add nothing.",
    )
    signals: list[dict[str, Any]] = Field(
        default_factory=list,
        description="The signals behind those log-odds, strongest first, with the peers' "
        "median and p99 where the volume tier is known.",
    )
    override: OverrideView | None
    feedback: list[dict[str, Any]] = Field(description="Recent feedback, newest first.")


class FeedbackIn(BaseModel):
    kind: FeedbackKind
    by: Annotated[str, Field(min_length=1, max_length=128, description="Who says so.")]
    note: Annotated[str, Field(max_length=2000)] = ""


class FeedbackOut(BaseModel):
    account_id: str
    decision: DecisionView
    feedback: dict[str, Any]
    alert_published: bool | None


class AlertPage(BaseModel):
    alerts: list[dict[str, Any]]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page.")


class KeyMapping(BaseModel):
    account_id: AccountId


class KeyView(BaseModel):
    key_hash: str
    account_id: str


class Health(BaseModel):
    status: str
    checks: dict[str, bool] = Field(default_factory=dict)


class QueueItem(BaseModel):
    alert_id: str | None
    account_id: str
    action: str
    previous_action: str | None
    score: float | None
    reasons: list[str]
    families: list[str] = Field(
        description="Evidence families behind the verdict: the alert's own `families` when it "
        "names them, else those of its reason codes."
    )
    cluster_id: str | None
    ts: float | None = Field(description="Event time of the change (Unix s).")
    shadow: bool = Field(description="Computed but not enforced (shadow mode).")
    source: str | None = Field(description="'feedback' for an analyst's change, else detection.")


class QueuePage(BaseModel):
    flags: list[QueueItem] = Field(
        description="Accounts whose latest verdict change flagged them, newest first."
    )
    changes: list[QueueItem] = Field(description="Recent verdict changes, newest first.")
    families: list[str] = Field(description="Every evidence family, for filters.")
    tenants: list[str] = Field(description="Tenant globs of HARVESTGUARD_POLICY_OVERRIDES.")
    scanned: int = Field(description="Verdict changes read from the alert log.")


class MemberView(BaseModel):
    account_id: str
    action: str
    score: float
    reasons: list[str]


class ClusterView(BaseModel):
    cluster_id: str
    link: LinkView | None = Field(description="The group as it stands; null once it expired.")
    decisions: list[MemberView] = Field(description="Members' current decisions (at most 50).")
    alerts: list[dict[str, Any]] = Field(description="Its recent verdict changes, newest first.")


class FamiliesView(BaseModel):
    families: list[str]
    reasons: dict[str, str] = Field(description="Reason code -> the family of its signal.")
