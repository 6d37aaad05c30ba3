"""The hub: point-to-point, request-response, topics, back-pressure and shutdown."""

from __future__ import annotations

import asyncio

import pytest

from tau_cli.orchestrate import (
    DuplicateName,
    Envelope,
    Handler,
    HandlerFailed,
    Hub,
    HubAgent,
    HubClosed,
    HubError,
    InboxFull,
    RequestTimeout,
    UnknownRecipient,
)


class Recorder:
    """A handler that keeps what it received, so tests can read what crossed the hub."""

    def __init__(self) -> None:
        self.received: list[Envelope] = []

    async def __call__(self, envelope: Envelope) -> object:
        self.received.append(envelope)
        return None


async def test_send_delivers_in_order_with_the_sender_named() -> None:
    inbox = Recorder()
    async with Hub() as hub:
        hub.register("writer", inbox)
        for n in range(5):
            await hub.send("writer", n, sender="planner")
    assert [e.payload for e in inbox.received] == [0, 1, 2, 3, 4]
    assert {e.sender for e in inbox.received} == {"planner"}
    assert not any(e.expects_reply for e in inbox.received)


async def test_request_returns_the_handlers_answer() -> None:
    async def double(envelope: Envelope) -> object:
        assert isinstance(envelope.payload, int)
        return envelope.payload * 2

    async with Hub() as hub:
        hub.register("double", double)
        hub.register("shout", lambda e: str(e.payload).upper())  # plain functions work too
        assert await hub.request("double", 21) == 42
        assert await hub.request("shout", "hi") == "HI"


async def test_agents_join_by_name_and_ask_each_other() -> None:
    class Critic:
        name = "critic"

        async def handle(self, envelope: Envelope) -> object:
            return "good" if "!" in str(envelope.payload) else "needs energy"

    class Writer:
        def __init__(self, hub: Hub) -> None:
            self.name = "writer"
            self.hub = hub

        async def handle(self, envelope: Envelope) -> object:
            draft = str(envelope.payload)
            while await self.hub.request("critic", draft, sender=self.name) != "good":
                draft += "!"
            return draft

    async with Hub() as hub:
        writer = Writer(hub)
        assert isinstance(writer, HubAgent)
        hub.register_agent(Critic())
        hub.register_agent(writer)
        assert hub.names == ["critic", "writer"]
        assert await hub.request("writer", "hello") == "hello!"


async def test_a_failing_handler_raises_in_the_requester() -> None:
    async def broken(envelope: Envelope) -> object:
        raise ValueError("bad input: " + str(envelope.payload))

    async with Hub() as hub:
        hub.register("broken", broken)
        expected = "'broken' failed: ValueError: bad input: x"
        with pytest.raises(HandlerFailed, match=expected) as info:
            await hub.request("broken", "x")
        assert isinstance(info.value.__cause__, ValueError)
        # the worker survives its handler's failure
        with pytest.raises(HandlerFailed):
            await hub.request("broken", "y")


async def test_failures_of_sent_messages_go_to_on_error() -> None:
    seen: list[HandlerFailed] = []

    async def broken(envelope: Envelope) -> object:
        raise RuntimeError(f"cannot handle {envelope.payload}")

    async with Hub(on_error=seen.append) as hub:
        hub.register("broken", broken)
        await hub.send("broken", 1)
        await hub.send("broken", 2)
    assert [str(f) for f in seen] == [
        "'broken' failed: RuntimeError: cannot handle 1",
        "'broken' failed: RuntimeError: cannot handle 2",
    ]


async def test_without_on_error_close_raises_what_nobody_waited_for() -> None:
    async def broken(envelope: Envelope) -> object:
        raise RuntimeError("lost?")

    hub = Hub()
    hub.register("broken", broken)
    await hub.send("broken", None)
    with pytest.raises(ExceptionGroup) as info:
        await hub.close()
    (failure,) = info.value.exceptions
    assert isinstance(failure, HandlerFailed)
    assert isinstance(failure.__cause__, RuntimeError)


async def test_publish_reaches_every_subscriber_in_subscription_order() -> None:
    order: list[str] = []

    def listener(name: str) -> Handler:
        async def handle(envelope: Envelope) -> None:
            order.append(f"{name}:{envelope.topic}:{envelope.payload}")

        return handle

    async with Hub() as hub:
        for name in ("a", "b", "c"):
            hub.register(name, listener(name))
        hub.subscribe("news", "b")
        hub.subscribe("news", "a")
        hub.subscribe("news", "a")  # subscribing twice delivers once
        hub.subscribe("other", "c")
        assert hub.subscribers("news") == ["b", "a"]
        assert await hub.publish("news", 1) == 2
        hub.unsubscribe("news", "b")
        assert await hub.publish("news", 2) == 1
        assert await hub.publish("nobody-listens", 3) == 0
    assert sorted(order) == ["a:news:1", "a:news:2", "b:news:1"]


