"""Starting, watching and stopping real server processes on free loopback ports."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

HOST = "127.0.0.1"
# Tansu makes a group join wait out the session timeout: keep it short in tests.
DEFAULT_SESSION_TIMEOUT_MS = 6000


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


def find_tool(name: str, package: str) -> str:
    """The path of a command-line tool, or ServerError naming the Debian package that has it."""
    path = shutil.which(name)
    if path is None:
        raise ServerError(
            f"{name} not found on PATH: apt-get install -y {package} (bash tests/run.sh does)"
        )
    return path


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Wait until ``GET url`` answers 200; ServerError if ``proc`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as response:
            if response.status == 200:
                return
        if proc.poll() is not None or time.monotonic() > deadline:
            raise ServerError(f"{url} did not answer 200 (exit code {proc.poll()})")
        time.sleep(0.1)
