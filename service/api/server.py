"""uvicorn's HTTP/1.1 protocol with the two limits it lacks: header size and header time.

uvicorn's httptools protocol (the fast one, which the inline check needs)
reads request headers of any size for as long as a client cares to send them:
a 128 MB header took 20 s of CPU, and 1,000 clients trickling a byte every 10 s
held 1,000 connections open indefinitely. This subclass

* answers 431 and closes when a request's line and headers exceed
  ``max_head_bytes`` (counted while they arrive, so a huge header is refused
  after at most one read past the limit, and exactly once they are complete);
* answers 408 and closes when they are not complete ``head_timeout_s`` after
  the connection opened, or after a read that left a request's head incomplete
  (a connection that sends nothing is closed silently). A head that arrives in
  one read, the usual case, costs no timer. Bodies are not timed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-length: 0\r\nconnection: close\r\n\r\n"
)
_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


class GuardedHttpProtocol(HttpToolsProtocol):
    """:class:`HttpToolsProtocol` with a header size limit and a header-read timeout."""

    max_head_bytes = 16_384
    head_timeout_s = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_open = False  # a request has begun and its headers are not complete
        self._head_bytes = 0  # bytes of whole reads that fell inside the open head
        self._read = 0  # bytes of the read being parsed
        self._begun_in_read = False  # the open head began in that read
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False

    @classmethod
    def with_limits(cls, max_head_bytes: int, head_timeout_s: float) -> type[GuardedHttpProtocol]:
        """This protocol with other limits (uvicorn builds the protocol from a class)."""
        return type(
            cls.__name__,
            (cls,),
            {"max_head_bytes": max_head_bytes, "head_timeout_s": head_timeout_s},
        )

    def _arm(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _refuse(self, answer: bytes | None) -> None:
        self._refused = True
        self._disarm()
        if not self.transport.is_closing():
            if answer is not None:
                self.transport.write(answer)
            self.transport.close()

    def _too_slow(self) -> None:
        self._head_timer = None
        self._refuse(_TIMEOUT if self._head_open else None)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends a byte is closed too

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        inside = self._head_open
        self._read = len(data)
        self._begun_in_read = False
        super().data_received(data)
        if self._head_open and not self._refused:
            self._arm()  # the head is incomplete: it has head_timeout_s from here
            if inside:
                # The whole read belongs to the head: it neither began nor ended in it.
                self._head_bytes += len(data)
                if self._head_bytes > self.max_head_bytes:
                    self._refuse(_TOO_LARGE)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_open = True
        self._head_bytes = 0
        self._begun_in_read = True

    def on_headers_complete(self) -> None:
        self._head_open = False
        if self._head_timer is not None:
            self._disarm()
        if self._refused:
            return
        if not (self._begun_in_read and self._read <= self.max_head_bytes):
            # Not all in one small read: the exact size, the URL and each header with ": "
            # and CRLF (the usual head, in one read under the limit, needs no counting).
            size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
            if size > self.max_head_bytes:
                self._refuse(_TOO_LARGE)
                return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._refused:
            super().on_message_complete()
