"""The evidence families: independent kinds of evidence that an account harvests outputs.

No family gates another; each can be switched off for an ablation
(``HARVESTGUARD_DISABLED_FAMILIES=content,farm``), and every verdict names the
families that drove it.

- ``content``: what the prompts ask for (phrase flags, and cues that read the
  form of a request, such as output formats and enumerated sub-tasks, with short stem lists);
- ``structure``: prompt skeletons repeated within an account and shared across accounts,
  capability sweeps (many topics under one skeleton);
- ``economics``: output taken away against peers of the same tier (tokens served, output
  per input, answers at ``max_tokens``, reasoning tokens);
- ``farm``: instruments shared by unusually many young accounts, and the group's summed volume;
- ``coordination``: synchrony and turn-taking across linked accounts, machine-regular pacing;
- ``anomaly``: online anomaly detectors on peer-normalised features.
"""

from __future__ import annotations

FAMILIES: tuple[str, ...] = ("content", "structure", "economics", "farm", "coordination", "anomaly")
