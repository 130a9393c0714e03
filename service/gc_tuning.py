"""Garbage-collector settings for every command, and for ``detect`` run in-process.

The pipeline allocates a few container objects per event and frees almost all
of them by reference counting; the cycle collector finds next to nothing. At
CPython's default (a young collection every 700 net allocations) it still ran
over 600 times on 160,000 events, and its full collections walked every object
the imports had made: about 2 us of an event's 28 in the parent on the
``hydra`` scenarios. Freezing what exists at start (modules, settings) takes it
out of every later collection, and a larger young generation makes the
collections rare. The CLI applies them at start; ``detect`` applies them for its
loop when called from Python (tests, the evaluation) and puts the old ones back.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (100_000, 50, 1000)


def tune_for_throughput() -> None:
    """Freeze the objects made so far and collect the young generation less often."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


@contextmanager
def throughput_gc() -> Iterator[None]:
    """:func:`tune_for_throughput` for a block, with the previous settings back after it
    (``detect`` also runs inside tests and the evaluation)."""
    previous = gc.get_threshold()
    tune_for_throughput()
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()
