"""An outside auditor's labelled traffic set for distillation detectors (see README.md).

Written blind: from the event contract, public real traces and public reporting on
distillation campaigns only, without knowledge of any detector.
"""
