"""LiteLLM callback: every request, converted to harvestguard's contract, onto Kafka.

Each finished request (success or failure) arrives as LiteLLM's standard logging payload;
this callback turns it into a request event (``service.adapters.litellm``, with the account
sources of ``HARVESTGUARD_ACCOUNT_FROM`` and the proxies of ``HARVESTGUARD_TRUSTED_PROXIES``)
and publishes it to the topic ``llm.requests`` with the account id as key, so one account's
events stay in order on one partition.

Nothing is lost to a restart or an outage: the request path only appends the encoded event
to memory (microseconds); one background thread writes events into an on-disk spool every
50 ms (``service.spool``: SQLite in ``HARVESTGUARD_SPOOL_DIR``, at most
``HARVESTGUARD_SPOOL_MAX_MB``), whatever Kafka does; another sends the oldest to Kafka and
removes them only once the broker has acknowledged them. A proxy SIGTERM spools what is in
memory and leaves what Kafka has not taken on disk; the next start (or another proxy
worker) sends it. Only a SIGKILL can lose the last 50 ms. While Kafka is down, events wait
on disk and the sender retries with backoff. Delivery is at least once: the worker counts a repeated
``event_id`` once. Only a full spool drops events, and counts them.

With the LiteLLM proxy, put this file next to its config (see ``docs/gateways.md``)::

    litellm_settings:
      callbacks: ["harvestguard_callback.proxy_handler_instance", ...]

``HARVESTGUARD_KAFKA_BOOTSTRAP`` and ``HARVESTGUARD_TOPIC_REQUESTS`` set the broker and the
topic. litellm itself is optional here: without it the class is a plain object with the same
methods, which is how the unit tests drive it.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError

from service.adapters.client_ip import parse_networks
from service.adapters.common import Adapter
from service.adapters.identity import parse_account_from
from service.adapters.litellm import DEFAULT_ACCOUNT_FROM, LiteLLMAdapter
from service.contract import InvalidEvent, event_to_json
from service.spool import Spool

try:
    from litellm.integrations.custom_logger import CustomLogger as _LoggerBase
except ImportError:  # no litellm in this environment: same methods, plain base
    _LoggerBase = object

logger = logging.getLogger("harvestguard.litellm")

DEFAULT_PRODUCER_CONFIG: dict[str, Any] = {
    "acks": "all",
    "linger_ms": 20,
    "retries": 5,
    # Only the sender thread ever waits this long (for metadata or a full buffer).
    "max_block_ms": 5_000,
    "bootstrap_timeout_ms": 2_000,  # (kafka-python waits 30 s for an absent broker by default)
}
BATCH = 1000
MAX_BACKOFF_S = 5.0


def adapter_from_env() -> Adapter:
    """The LiteLLM adapter with the deployment's account sources and trusted proxies."""
    account_from = parse_account_from(os.environ.get("HARVESTGUARD_ACCOUNT_FROM", ""))
    trusted = parse_networks(os.environ.get("HARVESTGUARD_TRUSTED_PROXIES", ""))
    return LiteLLMAdapter(
        account_from=account_from or DEFAULT_ACCOUNT_FROM, trusted_proxies=trusted
    )


