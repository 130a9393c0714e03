"""Prompt text becomes numbers here, in memory, and the text goes no further.

Nothing downstream of this module ever sees ``prompt`` or ``system_prompt``:
windows, detectors, stores and sinks get 64-bit hashes only.

- ``prompt``: exact-text hash, for counting distinct prompts.
- ``template``: hash of the prompt's skeleton (digits masked, first and last
  words), so "Solve 12+7 step by step" and "Solve 3+95 step by step" share it.
- ``system``: exact hash of the system prompt, for cross-account linkage.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from xxhash import xxh3_64_intdigest

# Templates show themselves in a prompt's opening and closing words; the middle is
# the filled-in payload. Splitting off a bounded head and tail keeps the cost flat
# (about 2 us) even for 100 KB RAG prompts.
_HEAD_WORDS = 8
_TAIL_WORDS = 4
_DIGITS = re.compile(r"\d+")
_NONE = 0


class Fingerprint(NamedTuple):
    prompt: int
    template: int
    system: int


def _hash(text: str) -> int:
    return xxh3_64_intdigest(text.encode("utf-8", "surrogatepass"))


def template_hash(prompt: str) -> int:
    """Hash of the prompt's skeleton: lower-cased, digits masked, head and tail words."""
    words = prompt.split(None, _HEAD_WORDS)
    skeleton = words[:_HEAD_WORDS]
    if len(words) > _HEAD_WORDS:
        skeleton.append("\x00")
        skeleton += words[_HEAD_WORDS].rsplit(None, _TAIL_WORDS)[-_TAIL_WORDS:]
    return _hash(_DIGITS.sub("0", " ".join(skeleton).lower()))


def fingerprint(prompt: str | None, system_prompt: str | None) -> Fingerprint:
    """The fingerprints of one request; 0 stands for an absent text."""
    return Fingerprint(*fingerprints(prompt, system_prompt))


def fingerprints(prompt: str | None, system_prompt: str | None) -> tuple[int, int, int]:
    """:func:`fingerprint` as a plain tuple, for the per-event path (no named tuple to build)."""
    if prompt:
        prompt_fp, template_fp = _hash(prompt), template_hash(prompt)
    else:
        prompt_fp = template_fp = _NONE
    return prompt_fp, template_fp, _hash(system_prompt) if system_prompt else _NONE
