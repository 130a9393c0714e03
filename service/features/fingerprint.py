"""Prompt text becomes numbers here, in memory, and the text goes no further.

Nothing downstream of this module ever sees ``prompt`` or ``system_prompt``:
windows, detectors, stores and sinks get 64-bit hashes only.

- ``prompt``: exact-text hash, for counting distinct prompts;
- ``head`` and ``tail``: hashes of the prompt's skeleton (lower-cased, digits masked)
  at its start and at its end, so "Solve 12+7 step by step" and "Solve 3+95 step
  by step" share a head, and a template that puts its instruction after the
  payload still shares a tail;
- ``frame``: the hash of a prompt's labelled lines in order, every other line masked,
  so templates whose fixed words are only labels around the payload
  ("### Instruction:\n{q}\n\n### Response:", "Problem: {p}\nAnswer:") share one
  too, however long or short the payload;
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
MIN_SENTENCE_WORDS = 3
EDGE_CHARS = 200  # more than eight or six words of any language written with spaces
# Sentence ends, the full-width ones of Chinese and Japanese text included.
_SENTENCE_ENDS = frozenset(".!?:;\u3002\uff01\uff1f\uff1a\uff1b")
FRAME_LINES = 4
FRAME_CHARS = 400
# \d+ as \d\d*: one class first lets the engine skip to a digit instead of trying each place.
_DIGITS = re.compile(r"\d\d*")
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
    # A blank prompt has no skeleton: one shared by every blank prompt would link the
    # accounts of every broken client as if they filled one template.
    return keyed_hash(_masked(" ".join(words).lower())) if words else _NONE


def _masked(text: str) -> str:
    """``text`` with every run of digits masked to one "0"."""
    # Two skeletons in three are ASCII without a digit, and ten substring tests cost about half
    # the regular expression's scan (other text may hold other scripts' digits: scan it).
    if text.isascii():
        for digit in "0123456789":
            if digit in text:
                break
        else:
            return text
    return _DIGITS.sub("0", text)


def skeletons(prompt: str) -> tuple[int, int]:
    """The head and tail skeleton hashes of a prompt: its first ``HEAD_WORDS`` and last
    ``TAIL_WORDS`` words, each cut at the sentence or line that ends inside them (once it has
    ``MIN_SENTENCE_WORDS``), so that a template's fixed sentence shorter than the window
    ("Solve the following problem step by step.\n\n{q}", "{q}\nLet's think step by
    step.") is not mixed with words of the payload."""
    head, tail = _head(prompt), _tail(prompt)
    head_fp = _skeleton(head)
    # A prompt of a few words is its own head and tail (one in five): hash it once.
    return head_fp, head_fp if tail == head else _skeleton(tail)


def _head(prompt: str) -> list[str]:
    # Nearly every head ends in the first line (the only one, or one of three words or
    # more): split only it, and only as far as the head's words; else read line by line.
    window = prompt[:EDGE_CHARS]
    line = window.partition("\n")[0]
    words = line.split(None, HEAD_WORDS)[:HEAD_WORDS]
    if len(words) < MIN_SENTENCE_WORDS and len(line) < len(window):
        return _head_of_lines(prompt)
    for i in range(MIN_SENTENCE_WORDS - 1, len(words) - 1):
        if words[i][-1] in _SENTENCE_ENDS:
            return words[: i + 1]
    return words


def _head_of_lines(prompt: str) -> list[str]:
    """The head of a prompt whose first line has fewer than ``MIN_SENTENCE_WORDS`` words."""
    words: list[str] = []
    lines = prompt[:EDGE_CHARS].split("\n")
    last = len(lines) - 1 if len(prompt) > EDGE_CHARS else -1  # cut short: no line end
    for n, line in enumerate(lines):
        found = line.split()
        if not found:
            continue
        start = len(words)
        words += found
        for i in range(max(start, MIN_SENTENCE_WORDS - 1), min(len(words), HEAD_WORDS) - 1):
            if words[i][-1] in _SENTENCE_ENDS:
                return words[: i + 1]
        if len(words) >= HEAD_WORDS or (len(words) >= MIN_SENTENCE_WORDS and n != last):
            return words[:HEAD_WORDS]
    return words


def _tail(prompt: str) -> list[str]:
    # Likewise nearly every tail starts in the last line: split only its last words.
    window = prompt[-EDGE_CHARS:]
    line = window.rpartition("\n")[2]
    words = line.rsplit(None, TAIL_WORDS)[-TAIL_WORDS:]
    if len(words) < MIN_SENTENCE_WORDS and len(line) < len(window):
        return _tail_of_lines(prompt)
    for kept in range(MIN_SENTENCE_WORDS, len(words)):
        if words[-kept - 1][-1] in _SENTENCE_ENDS:
            return words[-kept:]
    return words


def _tail_of_lines(prompt: str) -> list[str]:
    """The tail of a prompt whose last line has fewer than ``MIN_SENTENCE_WORDS`` words."""
    backwards: list[str] = []  # the tail's words, last first
    for line in reversed(prompt[-EDGE_CHARS:].split("\n")):
        found = line.split()
        for j in range(len(found) - 1, -1, -1):
            ends = j == len(found) - 1 or found[j][-1] in _SENTENCE_ENDS
            if len(backwards) >= MIN_SENTENCE_WORDS and ends:
                return backwards[::-1]
            backwards.append(found[j])
            if len(backwards) == TAIL_WORDS:
                return backwards[::-1]
    return backwards[::-1]


def frame(prompt: str) -> int:
    """The hash of the prompt's labels in order (0 with fewer than two): a line's label is
    its opening word when that ends in a colon or the line opens with a Markdown marker;
    every run of other lines counts as one masked line. Only the first and last few lines
    (of the first and last ``FRAME_CHARS``) are read, so a 100 KB prompt costs what a
    short one does."""
    if len(prompt) <= 2 * FRAME_CHARS:
        lines = prompt.splitlines()
    else:  # the lines cut through, and all between them, are payload: one masked line
        head, tail = prompt[:FRAME_CHARS].splitlines(), prompt[-FRAME_CHARS:].splitlines()
        lines = [*head[:-1], "…", *tail[1:]]
    if len(lines) < 2:  # three prompts in five: spare the blank-line filter
        return _NONE
    lines = [line for line in lines if line.strip()]
    if len(lines) < 2:
        return _NONE
    if len(lines) > 2 * FRAME_LINES:
        lines = lines[:FRAME_LINES] + lines[-FRAME_LINES:]
    labels = [_label(line) for line in lines]
    if len(labels) - labels.count("") < 2:  # nine in ten prompts with lines: no shape
        return _NONE
    shape: list[str] = []
    for label in labels:
        if label:
            shape.append(label)
        elif not shape or shape[-1] != "…":
            shape.append("…")
    return keyed_hash("\n".join(shape))


def _label(line: str) -> str:
    """A line's label: a Markdown heading or marker line of a few words whole, else its
    marker; an opening word ending in a colon ("Question:", "input:"); or nothing."""
    if ":" not in line and line.lstrip()[0] not in "#*<[":  # half the lines: no split
        return ""
    words = line.split(None, 4)  # a fifth "word", the rest of the line, means more than four
    first = words[0]
    if first[0] in "#*<[" and (len(first) > 1 or first == "#"):
        return _masked(" ".join(words if len(words) <= 4 else words[:1]).lower())[:40]
    if first.endswith(":") and len(first) <= 24:
        return _masked(first.lower())
    return ""


def fingerprints(prompt: str | None, system_prompt: str | None) -> tuple[int, int, int, int, int]:
    """Prompt, head, tail, frame and system hashes of one request; 0 stands for none."""
    if prompt:
        head, tail = skeletons(prompt)
        prompt_fp, frame_fp = keyed_hash(prompt), frame(prompt)
    else:
        prompt_fp = head = tail = frame_fp = _NONE
    return prompt_fp, head, tail, frame_fp, keyed_hash(system_prompt) if system_prompt else _NONE
