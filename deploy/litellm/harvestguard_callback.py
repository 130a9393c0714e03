"""LiteLLM callback: every request, converted to harvestguard's contract, onto Kafka.

Each finished request (success or failure) arrives as LiteLLM's standard logging payload;
this callback turns it into a request event (``service.adapters.litellm``) and publishes it
to the topic ``llm.requests`` with the account id as key, so one account's events stay in
order on one partition.

The request path never waits on Kafka: the callback converts the payload (tens of
microseconds) and puts the encoded event on a bounded queue; one background thread owns
the kafka-python producer, whose own I/O thread batches the sends. When the queue is full
(Kafka unreachable for long) events are dropped and counted, never queued without bound.

With the LiteLLM proxy, put this file next to its config and install harvestguard into the
proxy's environment (``pip install harvestguard``; it brings kafka-python)::

    litellm_settings:
      callbacks: harvestguard_callback.proxy_handler_instance

``HARVESTGUARD_KAFKA_BOOTSTRAP`` and ``HARVESTGUARD_TOPIC_REQUESTS`` set the broker and the
topic. litellm itself is optional here: without it the class is a plain object with the same
methods, which is how the tests drive it.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import queue
import threading
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError

from service.adapters.common import Adapter
from service.adapters.litellm import adapt_litellm
from service.contract import InvalidEvent, event_to_json

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
    "max_block_ms": 10_000,
}


class HarvestguardLogger(_LoggerBase):
    """Publishes LiteLLM's standard logging payloads as contract events to Kafka."""

    def __init__(
        self,
        bootstrap_servers: str | None = None,
        topic: str | None = None,
        adapter: Adapter = adapt_litellm,
        max_pending: int = 100_000,
        producer_config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.bootstrap_servers = bootstrap_servers or os.environ.get(
            "HARVESTGUARD_KAFKA_BOOTSTRAP", "127.0.0.1:9092"
        )
        self.topic = topic or os.environ.get("HARVESTGUARD_TOPIC_REQUESTS", "llm.requests")
        self.adapter = adapter
        self.producer_config = {**DEFAULT_PRODUCER_CONFIG, **(producer_config or {})}
        self.published = 0  # handed to the producer
        self.rejected = 0  # payloads that break the contract (missing account, tokens, ...)
        self.dropped = 0  # queue full, or still queued when closed
        self.failed = 0  # the broker did not take it
        self._pending: queue.Queue[tuple[bytes, bytes] | None] = queue.Queue(max_pending)
        self._closing = threading.Event()
        self._closed = False
        self._sender: threading.Thread | None = None
        self._start_lock = threading.Lock()

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
        if self._closed:
            self.dropped += 1
            return
        self._start()
        try:
            self._pending.put_nowait((event.account_id.encode(), event_to_json(event)))
        except queue.Full:
            self.dropped += 1

    def close(self, timeout: float = 10.0) -> None:
        """Send what is queued (waiting at most ``timeout`` seconds), then stop."""
        sender = self._sender
        if sender is None or self._closed:
            return
        self._closed = True
        # A queue still full after the timeout means Kafka is not keeping up: give up below.
        with contextlib.suppress(queue.Full):
            self._pending.put(None, timeout=timeout)
        sender.join(timeout)
        if sender.is_alive():  # Kafka unreachable: stop reconnecting, drop the rest
            self._closing.set()
            sender.join(1.0)

    def _start(self) -> None:
        if self._sender is not None:
            return
        with self._start_lock:
            if self._sender is None:
                self._sender = threading.Thread(
                    target=self._run, name="harvestguard-kafka", daemon=True
                )
                self._sender.start()
                atexit.register(self.close)

    def _connect(self) -> KafkaProducer | None:
        delay = 0.2
        while not self._closing.is_set():
            try:
                return KafkaProducer(
                    bootstrap_servers=self.bootstrap_servers, **self.producer_config
                )
            except KafkaError as error:
                logger.warning("harvestguard: Kafka at %s: %s", self.bootstrap_servers, error)
                self._closing.wait(delay)
                delay = min(delay * 2, 10.0)
        return None

    def _on_error(self, error: BaseException) -> None:
        self.failed += 1
        logger.warning("harvestguard: an event was not delivered: %s", error)

    def _run(self) -> None:
        producer: KafkaProducer | None = None
        while (item := self._pending.get()) is not None:  # None: close() was called
            if producer is None:
                producer = self._connect()
            if producer is None:  # closing before Kafka was ever reached
                self.dropped += 1
                continue
            key, value = item
            try:
                producer.send(self.topic, key=key, value=value).add_errback(self._on_error)
                self.published += 1
            except KafkaError as error:
                self._on_error(error)
        self.dropped += self._pending.qsize()
        if producer is not None:
            producer.flush(timeout=5.0)
            producer.close(timeout=5.0)


# The instance LiteLLM's config names; it connects on the first request, not on import.
proxy_handler_instance = HarvestguardLogger()