async def test_unknown_and_duplicate_names_are_refused() -> None:
    async with Hub() as hub:
        hub.register("a", Recorder())
        with pytest.raises(DuplicateName, match="already registered as 'a'"):
            hub.register("a", Recorder())
        with pytest.raises(UnknownRecipient, match="'nobody'"):
            await hub.send("nobody", 1)
        with pytest.raises(UnknownRecipient):
            await hub.request("nobody", 1)
        with pytest.raises(UnknownRecipient):
            hub.subscribe("t", "nobody")


async def test_a_full_inbox_makes_the_sender_wait() -> None:
    gate = asyncio.Event()
    handled: list[object] = []

    async def slow(envelope: Envelope) -> None:
        await gate.wait()
        handled.append(envelope.payload)

    async with Hub(inbox_size=1) as hub:
        hub.register("slow", slow)
        await hub.send("slow", 1)  # taken by the worker, which now waits on the gate
        await asyncio.sleep(0)
        await hub.send("slow", 2)  # fills the one-slot inbox
        third = asyncio.create_task(hub.send("slow", 3))
        await asyncio.sleep(0.05)
        assert not third.done(), "the sender must wait while the inbox is full"
        gate.set()
        await third
    assert handled == [1, 2, 3]


async def test_a_put_timeout_turns_waiting_into_inbox_full() -> None:
    gate = asyncio.Event()

    async def stuck(envelope: Envelope) -> None:
        await gate.wait()

    hub = Hub(inbox_size=1, put_timeout=0.05)
    hub.register("stuck", stuck)
    await hub.send("stuck", 1)
    await asyncio.sleep(0)
    await hub.send("stuck", 2)
    with pytest.raises(InboxFull, match=r"inbox of 'stuck' stayed full for 0\.05s"):
        await hub.send("stuck", 3)
    gate.set()
    await hub.close()


async def test_a_request_that_times_out_in_the_queue_is_never_handled() -> None:
    gate = asyncio.Event()
    handled: list[object] = []

    async def slow(envelope: Envelope) -> object:
        handled.append(envelope.payload)
        await gate.wait()
        return envelope.payload

    async with Hub() as hub:
        hub.register("slow", slow)
        first = asyncio.create_task(hub.request("slow", "first", timeout=5))
        await asyncio.sleep(0)
        with pytest.raises(RequestTimeout, match=r"'slow' did not answer within 0\.05s"):
            await hub.request("slow", "second", timeout=0.05)
        gate.set()
        assert await first == "first"
    assert handled == ["first"]


async def test_close_drains_queued_messages_then_refuses_new_ones() -> None:
    inbox = Recorder()
    hub = Hub()
    hub.register("r", inbox)
    for n in range(10):
        await hub.send("r", n)
    await hub.close()
    assert [e.payload for e in inbox.received] == list(range(10))
    with pytest.raises(HubClosed):
        await hub.send("r", 11)
    with pytest.raises(HubClosed):
        hub.register("late", Recorder())
    await hub.close()  # closing twice is harmless


async def test_close_gives_up_on_a_stuck_handler_and_fails_its_request() -> None:
    async def forever(envelope: Envelope) -> object:
        await asyncio.Event().wait()
        return None

    hub = Hub()
    hub.register("forever", forever)
    pending = asyncio.create_task(hub.request("forever", 1, timeout=10))
    await asyncio.sleep(0)
    await hub.close(timeout=0.05)
    with pytest.raises(HubClosed, match="closed before 'forever' answered"):
        await pending


async def test_unregister_finishes_the_inbox_and_forgets_the_name() -> None:
    inbox = Recorder()
    async with Hub() as hub:
        hub.register("r", inbox)
        hub.subscribe("t", "r")
        await hub.send("r", "last words")
        await hub.unregister("r")
        assert [e.payload for e in inbox.received] == ["last words"]
        assert hub.subscribers("t") == []
        with pytest.raises(UnknownRecipient):
            await hub.send("r", "too late")
        hub.register("r", Recorder())  # the name is free again


async def test_a_handler_asking_itself_is_told_so_instead_of_waiting_forever() -> None:
    async with Hub() as hub:

        async def narcissist(envelope: Envelope) -> object:
            return await hub.request("self", "again?")

        hub.register("self", narcissist)
        with pytest.raises(HandlerFailed, match="'self' asked itself") as info:
            await hub.request("self", "hello", timeout=5)
        assert isinstance(info.value.__cause__, HubError)
