"""The first account detector: half-space trees over the account feature vector.

A river pipeline (``MinMaxScaler | HalfSpaceTrees``) inside a ``QuantileFilter``
with ``protect_anomaly_detector=True``: the trees learn only from vectors whose
score is below the running quantile, so harvesting cannot become the baseline.
"""

from __future__ import annotations

from typing import Any

from river import anomaly, compose, preprocessing


class ProtectedQuantileFilter(anomaly.QuantileFilter):
    """river's QuantileFilter, reusing the score just computed instead of scoring twice.

    The pipeline always scores an account before it learns from it, and a
    half-space-tree score costs tens of microseconds, so the second one is waste.

    >>> from river import anomaly
    >>> model = ProtectedQuantileFilter(anomaly.HalfSpaceTrees(seed=1), q=0.9)
    >>> x = {"a": 0.5}
    >>> score = model.score_one(x)
    >>> model.learn_one(x)
    >>> model.n_learned
    1
    """

    def __init__(
        self, anomaly_detector: Any, q: float, protect_anomaly_detector: bool = True
    ) -> None:
        super().__init__(anomaly_detector, q, protect_anomaly_detector)
        self.n_learned = 0
        self._last: tuple[int, float] | None = None

    def score_one(self, *args: Any) -> float:
        score = float(self.anomaly_detector.score_one(*args))
        self._last = (id(args[0]), score)
        return score

    def learn_one(self, *args: Any, **learn_kwargs: Any) -> None:
        last = self._last
        score = last[1] if last is not None and last[0] == id(args[0]) else self.score_one(*args)
        self._last = None
        if not self.protect_anomaly_detector or not self.classify(score):
            self.anomaly_detector.learn_one(*args, **learn_kwargs)
            self.n_learned += 1
        self.quantile.update(score)


def account_model(
    n_trees: int = 10, height: int = 8, window_size: int = 250, q: float = 0.99, seed: int = 42
) -> ProtectedQuantileFilter:
    """The account detector with its river parts wired together."""
    trees = anomaly.HalfSpaceTrees(
        n_trees=n_trees, height=height, window_size=window_size, seed=seed
    )
    return ProtectedQuantileFilter(compose.Pipeline(preprocessing.MinMaxScaler(), trees), q=q)
