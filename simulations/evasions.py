"""Cheap evasions: what an operator changes as soon as one signal costs it, as spec changes.

Each evasion turns a scenario into another one (applied after ``Scenario.scaled``, so that
sizes are final): the same benign population and every campaign of the base, changed in
one way. ``harvestguard evaluate --matrix`` runs the base once per evasion and reports
recall per campaign type, so each cell of the matrix is one campaign type under one
evasion.

>>> from simulations.spec import load_scenario
>>> thin = apply(load_scenario("smoke"), "thinner")
>>> [c.accounts for c in thin.campaigns][:3]
[4, 60, 4]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulations.spec import CAMPAIGN_TYPES, CampaignSpec, Scenario
from simulations.wording import HELD_OUT

# Short answers under any length threshold (probes are one token already).
CAPPED_TOKENS = (300, 700)
# Bought or aged accounts: months to a year and a half old.
AGED_DAYS = (90, 540)
# Requests one person paces by hand in an hour of work, think times included (average).
HUMAN_PER_HOUR = 40.0
# Accounts per payment method when a farm splits its cards (a dozen by default).
SPLIT_CARD_ACCOUNTS = 3
# What the gateway adapters (LiteLLM, Envoy, Kong) do not fill in.
ADAPTER_GAPS = ("payment_fingerprint", "account_created", "asn")
# Requests each account of a thin farm sends: too few for any account to repeat a template.
THIN_FARM_REQUESTS = 3
# Answers shorter still than capped ones, for stress runs: what a farm's take is worth.
SHORT_TOKENS = (120, 300)


# Campaign types written and paced by hand, request by request: no script or timing to change.
_HAND_WRITTEN = ("slow_drip", "chat_mimicry")
# Campaign types that are no farm: each account has a card of its own (or one for all, no
# groups to split) and is no thin member of a crowd.
_NOT_FARMS = tuple(t for t in CAMPAIGN_TYPES if t != "hydra")


@dataclass(frozen=True)
class Evasion:
    name: str
    what: str
    apply: Callable[[Scenario], Scenario]


def _each_campaign(
    change: Callable[[CampaignSpec], dict[str, Any]], skip: tuple[str, ...] = ()
) -> Callable[[Scenario], Scenario]:
    def apply(scenario: Scenario) -> Scenario:
        campaigns = tuple(
            c if c.type in skip else c.model_copy(update=change(c)) for c in scenario.campaigns
        )
        return scenario.model_copy(update={"campaigns": campaigns})

    return apply


def _options(**extra: Any) -> Callable[[CampaignSpec], dict[str, Any]]:
    return lambda c: {"options": {**c.options, **extra}}


def _human(c: CampaignSpec, hours: float) -> dict[str, Any]:
    """Human pacing keeps the volume by spreading it over as many people as it takes."""
    span_h = max((c.end - c.start) * hours, 0.1)
    accounts = max(c.accounts, math.ceil(c.events / (span_h * HUMAN_PER_HOUR)))
    options = {**c.options, "working_hours": True, "around_the_clock": False}
    return {"timing": "human", "accounts": accounts, "options": options}


def _working_hours(scenario: Scenario) -> Scenario:
    return _each_campaign(lambda c: _human(c, scenario.hours))(scenario)


def _reworded(wording: str) -> Callable[[Scenario], Scenario]:
    return lambda s: s.model_copy(update={"wording": wording})


def _omitting(fields: tuple[str, ...]) -> Callable[[Scenario], Scenario]:
    """Every event, benign and attack, without these optional fields."""
    return lambda s: s.model_copy(update={"omit_fields": fields})


def _each_request(word: str, requests: int, why: str) -> Evasion:
    return Evasion(
        f"{word}-each",
        f"a farm's accounts send {requests} request{'s' if requests > 1 else ''} each (its "
        f"volume cut to {requests} times its accounts): {why}",
        _each_campaign(lambda c: {"events": requests * c.accounts}, _NOT_FARMS),
    )


def _evasions() -> list[Evasion]:
    low, high = CAPPED_TOKENS
    return [
        Evasion("none", "the base scenario as it is", lambda s: s),
        *(
            Evasion(
                f"reworded-{w}",
                f"every account (benign too) worded in the {w} family",
                _reworded(w),
            )
            for w in HELD_OUT
        ),
        Evasion(
            "capped",
            f"every answer {low}-{high} tokens, reasoning included; max_tokens {high}",
            _each_campaign(_options(answer_tokens=[low, high]), skip=("logit_probe",)),
        ),
        Evasion(
            "seeded",
            "temperature 0 and a seed on every harvesting request",
            _each_campaign(_options(seeded=True)),
        ),
        Evasion(
            "thinner",
            "the same volume over twice as many accounts",
            _each_campaign(lambda c: {"accounts": 2 * c.accounts}),
        ),
        Evasion(
            "aged",
            f"accounts {AGED_DAYS[0]}-{AGED_DAYS[1]} days old",
            _each_campaign(_options(aged_days=list(AGED_DAYS))),
        ),
        Evasion(
            "logprobs-only",
            "probes set no logit_bias and read only their top_logprobs (5-20), as honest "
            "log-likelihood scoring does",
            _each_campaign(_options(logprobs_only=True)),
        ),
        Evasion(
            "own-payment",
            "no payment method shared between accounts",
            _each_campaign(_options(own_payment=True)),
        ),
        Evasion(
            "residential",
            "every request through a residential proxy pool",
            _each_campaign(_options(residential=True)),
        ),
        Evasion(
            "split-cards",
            f"a farm shares each payment method among {SPLIT_CARD_ACCOUNTS} accounts, not a dozen",
            _each_campaign(_options(payment_group=SPLIT_CARD_ACCOUNTS), skip=_NOT_FARMS),
        ),
        Evasion(
            "no-system",
            "no system prompt on any harvesting request (none to share)",
            _each_campaign(_options(no_system=True)),
        ),
        Evasion(
            "own-agents",
            "an SDK user agent drawn for each account from the common ones, not one for the "
            "campaign (no crowd of one cloud and one agent)",
            _each_campaign(_options(own_agents=True)),
        ),
        Evasion(
            "one-skeleton",
            "each harvesting script fills one fixed prompt skeleton (not an evasion: how farms "
            "described elsewhere write their prompts); the drip and the mimicry, written by "
            "hand, stay as they are",
            _each_campaign(_options(one_skeleton=True), skip=_HAND_WRITTEN),
        ),
        _each_request("three", THIN_FARM_REQUESTS, "the thin farm described elsewhere"),
        Evasion(
            "padded",
            "every harvesting request carries one made-up turn of history, so none is "
            "single-turn; the drip and the mimicry, written by hand, stay as they are",
            _each_campaign(_options(padded_history=True), skip=_HAND_WRITTEN),
        ),
        Evasion(
            "working-hours",
            "human sessions in local working hours; the same volume over as many accounts as "
            f"it takes to average at most {HUMAN_PER_HOUR:g} requests an hour each",
            _working_hours,
        ),
        Evasion(
            "half-chat",
            "half of every account's traffic ordinary chat",
            _each_campaign(lambda c: {"mix": max(c.mix, 0.5)}),
        ),
        Evasion(
            "adapters",
            f"events as the gateway adapters send them: no {', '.join(ADAPTER_GAPS)}",
            _omitting(ADAPTER_GAPS),
        ),
    ]


EVASIONS: dict[str, Evasion] = {e.name: e for e in _evasions()}
# Evasions a run may name (``--evasion one-each``) that the matrix does not run by default:
# farms thinner still, for stress runs beside it.
STRESS: dict[str, Evasion] = {
    e.name: e
    for e in (
        _each_request("one", 1, "a stress run"),
        _each_request("two", 2, "a stress run"),
        Evasion(
            "bursty",
            "each account sends its share in bursts of its own, not in turn with the others: "
            "a stress run",
            _each_campaign(lambda c: {"timing": "bursty"}, skip=_HAND_WRITTEN),
        ),
        Evasion(
            "no-text",
            "events carry no prompt or system prompt (a gateway that logs no text, or every "
            "customer on zero data retention): a stress run",
            _omitting(("prompt", "system_prompt")),
        ),
        Evasion(
            "short",
            f"every answer {SHORT_TOKENS[0]}-{SHORT_TOKENS[1]} tokens; max_tokens "
            f"{SHORT_TOKENS[1]}: a stress run",
            _each_campaign(_options(answer_tokens=list(SHORT_TOKENS)), skip=("logit_probe",)),
        ),
    )
}
# Several evasions at once, as traffic written elsewhere differs in wording, lengths and
# spread together: the matrix runs these rows after the single ones.
COMBINED: tuple[str, ...] = (
    "reworded-spec+capped",
    # The wording written without sight of the detector, with short answers.
    "reworded-terse+capped",
    "reworded-prose+capped+thinner",
    "reworded-brief+seeded+thinner",
    "reworded-spec+own-payment+residential",
    "reworded-brief+aged+capped",
    "reworded-prose+half-chat",
    # Other words and a made-up turn of history: nothing asks in the detector's words, and no
    # request is one turn.
    "reworded-terse+padded",
    # A farm as little like ours as the cheap evasions make it: other words, shorter answers,
    # no system prompt, residential exits and three accounts a card.
    "reworded-brief+capped+no-system+residential+split-cards",
    # The same with an agent of its own per account (nothing but cards and exits left to share),
    # and that farm again as described elsewhere: one prompt skeleton.
    "reworded-brief+capped+no-system+residential+split-cards+own-agents",
    "reworded-brief+capped+no-system+residential+split-cards+own-agents+one-skeleton",
    # Thin: three requests an account, too few for any account to repeat its skeleton.
    "reworded-prose+capped+residential+one-skeleton+three-each",
    "reworded-brief+capped+no-system+residential+split-cards+own-agents+one-skeleton+three-each",
)


def parts(name: str) -> list[Evasion]:
    """The evasions ``name`` applies, in order (``a+b``: ``a`` then ``b``)."""
    known = {**EVASIONS, **STRESS}
    found = []
    for part in name.split("+"):
        if part not in known:
            raise KeyError(f"unknown evasion {part!r}; known: {', '.join(known)} (a+b for both)")
        found.append(known[part])
    return found


def describe(name: str) -> str:
    """What evasion ``name`` changes (``a+b``: both)."""
    return "; and ".join(evasion.what for evasion in parts(name))


def apply(scenario: Scenario, name: str) -> Scenario:
    """The scenario under evasion ``name``, named ``base+name``; validated again.

    ``a+b`` applies evasion ``a`` then ``b``: an operator who rewords *and* caps answers
    *and* spreads thinner, as traffic written elsewhere does all at once."""
    changed = scenario
    for evasion in parts(name):
        changed = evasion.apply(changed)
    suffix = "" if name == "none" else f"+{name}"
    return Scenario.model_validate({**changed.model_dump(), "name": f"{scenario.name}{suffix}"})
