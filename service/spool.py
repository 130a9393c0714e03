"""A bounded on-disk queue of keyed records: what a gateway integration has not yet delivered.

A gateway process (the LiteLLM proxy) hands each request event to :meth:`Spool.put`, which
only appends to memory; one thread moves them into a SQLite file every few milliseconds
(:meth:`Spool.persist`), whatever the receiver does, and another reads the oldest
(:meth:`Spool.peek`), delivers them and only then removes them (:meth:`Spool.ack`); the
two share one connection under a lock held for single statements only. So a restart, a
SIGTERM or an outage of the receiver loses nothing that reached the file: the next process
sends it (at least once: the worker drops a repeated ``event_id``). SQLite, from the
standard library, gives atomic appends and removals; WAL mode keeps a commit to a write,
not an fsync.

Each spool owns one file, ``<dir>/spool-<pid>-<random>.sqlite``, under an exclusive
``flock``; the files of spools that are gone (their lock is free) are adopted by a running
sender (at start, then every few seconds while it is idle), so several proxy workers never
send the same rows and none is orphaned. The file is
bounded (``max_bytes``): past it new records are dropped and counted, never queued without
limit.
"""

from __future__ import annotations

import fcntl
import os
import queue
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

Item = tuple[bytes, bytes]  # (key, value)
_PAGE = 4096


@dataclass
class Spool:
    directory: Path
    max_bytes: int = 1 << 30
    max_memory: int = 100_000
    dropped: int = 0
    _memory: queue.Queue[Item] = field(init=False, repr=False)
    _db: sqlite3.Connection | None = field(default=None, init=False, repr=False)
    _lock_fd: int = field(default=-1, init=False, repr=False)
    _path: Path | None = field(default=None, init=False, repr=False)
    _next_adoption: float = field(default=0.0, init=False, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self.directory = Path(self.directory)
        self._memory = queue.Queue(self.max_memory)

    def put(self, key: bytes, value: bytes) -> bool:
        """Queue one record in memory (never blocks); False if memory is full (dropped)."""
        try:
            self._memory.put_nowait((key, value))
        except queue.Full:
            self.dropped += 1
            return False
        return True

    def open(self) -> None:
        """Create (and lock) this process's file; adopt the files of processes that are gone."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"spool-{os.getpid()}-{uuid.uuid4().hex[:8]}.sqlite"
        self._lock_fd = _locked(path)
        self._path = path
        self._db = _connect(path)
        self.adopt_orphans()

    def adopt_orphans(self, every_s: float = 0.0) -> None:
        """Take over the rows of spool files whose owner is gone (at most every ``every_s``)."""
        now = time.monotonic()
        if now < self._next_adoption:
            return
        self._next_adoption = now + every_s
        for other in sorted(self.directory.glob("spool-*.sqlite")):
            if other != self._path:
                self._adopt(other)

    def _adopt(self, other: Path) -> None:
        fd = _locked(other)
        if fd < 0:
            return  # its process is alive and sending
        try:
            source = _connect(other)
            rows = source.execute("SELECT key, value FROM spool ORDER BY id").fetchall()
            source.close()
            with self._guard, self._connection() as db:
                db.executemany("INSERT INTO spool (key, value) VALUES (?, ?)", rows)
            for suffix in ("", "-wal", "-shm", ".lock"):
                Path(f"{other}{suffix}").unlink(missing_ok=True)
        finally:
            os.close(fd)

    def persist(self, wait_s: float = 0.05, batch: int = 5000) -> int:
        """Move what is in memory to the file, in one transaction; returns how many."""
        items: list[Item] = []
        try:
            items.append(self._memory.get(timeout=wait_s) if wait_s else self._memory.get_nowait())
            while len(items) < batch:
                items.append(self._memory.get_nowait())
        except queue.Empty:
            pass
        if not items:
            return 0
        room = (self.max_bytes - self.size_bytes()) // 2  # (SQLite's pages are not full)
        kept = []
        for item in items:
            room -= len(item[0]) + len(item[1])
            if room < 0:
                self.dropped += 1
            else:
                kept.append(item)
        with self._guard, self._connection() as db:
            db.executemany("INSERT INTO spool (key, value) VALUES (?, ?)", kept)
        return len(kept)

    def peek(self, limit: int = 1000) -> list[tuple[int, bytes, bytes]]:
        """The oldest ``(id, key, value)`` rows not yet acknowledged."""
        with self._guard:
            rows = self._connection().execute(
                "SELECT id, key, value FROM spool ORDER BY id LIMIT ?", (limit,)
            )
            return [(row[0], bytes(row[1]), bytes(row[2])) for row in rows]

    def ack(self, up_to_id: int) -> None:
        """Remove every row up to ``up_to_id``: they were delivered."""
        with self._guard, self._connection() as db:
            db.execute("DELETE FROM spool WHERE id <= ?", (up_to_id,))

    def pending(self) -> int:
        """Records in memory and in the file."""
        with self._guard:
            (rows,) = self._connection().execute("SELECT count(*) FROM spool").fetchone()
        return int(rows) + self._memory.qsize()

    def size_bytes(self) -> int:
        with self._guard:
            (pages,) = self._connection().execute("PRAGMA page_count").fetchone()
        return int(pages) * _PAGE

    def close(self) -> None:
        """Close the file; remove it if nothing is left in it (else the next sender adopts it)."""
        empty = False
        with self._guard:
            if self._db is not None:
                (rows,) = self._db.execute("SELECT count(*) FROM spool").fetchone()
                empty = rows == 0
                self._db.close()
                self._db = None
        if empty and self._path is not None:
            for suffix in ("", "-wal", "-shm", ".lock"):
                Path(f"{self._path}{suffix}").unlink(missing_ok=True)
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("the spool is not open")
        return self._db


def _connect(path: Path) -> sqlite3.Connection:
    # check_same_thread=False: the sender thread uses it; close() may come from atexit.
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(f"PRAGMA page_size={_PAGE}")
    db.execute("CREATE TABLE IF NOT EXISTS spool (id INTEGER PRIMARY KEY, key BLOB, value BLOB)")
    db.isolation_level = "DEFERRED"  # ``with db:`` opens and commits one transaction
    return db


def _locked(path: Path) -> int:
    """A descriptor holding an exclusive lock on ``path``.lock, or -1 if another holds it."""
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return -1
    return fd
