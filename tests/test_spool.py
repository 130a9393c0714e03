"""The on-disk spool of the gateway integrations: nothing acknowledged twice, nothing lost to
a stopped process, bounded in size, one owner per file."""

from __future__ import annotations

import threading
from pathlib import Path

from service.spool import Spool


def fill(spool: Spool, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        assert spool.put(b"acct", f"event-{n}".encode())
    while spool.persist(wait_s=0.0):
        pass


def test_rows_stay_until_acknowledged_in_order(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.open()
    fill(spool, 250)
    first = spool.peek(100)
    assert [value for _, _, value in first] == [f"event-{n}".encode() for n in range(100)]
    assert spool.peek(100) == first  # peeking takes nothing
    spool.ack(first[-1][0])
    assert spool.pending() == 150 and spool.peek(1)[0][2] == b"event-100"
    spool.ack(spool.peek(1000)[-1][0])
    spool.close()
    assert not list(tmp_path.iterdir())  # empty: no file left behind


def test_a_closed_spool_is_adopted_by_the_next_and_a_live_one_is_not(tmp_path: Path) -> None:
    stopped = Spool(tmp_path)
    stopped.open()
    fill(stopped, 40)
    live = Spool(tmp_path)
    live.open()
    fill(live, 5, start=100)
    stopped.close()  # a proxy that stopped with 40 undelivered events
    successor = Spool(tmp_path)
    successor.open()  # adopts the stopped one's file, not the live one's
    assert successor.pending() == 40 and live.pending() == 5
    assert {value for _, _, value in successor.peek(100)} == {
        f"event-{n}".encode() for n in range(40)
    }
    live.close()
    successor.adopt_orphans()  # the live one left too: its 5 are taken over
    assert successor.pending() == 45
    successor.close()


def test_memory_and_disk_are_bounded_and_drops_are_counted(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=64 << 10, max_memory=10)
    spool.open()
    assert all(spool.put(b"k", b"v" * 1000) for _ in range(10))
    assert not spool.put(b"k", b"v") and spool.dropped == 1
    spool.persist(wait_s=0.0)
    for _ in range(20):
        fill(spool, 10)
    assert spool.size_bytes() <= 64 << 10
    assert spool.dropped > 0 and spool.pending() + spool.dropped == 211
    spool.close()


def test_writing_and_sending_threads_share_the_file(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.open()
    done = threading.Event()
    delivered: list[bytes] = []

    def send() -> None:
        while not done.is_set() or spool.pending():
            rows = spool.peek(50)
            if rows:
                delivered.extend(value for _, _, value in rows)
                spool.ack(rows[-1][0])

    sender = threading.Thread(target=send)
    sender.start()
    for n in range(2000):
        spool.put(b"k", str(n).encode())
        if n % 100 == 0:
            spool.persist(wait_s=0.0)
    while spool.persist(wait_s=0.0):
        pass
    done.set()
    sender.join(30)
    assert delivered == [str(n).encode() for n in range(2000)]
    spool.close()
