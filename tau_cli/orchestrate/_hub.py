"""The hub: named handlers that talk by point-to-point send, request-response and topics.

Each registered handler owns a bounded inbox and one worker task, so it handles its
messages one at a time, in the order they arrived. Senders feel back-pressure: when an
inbox is full, ``send``, ``request`` and ``publish`` wait for room, and give up with
``InboxFull`` once ``put_timeout`` has passed (when one is set). Nothing is dropped
silently.

Errors always reach someone. A failed request raises ``HandlerFailed`` in the caller.
A fire-and-forget ``send`` or ``publish`` has no caller waiting, so its failure goes to
the hub's ``on_error`` callback, or, when there is none, is kept and raised from
``close()`` as an ``ExceptionGroup``.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from tau_cli.orchestrate._errors import (
    DuplicateName,
    HandlerFailed,
    HubClosed,
    HubError,
    InboxFull,
    RequestTimeout,
    UnknownRecipient,
)


@dataclass(frozen=True, slots=True)
class Envelope:
    """One message as its handler receives it.

    ``topic`` is set when the message came through ``publish``; ``expects_reply`` when
    a caller is waiting in ``request`` for the handler's return value.
    """

    id: int
    recipient: str
    payload: object
    sender: str | None = None
    topic: str | None = None
    expects_reply: bool = False


Handler = Callable[[Envelope], Awaitable[object] | object]
"""A function the hub calls with each message; its return value answers a request."""


@runtime_checkable
class HubAgent(Protocol):
    """Anything with a name that can handle a message: how an agent joins a hub."""

    @property
    def name(self) -> str:
        """The name other participants address it by."""
        ...

    async def handle(self, envelope: Envelope) -> object:
        """Process one message; the return value answers a request."""
        ...


ErrorCallback = Callable[[HandlerFailed], None]


@dataclass(slots=True)
class _Delivery:
    envelope: Envelope
    reply: asyncio.Future[object] | None = None


_STOP = object()


@dataclass(slots=True)
class _Inbox:
    name: str
    handler: Handler
    queue: asyncio.Queue[_Delivery | object]
    worker: asyncio.Task[None] | None = None
    topics: set[str] = field(default_factory=set)


class Hub:
    """Routes messages between named handlers inside one asyncio event loop.

    Use it as an async context manager so it always closes:

        async with Hub() as hub:
            hub.register("echo", echo)
            answer = await hub.request("echo", "hi")

    Args:
        inbox_size: how many messages each inbox holds before senders wait.
        put_timeout: how long a sender waits for room before ``InboxFull``;
            ``None`` waits as long as it takes.
        request_timeout: the default time a ``request`` waits for its answer.
        on_error: receives failures of messages nobody waits for; without it they
            are raised from ``close()``.
    """

    def __init__(
        self,
        *,
        inbox_size: int = 64,
        put_timeout: float | None = None,
        request_timeout: float = 30.0,
        on_error: ErrorCallback | None = None,
    ) -> None:
        if inbox_size < 1:
            raise ValueError("inbox_size must be at least 1")
        self._inbox_size = inbox_size
        self._put_timeout = put_timeout
        self._request_timeout = request_timeout
        self._on_error = on_error
        self._inboxes: dict[str, _Inbox] = {}
        self._subscribers: dict[str, list[str]] = {}
        self._failures: list[Exception] = []
        self._ids = itertools.count(1)
        self._closed = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def names(self) -> list[str]:
        """Every registered name, in registration order."""
        return list(self._inboxes)

    def register(self, name: str, handler: Handler) -> None:
        """Give ``handler`` a name and an inbox, and start its worker."""
        self._check_open()
        if not name:
            raise ValueError("a handler needs a non-empty name")
        if name in self._inboxes:
            raise DuplicateName(name)
        inbox = _Inbox(name, handler, asyncio.Queue(self._inbox_size))
        inbox.worker = asyncio.get_running_loop().create_task(self._work(inbox), name=f"hub:{name}")
        self._inboxes[name] = inbox

    def register_agent(self, agent: HubAgent) -> None:
        """Register an agent under its own name, handled by its ``handle`` method."""
        self.register(agent.name, agent.handle)

    async def unregister(self, name: str) -> None:
        """Stop taking messages for ``name``, let it finish its inbox, then remove it."""
        inbox = self._inbox(name)
        for topic in inbox.topics:
            self._subscribers[topic].remove(name)
        del self._inboxes[name]
        await inbox.queue.put(_STOP)
        if inbox.worker is not None:
            await inbox.worker

    def subscribe(self, topic: str, name: str) -> None:
        """Deliver every message published on ``topic`` to the handler ``name``."""
        inbox = self._inbox(name)
        if topic not in inbox.topics:
            inbox.topics.add(topic)
            self._subscribers.setdefault(topic, []).append(name)

    def unsubscribe(self, topic: str, name: str) -> None:
        """Stop delivering ``topic`` to ``name``; a no-op if it was not subscribed."""
        inbox = self._inbox(name)
        if topic in inbox.topics:
            inbox.topics.discard(topic)
            self._subscribers[topic].remove(name)

    def subscribers(self, topic: str) -> list[str]:
        """Who receives ``topic``, in the order they subscribed."""
        return list(self._subscribers.get(topic, []))

    async def send(self, to: str, payload: object, *, sender: str | None = None) -> None:
        """Queue a message for ``to`` and return once it is in the inbox.

        Waits while the inbox is full (see ``put_timeout``). The handler's failure, if
        any, goes to ``on_error`` or is raised from ``close()``.
        """
        self._check_open()
        inbox = self._inbox(to)
        envelope = Envelope(next(self._ids), to, payload, sender)
        await self._put(inbox, _Delivery(envelope))

    async def request(
        self,
        to: str,
        payload: object,
        *,
        sender: str | None = None,
        timeout: float | None = None,
    ) -> object:
        """Send a message to ``to`` and wait for its handler's return value.

        Raises:
            RequestTimeout: no answer within ``timeout`` (the hub's default if None);
                a request still queued when it times out is never handled.
            HandlerFailed: the handler raised; the original is ``__cause__``.
            HubClosed: the hub closed before the handler answered.
            HubError: a handler asked itself, which could never be answered.
        """
        self._check_open()
        inbox = self._inbox(to)
        if inbox.worker is asyncio.current_task():
            raise HubError(
                f"{to!r} asked itself; its inbox is read only after the current message "
                "is handled, so that request could never be answered"
            )
        limit = self._request_timeout if timeout is None else timeout
        reply: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        envelope = Envelope(next(self._ids), to, payload, sender, expects_reply=True)
        try:
            async with asyncio.timeout(limit):
                await self._put(inbox, _Delivery(envelope, reply))
                return await reply
        except TimeoutError:
            reply.cancel()
            raise RequestTimeout(to, limit) from None

    async def publish(self, topic: str, payload: object, *, sender: str | None = None) -> int:
        """Deliver a message to every subscriber of ``topic``; returns how many.

        A topic nobody subscribes to is not an error: publishing there reaches no one
        and returns 0.
        """
        self._check_open()
        delivered = 0
        for name in self.subscribers(topic):
            inbox = self._inboxes.get(name)
            if inbox is None:
                continue  # unregistered while this publish waited for room
            envelope = Envelope(next(self._ids), name, payload, sender, topic=topic)
            await self._put(inbox, _Delivery(envelope))
            delivered += 1
        return delivered

    async def close(self, *, timeout: float = 5.0) -> None:
        """Stop taking messages, let every inbox drain, then stop the workers.

        Workers still busy after ``timeout`` seconds are cancelled, and requests they
        had not answered fail with ``HubClosed``. Failures of fire-and-forget messages
        that no ``on_error`` took are raised here as one ``ExceptionGroup``.
        """
        if self._closed:
            return
        self._closed = True
        inboxes = list(self._inboxes.values())
        workers = [inbox.worker for inbox in inboxes if inbox.worker is not None]
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                for inbox in inboxes:
                    await inbox.queue.put(_STOP)
                await asyncio.gather(*workers)
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        for inbox in inboxes:
            self._abandon(inbox)
        self._inboxes.clear()
        self._subscribers.clear()
        if self._failures:
            failures, self._failures = self._failures, []
            raise ExceptionGroup("messages nobody waited for failed", failures)

    def _check_open(self) -> None:
        if self._closed:
            raise HubClosed("the hub is closed")

    def _inbox(self, name: str) -> _Inbox:
        try:
            return self._inboxes[name]
        except KeyError:
            raise UnknownRecipient(name) from None

    async def _put(self, inbox: _Inbox, delivery: _Delivery) -> None:
        if self._put_timeout is None:
            await inbox.queue.put(delivery)
            return
        try:
            async with asyncio.timeout(self._put_timeout):
                await inbox.queue.put(delivery)
        except TimeoutError:
            raise InboxFull(inbox.name, self._put_timeout) from None

    async def _work(self, inbox: _Inbox) -> None:
        while True:
            item = await inbox.queue.get()
            if item is _STOP or not isinstance(item, _Delivery):
                return
            if item.reply is not None and item.reply.done():
                continue  # the caller gave up before the handler started
            try:
                result = inbox.handler(item.envelope)
                if inspect.isawaitable(result):
                    result = await result
            except asyncio.CancelledError:
                self._abandon_one(inbox.name, item)
                raise
            except Exception as exc:
                self._fail(inbox.name, item, exc)
            else:
                if item.reply is not None and not item.reply.done():
                    item.reply.set_result(result)

    def _fail(self, name: str, delivery: _Delivery, exc: Exception) -> None:
        failure = HandlerFailed(name, exc)
        failure.__cause__ = exc
        if delivery.reply is not None:
            if not delivery.reply.done():
                delivery.reply.set_exception(failure)
            return
        if self._on_error is None:
            self._failures.append(failure)
            return
        try:
            self._on_error(failure)
        except Exception as callback_error:
            self._failures.extend([failure, callback_error])

    def _abandon(self, inbox: _Inbox) -> None:
        while not inbox.queue.empty():
            item = inbox.queue.get_nowait()
            if isinstance(item, _Delivery):
                self._abandon_one(inbox.name, item)

    @staticmethod
    def _abandon_one(name: str, delivery: _Delivery) -> None:
        if delivery.reply is not None and not delivery.reply.done():
            delivery.reply.set_exception(HubClosed(f"the hub closed before {name!r} answered"))