class HarvestguardLogger(_LoggerBase):
    """Publishes LiteLLM's standard logging payloads as contract events to Kafka."""

    def __init__(
        self,
        bootstrap_servers: str | None = None,
        topic: str | None = None,
        adapter: Adapter | None = None,
        spool_dir: str | Path | None = None,
        max_spool_bytes: int | None = None,
        producer_config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        env = os.environ.get
        self.bootstrap_servers = bootstrap_servers or env(
            "HARVESTGUARD_KAFKA_BOOTSTRAP", "127.0.0.1:9092"
        )
        self.topic = topic or env("HARVESTGUARD_TOPIC_REQUESTS", "llm.requests")
        self.adapter = adapter or adapter_from_env()
        self.producer_config = {**DEFAULT_PRODUCER_CONFIG, **(producer_config or {})}
        self.spool = Spool(
            Path(spool_dir or env("HARVESTGUARD_SPOOL_DIR", "harvestguard-spool")),
            max_bytes=max_spool_bytes or int(env("HARVESTGUARD_SPOOL_MAX_MB", "1024")) << 20,
        )
        self.published = 0  # acknowledged by the broker
        self.rejected = 0  # payloads that break the contract (missing account, tokens, ...)
        self.failed = 0  # delivery attempts that failed (the events stay spooled)
        self._stop = threading.Event()
        self._deadline = float("inf")
        self._writer: threading.Thread | None = None
        self._sender: threading.Thread | None = None
        self._start_lock = threading.Lock()

    @property
    def dropped(self) -> int:
        """Events lost because the spool was full."""
        return self.spool.dropped

    # LiteLLM's CustomLogger hooks: the proxy calls the async ones, the SDK's sync calls
    # the others; each hands off at once.
    async def async_log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self.publish(kwargs)

    async def async_log_failure_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self.publish(kwargs)

    def log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self.publish(kwargs)

    def log_failure_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self.publish(kwargs)

    def publish(self, kwargs: dict[str, Any]) -> None:
        """Convert one call's ``standard_logging_object`` and queue it; never blocks."""
        payload = kwargs.get("standard_logging_object")
        if payload is None:  # not a call LiteLLM logs (or a LiteLLM too old to have it)
            return
        try:
            event = self.adapter(payload)
        except InvalidEvent as error:
            self.rejected += 1
            # The reason names fields only; the payload (with prompts) is never logged.
            logger.warning("harvestguard: call %s not published: %s", payload.get("id"), error)
            return
        self._start()
        self.spool.put(event.account_id.encode(), event_to_json(event))

    def start(self) -> None:
        """Start sending now (also what an earlier process left in the spool)."""
        self._start()

    def close(self, timeout: float = 5.0) -> None:
        """Spool what is in memory, send what Kafka takes within ``timeout`` s, then stop;
        the rest stays on disk for the next start."""
        writer, sender = self._writer, self._sender
        if writer is None or sender is None or self._stop.is_set():
            return
        self._deadline = time.monotonic() + timeout
        self._stop.set()
        writer.join()  # quick: memory to disk, no network
        sender.join(timeout + 1.0)  # a sender stuck on Kafka is a daemon: it dies with us

    def _start(self) -> None:
        if self._sender is not None:
            return
        with self._start_lock:
            if self._sender is None:
                self.spool.open()
                self._writer = threading.Thread(
                    target=self._write, name="harvestguard-spool", daemon=True
                )
                self._writer.start()
                self._sender = threading.Thread(
                    target=self._send, name="harvestguard-kafka", daemon=True
                )
                self._sender.start()
                atexit.register(self.close)

    def _write(self) -> None:
        while not self._stop.is_set():
            self.spool.persist(wait_s=0.05)
        while self.spool.persist(wait_s=0.0):  # stopping: everything in memory to disk
            pass

    def _producer(self) -> KafkaProducer | None:
        try:
            return KafkaProducer(bootstrap_servers=self.bootstrap_servers, **self.producer_config)
        except KafkaError as error:
            logger.warning("harvestguard: Kafka at %s: %s", self.bootstrap_servers, error)
            return None

    def _deliver(self, producer: KafkaProducer, rows: list[tuple[int, bytes, bytes]]) -> bool:
        try:
            sent = [producer.send(self.topic, key=key, value=value) for _, key, value in rows]
            producer.flush(timeout=max(1.0, min(30.0, self._deadline - time.monotonic())))
        except KafkaError as error:
            logger.warning("harvestguard: Kafka send failed, events stay spooled: %s", error)
            return False
        return all(future.succeeded() for future in sent)

    def _send(self) -> None:
        spool = self.spool
        producer: KafkaProducer | None = None
        backoff = 0.2
        try:
            while not (self._stop.is_set() and time.monotonic() >= self._deadline):
                rows = spool.peek(BATCH)
                if not rows:
                    writer = self._writer
                    if self._stop.is_set() and (writer is None or not writer.is_alive()):
                        break  # stopping, and all of it delivered
                    spool.adopt_orphans(every_s=5.0)  # a stopped sibling's leftovers
                    self._stop.wait(0.02)
                    continue
                producer = producer or self._producer()
                if producer is not None and self._deliver(producer, rows):
                    spool.ack(rows[-1][0])
                    self.published += len(rows)
                    backoff = 0.2
                    continue
                self.failed += 1
                time.sleep(min(backoff, max(0.0, self._deadline - time.monotonic())))
                backoff = min(backoff * 2, MAX_BACKOFF_S)
        finally:
            if producer is not None:
                producer.close(timeout=1.0)
            if self._writer is not None:
                self._writer.join()
            spool.close()  # (releases the file: another sender may adopt what is left)


# The instance LiteLLM's config names. Inside the proxy it starts at once, so that what a
# stopped proxy left in the spool is sent without waiting for a request; anywhere else (a
# test, a script importing this file) on its first event.
proxy_handler_instance = HarvestguardLogger()
if "litellm.proxy.proxy_server" in sys.modules:
    proxy_handler_instance.start()
