"""Prompt text becomes numbers here, in memory, and the text goes no further.

Nothing downstream of this module ever sees ``prompt`` or ``system_prompt``:
windows, detectors, stores and sinks get 64-bit hashes only.

- ``prompt``: exact-text hash, for counting distinct prompts;
- ``head`` and ``tail``: hashes of the prompt's skeleton (lower-cased, digits masked)
  at its start and at its end, so "Solve 12+7 step by step" and "Solve 3+95 step
  by step" share a head, and a template that puts its instruction after the
  payload still shares a tail;
- ``system``: exact hash of the system prompt, for cross-account linkage.

Every hash is keyed (xxh3 with a seed from ``HARVESTGUARD_FINGERPRINT_KEY``, see
:func:`set_key`): a hash that leaves memory (a Redis key, an API answer) cannot be
matched against a guessed system prompt, network or card without the key.
"""

from __future__ import annotations

import re

from xxhash import xxh3_64_intdigest

# Templates show themselves in a prompt's opening and closing words; the middle is
# the filled-in payload. A bounded head and tail keep the cost flat for 100 KB prompts.
HEAD_WORDS = 8
TAIL_WORDS = 6
_DIGITS = re.compile(r"\d+")
_NONE = 0
_seed = 0


def set_key(key: str) -> None:
    """Key every fingerprint of this process (its workers, API and detect must share it)."""
    global _seed
    _seed = xxh3_64_intdigest(key.encode("utf-8")) if key else 0


def keyed_hash(text: str) -> int:
    """The keyed 64-bit hash of a text (0 stands for an absent one, so never returned for one)."""
    return xxh3_64_intdigest(text.encode("utf-8", "surrogatepass"), _seed) or 1


def _skeleton(words: list[str]) -> int:
    return keyed_hash(_DIGITS.sub("0", " ".join(words).lower()))


def skeletons(prompt: str) -> tuple[int, int]:
    """The head and tail skeleton hashes of a prompt."""
    head = prompt.split(None, HEAD_WORDS)
    tail = prompt.rsplit(None, TAIL_WORDS)
    return _skeleton(head[:HEAD_WORDS]), _skeleton(tail[-TAIL_WORDS:])


def fingerprints(prompt: str | None, system_prompt: str | None) -> tuple[int, int, int, int]:
    """Prompt, head, tail and system hashes of one request; 0 stands for an absent text."""
    if prompt:
        head, tail = skeletons(prompt)
        prompt_fp = keyed_hash(prompt)
    else:
        prompt_fp = head = tail = _NONE
    return prompt_fp, head, tail, keyed_hash(system_prompt) if system_prompt else _NONE
