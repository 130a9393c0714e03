"""A minimal asyncio Redis client for the inline check's one command: ``GET``.

redis-py's asyncio client costs about 90 us of CPU per ``GET`` on the
project's machine, more than the rest of a check; this one pipelines every
request over a single connection and parses replies with hiredis, for about
a tenth of that. It knows ``GET``, ``PING`` and the ``AUTH`` / ``SELECT`` a
URL asks for, nothing else (every other read and write of the API goes
through redis-py).

Failure is quick and total: a refused or lost connection, or a request not
answered by its deadline (by default its start plus the timeout; the check
passes its own), fails every request in flight with ``StoreUnavailable`` and
the next request connects again. A request is never retried: the check's
failure mode answers instead. One timer per connection watches the earliest
deadline in flight, so a stalled server is noticed at that deadline, not later.
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
        # Requests in flight, in the order of their replies: (future, deadline in loop time).
        self.waiting: deque[tuple[asyncio.Future[Any], float]] = deque()
        self.transport: asyncio.Transport | None = None
        self.lost = False
        self.watchdog: asyncio.TimerHandle | None = None

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

    def watch(self, deadline: float) -> None:
        """Look at the connection again by ``deadline`` (loop time) at the latest."""
        timer = self.watchdog
        if timer is None or deadline < timer.when():
            if timer is not None:
                timer.cancel()
            self.watchdog = self.loop.call_at(deadline, self._check_late)

    def _check_late(self) -> None:
        # Replies come in order: a request past its deadline holds up every one behind it.
        self.watchdog = None
        if self.lost or not self.waiting:
            return
        earliest = min(deadline for _, deadline in self.waiting)
        if earliest <= self.loop.time():
            self.fail(StoreUnavailable("redis: no reply by the deadline"))
        else:
            self.watch(earliest)

    def fail(self, error: Exception) -> None:
        self.lost = True
        if self.watchdog is not None:
            self.watchdog.cancel()
            self.watchdog = None
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
            reply = await self._send(protocol, setup, loop.time() + self.timeout_s)
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

    async def _send(self, protocol: _Protocol, request: bytes, deadline: float) -> Any:
        if protocol.transport is None or protocol.lost:
            raise StoreUnavailable("redis: connection lost")
        future: asyncio.Future[Any] = protocol.loop.create_future()
        protocol.waiting.append((future, deadline))
        protocol.transport.write(request)
        protocol.watch(deadline)
        return await future

    async def get(self, key: str, deadline: float | None = None) -> bytes | None:
        """The key's value; ``StoreUnavailable`` if there is no reply by ``deadline``
        (loop time; default: the timeout from now)."""
        loop = asyncio.get_running_loop()
        if deadline is None:
            deadline = loop.time() + self.timeout_s
        protocol = self._protocol
        if protocol is None or protocol.lost or protocol.loop is not loop:
            try:
                connecting = self._connection()
                protocol = await asyncio.wait_for(connecting, max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise StoreUnavailable("redis: not connected by the deadline") from None
        request = command(b"GET", key.encode("utf-8", "surrogatepass"))
        reply = await self._send(protocol, request, deadline)
        if isinstance(reply, hiredis.ReplyError):
            raise StoreUnavailable(f"redis: {reply}")
        return cast(bytes | None, reply)

    async def ping(self) -> bool:
        try:
            protocol = await self._connection()
            deadline = protocol.loop.time() + self.timeout_s
            return await self._send(protocol, command(b"PING"), deadline) == b"PONG"
        except StoreUnavailable:
            return False

    async def close(self) -> None:
        protocol, self._protocol = self._protocol, None
        if protocol is not None:
            if protocol.watchdog is not None:
                protocol.watchdog.cancel()
                protocol.watchdog = None
            if protocol.transport is not None:
                protocol.transport.close()
