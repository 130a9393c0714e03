"""What every detector is: a river-style estimator over one account's feature dict.

Each evidence family is a :class:`Detector`: parameters in the constructor
(stored unchanged, so :func:`clone` rebuilds it), ``score_one(x)`` the log-odds
of evidence it finds in the feature dict ``x`` (0 for none; higher is more
suspect), ``explain_one(x)`` the signals behind that number, strongest first,
and ``learn_one(x)``, which only a detector with a model of its own uses.
Detectors read plain dicts of floats and import nothing from the service.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from typing import Any, NamedTuple, Protocol, TypeVar, runtime_checkable


class Signal(NamedTuple):
    reason: str  # a short machine-readable code
    weight: float  # log-odds it added
    value: float  # the feature value it read
    feature: str = ""  # the feature it read, for the peers' figures in explanations
    family: str = ""  # the evidence family it belongs to (set by the scorer)


@runtime_checkable
class Detector(Protocol):
    family: str

    def score_one(self, x: dict[str, float]) -> float:
        """The log-odds of evidence in ``x`` (0: none)."""
        ...

    def explain_one(self, x: dict[str, float]) -> list[Signal]:
        """The signals behind :meth:`score_one`, strongest first; their weights sum to it."""
        ...

    def learn_one(self, x: dict[str, float]) -> None:
        """Learn from an account that did not look suspect (most detectors learn nothing)."""
        ...


D = TypeVar("D")


def clone(detector: D) -> D:
    """A new detector with the same constructor parameters (river's ``clone``)."""
    params = {
        name: getattr(detector, name)
        for name in inspect.signature(type(detector).__init__).parameters
        if name != "self"
    }
    return type(detector)(**params)


def params_repr(detector: Any) -> str:
    params = inspect.signature(type(detector).__init__).parameters
    shown = ", ".join(f"{name}={getattr(detector, name)!r}" for name in params if name != "self")
    return f"{type(detector).__name__}({shown})"


class Evidence:
    """Shared plumbing of the families: the score is the sum of the explained signals."""

    family = ""

    def explain_one(self, x: dict[str, float]) -> list[Signal]:
        raise NotImplementedError

    def score_one(self, x: dict[str, float]) -> float:
        return float(sum(signal.weight for signal in self.explain_one(x)))

    def learn_one(self, x: dict[str, float]) -> None:
        return None

    def __repr__(self) -> str:
        return params_repr(self)


def ramp(value: float, floor: float, full: float) -> float:
    """0 at ``floor``, 1 at ``full``, linear between: a threshold without a cliff."""
    if value <= floor:
        return 0.0
    return 1.0 if value >= full else (value - floor) / (full - floor)


def log_ramp(value: float, floor: float, full: float) -> float:
    """:func:`ramp` on a log scale, for counts and volumes."""
    value = max(value, 0.0)
    # The log is monotonic: a value at either end needs no logarithm (most of them are).
    if value <= floor:
        return 0.0
    if value >= full:
        return 1.0
    return ramp(math.log1p(value), math.log1p(floor), math.log1p(full))


def logistic(log_odds: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, log_odds))))


def strongest_first(signals: list[Signal]) -> list[Signal]:
    return sorted((s for s in signals if s.weight), key=lambda s: -abs(s.weight))


def established_share(x: Mapping[str, float], days: tuple[float, float]) -> float:
    """How established the account is (0..1), by its age on the ramp ``days``; unknown ages
    (gateways that fill no creation time) count as established, the careful reading."""
    age = x.get("account_age_days", -1.0)
    return ramp(age, *days) if age >= 0 else 1.0
