"""Records waiting for the watermark, kept poll by poll, against the plain rule: a release
is every waiting record at or below the watermark, in the order the records were read."""

from __future__ import annotations

import random

import numpy as np

from service.contract import parse_event
from service.features.observation import COLUMN, observe_events
from service.sources.waiting import Waiting
from tests.factories import T0, event


def _polls(rng: random.Random) -> list[tuple[object, np.ndarray]]:
    """Polls of three partitions, each partition's epochs rising, as a source reads them."""
    import orjson

    next_offset = {0: 0, 1: 0, 2: 0}
    epoch = {0: 100, 1: 100, 2: 100}
    polls = []
    for n in range(40):
        parsed, partitions, offsets, epochs = [], [], [], []
        for p in sorted(rng.sample([0, 1, 2], rng.randint(1, 3))):
            for _ in range(rng.randint(1, 12)):
                epoch[p] += rng.choice([0, 0, 1, 2])
                e = event(event_id=f"e{n}-{p}-{next_offset[p]}", ts=T0 + 60 * epoch[p])
                parsed.append(parse_event(orjson.dumps(e)))
                partitions.append(p)
                offsets.append(next_offset[p])
                epochs.append(epoch[p])
                next_offset[p] += 1
        polls.append((observe_events(parsed, partitions, offsets), np.array(epochs)))
    return polls


def test_releases_are_the_records_at_or_below_the_watermark_in_read_order() -> None:
    rng = random.Random(5)
    waiting = Waiting()
    plain_ids: list[str] = []
    plain_epochs: list[int] = []
    plain_parts: list[int] = []
    plain_offsets: list[int] = []
    watermark = 100
    for batch, epochs in _polls(rng):
        waiting.add(batch, epochs)  # type: ignore[arg-type]
        columns = batch.columns()  # type: ignore[attr-defined]
        plain_ids += batch.event_ids  # type: ignore[attr-defined]
        plain_epochs += epochs.tolist()
        plain_parts += columns[COLUMN["partition"]].astype(int).tolist()
        plain_offsets += columns[COLUMN["offset"]].astype(int).tolist()
        firsts = {}
        for p, e, o in zip(plain_parts, plain_epochs, plain_offsets, strict=True):
            firsts.setdefault(p, (e, o))
        assert waiting.firsts() == firsts
        watermark += rng.choice([0, 1, 3])
        released, released_epochs = waiting.release(watermark)
        ready = [i for i, e in enumerate(plain_epochs) if e <= watermark]
        assert released.event_ids == [plain_ids[i] for i in ready]
        assert released_epochs.tolist() == [plain_epochs[i] for i in ready]
        keep = [i for i, e in enumerate(plain_epochs) if e > watermark]
        plain_ids, plain_epochs, plain_parts, plain_offsets = (
            [column[i] for i in keep]
            for column in (plain_ids, plain_epochs, plain_parts, plain_offsets)
        )
        assert len(waiting) == len(plain_ids)


def test_dropping_partitions_gives_where_each_began() -> None:
    waiting = Waiting()
    for batch, epochs in _polls(random.Random(9))[:5]:
        waiting.add(batch, epochs)  # type: ignore[arg-type]
    before = waiting.firsts()
    first = waiting.drop([1])
    assert first == ({1: before[1][1]} if 1 in before else {})
    assert 1 not in waiting.firsts() and waiting.firsts().keys() == before.keys() - {1}
    released, _ = waiting.release(10**9)
    partitions = released.columns()[COLUMN["partition"]].astype(int).tolist()
    assert 1 not in partitions and set(partitions) == before.keys() - {1}
    assert len(waiting) == 0
