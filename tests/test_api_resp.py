"""The check's own RESP client against real redis-servers: AUTH, SELECT, loss and recovery."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest
import redis

from service.api.resp import FastRedis, command
from service.state.base import StoreUnavailable
from tests.servers import RedisServer

pytestmark = pytest.mark.integration  # starts real servers (see tests/conftest.py)

PASSWORD = "resp-test-6c1d9e0f2a"


class PasswordRedis(RedisServer):
    """redis-server that wants a password (the suite's shared one has none)."""

    def _argv(self) -> list[str]:
        return [*super()._argv(), "--requirepass", PASSWORD]

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(command(b"AUTH", PASSWORD.encode()) + command(b"PING"))
                return b"+PONG" in s.recv(64)
        except OSError:
            return False


@pytest.fixture(scope="module")
def password_redis() -> Iterator[PasswordRedis]:
    server = PasswordRedis()
    server.start()
    try:
        yield server
    finally:
        server.close()


def test_auth_and_select_from_the_url(password_redis: PasswordRedis) -> None:
    base = f"redis://:{PASSWORD}@127.0.0.1:{password_redis.port}"
    redis.Redis.from_url(f"{base}/2").set("k", b"in db 2")

    async def read(url: str) -> bytes | None:
        client = FastRedis(url, timeout_s=0.5)
        try:
            return await client.get("k")
        finally:
            await client.close()

    assert asyncio.run(read(f"{base}/2")) == b"in db 2"
    assert asyncio.run(read(f"{base}/0")) is None
    with pytest.raises(StoreUnavailable):
        asyncio.run(read(f"redis://:wrong-password@127.0.0.1:{password_redis.port}/2"))
    with pytest.raises(StoreUnavailable):
        asyncio.run(read(f"redis://127.0.0.1:{password_redis.port}/0"))  # no password: NOAUTH


def test_pipelined_gets_answer_in_order_and_a_lost_server_fails_them_all(
    redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    redis_client.mset({f"k{i}": f"v{i}".encode() for i in range(200)})

    async def scenario() -> tuple[list[bytes | None], list[object], bytes | None]:
        client = FastRedis(redis_server.url, timeout_s=0.5)
        values = await asyncio.gather(*(client.get(f"k{i}") for i in range(200)))
        redis_server.stop()
        try:
            failed = await asyncio.gather(
                *(client.get(f"k{i}") for i in range(5)), return_exceptions=True
            )
        finally:
            redis_server.start()
        redis.Redis.from_url(redis_server.url).set("k0", b"again")
        back = await client.get("k0")
        await client.close()
        return values, failed, back

    values, failed, back = asyncio.run(scenario())
    assert values == [f"v{i}".encode() for i in range(200)]
    assert all(isinstance(error, StoreUnavailable) for error in failed)
    assert back == b"again"
