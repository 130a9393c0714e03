"""The first account detector: half-space trees over the account feature vector.

A river pipeline (``MinMaxScaler | HalfSpaceTrees``) inside a ``QuantileFilter``
with ``protect_anomaly_detector=True``: the trees learn only from vectors whose
score is below the running quantile, so harvesting cannot become the baseline.
"""

from __future__ import annotations

from typing import Any

from river import anomaly, compose, preprocessing


class ProtectedQuantileFilter(anomaly.QuantileFilter):
    """river's QuantileFilter with a warm-up, reusing the score just computed.

    For its first ``warmup`` vectors the model learns everything and its scores
    do not count (:attr:`ready` is false): half-space trees score 0 until their
    first reference window is full, and a quantile of those zeros would mark
    every later vector anomalous, so nothing would ever be learned again. The
    pipeline always scores before it learns, and a score costs tens of
    microseconds, so ``learn_one`` reuses it rather than scoring twice.

    >>> from river import anomaly
    >>> model = ProtectedQuantileFilter(anomaly.HalfSpaceTrees(seed=1), q=0.9, warmup=1)
    >>> x = {"a": 0.5}
    >>> score = model.score_one(x)
    >>> model.learn_one(x)
    >>> model.n_learned, model.ready
    (1, True)
    """

    def __init__(
        self,
        anomaly_detector: Any,
        q: float,
        protect_anomaly_detector: bool = True,
        warmup: int = 0,
    ) -> None:
        super().__init__(anomaly_detector, q, protect_anomaly_detector)
        self.warmup = warmup
        self.n_learned = 0
        self._last: tuple[int, float] | None = None

    @property
    def ready(self) -> bool:
        return self.n_learned >= self.warmup

    def is_anomalous(self, score: float) -> bool:
        """Whether a score is too high to learn from (never, during the warm-up)."""
        return self.ready and self.protect_anomaly_detector and self.classify(score)

    def score_one(self, *args: Any) -> float:
        score = float(self.anomaly_detector.score_one(*args))
        self._last = (id(args[0]), score)
        return score

    def learn_one(self, *args: Any, **learn_kwargs: Any) -> None:
        last = self._last
        score = last[1] if last is not None and last[0] == id(args[0]) else self.score_one(*args)
        self._last = None
        if not self.ready:
            self.anomaly_detector.learn_one(*args, **learn_kwargs)
            self.n_learned += 1
            return
        if not self.is_anomalous(score):
            self.anomaly_detector.learn_one(*args, **learn_kwargs)
            self.n_learned += 1
        self.quantile.update(score)


def account_model(
    n_trees: int = 10,
    height: int = 8,
    window_size: int = 250,
    q: float = 0.99,
    seed: int = 42,
    warmup: int = 500,
) -> ProtectedQuantileFilter:
    """The account detector with its river parts wired together."""
    trees = anomaly.HalfSpaceTrees(
        n_trees=n_trees, height=height, window_size=window_size, seed=seed
    )
    # The trees need a full reference window before their scores mean anything.
    return ProtectedQuantileFilter(
        compose.Pipeline(preprocessing.MinMaxScaler(), trees), q=q, warmup=max(warmup, window_size)
    )
