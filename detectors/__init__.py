"""Detectors: they score and explain, and never decide (that is the policy's job).

Every detector speaks river's anomaly protocol, ``learn_one(x)`` and
``score_one(x) -> float`` (higher is more anomalous), so any river model plugs in.
"""
