"""A minimal asyncio Redis client for the inline check's one command: ``GET``.

redis-py's asyncio client costs about 90 us of CPU per ``GET`` on the
project's machine, more than the rest of a check; this one pipelines every
request over a single connection and parses replies with hiredis, for about
a tenth of that. It knows ``GET``, ``PING`` and the ``AUTH`` / ``SELECT`` a
URL asks for, nothing else (every other read and write of the API goes
through redis-py).

Failure is quick and total: a refused or lost connection, or a reply later
than the timeout, fails every request in flight with ``StoreUnavailable``
and the next request connects again. A request is never retried: the check's
failure mode answers instead.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from typing import Any, cast

import hiredis
from redis.asyncio.connection import SSLConnection, parse_url

from service.state.base import StoreUnavailable


def command(*parts: bytes) -> bytes:
    """One RESP command: an array of bulk strings."""
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        out.append(b"$%d\r\n%s\r\n" % (len(part), part))
    return b"".join(out)


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.reader = hiredis.Reader()
        self.waiting: deque[tuple[asyncio.Future[Any], float]] = deque()
        self.transport: asyncio.Transport | None = None
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        reader = self.reader
        reader.feed(data)
        waiting = self.waiting
        while (reply := reader.gets()) is not False:
            future = waiting.popleft()[0]
            if not future.done():
                future.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.fail(StoreUnavailable(f"redis: connection lost ({exc or 'closed'})"))

    def fail(self, error: Exception) -> None:
        self.lost = True
        while self.waiting:
            future = self.waiting.popleft()[0]
            if not future.done():
                future.set_exception(error)
        if self.transport is not None:
            self.transport.abort()


class FastRedis:
    """``GET`` and ``PING`` over one pipelined connection, with a per-request timeout."""

    def __init__(self, url: str, timeout_s: float) -> None:
        options = parse_url(url)
        self.host: str = options.get("host") or "localhost"
        self.port: int = int(options.get("port", 6379))
        self.path: str | None = options.get("path")
        self.tls = options.get("connection_class") is SSLConnection
        self.timeout_s = timeout_s
        setup = []
        if options.get("password"):
            user = options.get("username")
            auth = (user.encode(),) if user else ()
            setup.append(command(b"AUTH", *auth, str(options["password"]).encode()))
        if int(options.get("db", 0) or 0):
            setup.append(command(b"SELECT", str(options["db"]).encode()))
        self._setup = setup
        self._protocol: _Protocol | None = None
        self._connecting: asyncio.Future[_Protocol] | None = None
        self._watchdog: asyncio.TimerHandle | None = None

    async def _connect(self) -> _Protocol:
        loop = asyncio.get_running_loop()
        try:
            if self.path is not None:
                connect = loop.create_unix_connection(_Protocol, self.path)
            else:
                context = ssl.create_default_context() if self.tls else None
                connect = loop.create_connection(_Protocol, self.host, self.port, ssl=context)
            _, protocol = await asyncio.wait_for(connect, self.timeout_s)
        except (TimeoutError, OSError) as error:
            raise StoreUnavailable(f"redis: cannot connect ({error!r})") from None
        for setup in self._setup:
            try:
                reply = await asyncio.wait_for(self._send(protocol, setup), self.timeout_s)
            except TimeoutError:
                protocol.fail(StoreUnavailable("redis: no reply to AUTH/SELECT"))
                raise StoreUnavailable("redis: no reply to AUTH/SELECT") from None
            if isinstance(reply, hiredis.ReplyError):
                protocol.fail(StoreUnavailable(f"redis: {reply}"))
                raise StoreUnavailable(f"redis: {reply}")
        return protocol

    async def _connection(self) -> _Protocol:
        protocol = self._protocol
        loop = asyncio.get_running_loop()
        if protocol is not None and not protocol.lost:
            if protocol.loop is loop:
                return protocol
            # A connection belongs to the loop that made it (a test client's, a server's).
            protocol.fail(StoreUnavailable("redis: event loop changed"))
            self._connecting = None
        # One connection attempt at a time; concurrent requests wait for it.
        if self._connecting is None:
            self._connecting = asyncio.ensure_future(self._connect())
        connecting = self._connecting
        try:
            protocol = await asyncio.shield(connecting)
        finally:
            if self._connecting is connecting and connecting.done():
                self._connecting = None
        self._protocol = protocol
        return protocol

    def _check_late(self, protocol: _Protocol) -> None:
        # One timer per connection rather than one per request: replies come in order, so
        # if the oldest request is late, every request behind it is too.
        self._watchdog = None
        if protocol.lost or not protocol.waiting:
            return
        loop = asyncio.get_running_loop()
        if loop.time() - protocol.waiting[0][1] > self.timeout_s:
            protocol.fail(
                StoreUnavailable(f"redis: no reply within {self.timeout_s * 1000:.0f} ms")
            )
        else:
            self._watchdog = loop.call_later(self.timeout_s / 2, self._check_late, protocol)

    async def _send(self, protocol: _Protocol, request: bytes) -> Any:
        if protocol.transport is None or protocol.lost:
            raise StoreUnavailable("redis: connection lost")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        protocol.waiting.append((future, loop.time()))
        protocol.transport.write(request)
        if self._watchdog is None:
            self._watchdog = loop.call_later(self.timeout_s / 2, self._check_late, protocol)
        return await future

    async def get(self, key: str) -> bytes | None:
        protocol = await self._connection()
        reply = await self._send(protocol, command(b"GET", key.encode("utf-8", "surrogatepass")))
        if isinstance(reply, hiredis.ReplyError):
            raise StoreUnavailable(f"redis: {reply}")
        return cast(bytes | None, reply)

    async def ping(self) -> bool:
        try:
            protocol = await self._connection()
            return await self._send(protocol, command(b"PING")) == b"PONG"
        except StoreUnavailable:
            return False

    async def close(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()
        self._protocol = None
