"""The agentic loop: ask the model, run the tools it calls, feed back, repeat.

One turn, readable in one sitting: build the window, stream the answer, run the
calls through the permission gate, append every result (durably) before the next
request, deliver what the user typed meanwhile, and stop when the model answers
without calls — or a limit, a hook, a repeated failure, an error or the user ends
it. Limits are checked before each model call. The loop never prints and never
prompts: everything it does is an event, and every decision goes through the gate.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from tau_cli.agent import ChatRequest, Provider
from tau_cli.core import (
    ChatResponse,
    ContentPart,
    ErrorInfo,
    Event,
    ImagePart,
    Interaction,
    Message,
    ModelCapabilities,
    ReasoningDelta,
    ReasoningEffort,
    StreamDone,
    StreamError,
    TauError,
    TextDelta,
    TextPart,
    TokenUsage,
    ToolCall,
)
from tau_cli.runtime.events import (
    AssistantMessage,
    Compacted,
    Injected,
    ModeChanged,
    Notice,
    ToolFinished,
    ToolProgress,
    TurnEnd,
    TurnFinished,
    TurnStarted,
)
from tau_cli.runtime.gate import PermissionGate, SaveRule
from tau_cli.runtime.hooks import HookRunner, telling_user
from tau_cli.runtime.text_tools import parse_tool_calls, render_instructions, to_text_history
from tau_cli.session import ContextManager, Session
from tau_cli.tools import PermissionPolicy, ToolContext, ToolRegistry

Emit = Callable[[object], Awaitable[None]]

REPEAT_WARNING = 3
"""Identical failing calls after which the model is told to change approach."""
REPEAT_LIMIT = 5
"""Identical failing calls after which the turn ends."""


@dataclass
class LoopOptions:
    max_iterations: int = 100
    temperature: float | None = None
    max_output_tokens: int | None = None
    reasoning_effort: ReasoningEffort | None = None


@dataclass
class AgentLoop:
    provider: Provider
    session: Session
    context: ContextManager
    registry: ToolRegistry
    tool_context: ToolContext
    policy: PermissionPolicy
    interaction: Interaction
    hooks: HookRunner
    capabilities: ModelCapabilities
    options: LoopOptions = field(default_factory=LoopOptions)
    save_rule: SaveRule | None = None
    pinned: list[Message] = field(default_factory=list)
    """Kept in every window whatever compaction does (the approved plan)."""
    after_tool: Callable[[ToolCall], str | None] | None = None
    """Context a finished call brings along (a sub-folder's TAU.md, first touch)."""
    prompt_context: Callable[[str], list[tuple[str, Event]]] | None = None
    """Extra context for a prompt (matched skills' instructions), each with its event."""
    injections: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    _partial: list[str] = field(default_factory=list)
    _gate: PermissionGate | None = None
    before_tools: Awaitable[None] | None = None
    """Awaited before any tool runs (the turn's file snapshot, taken meanwhile)."""
    current_emit: Emit | None = None
    """Where the running turn's events go (subagents forward theirs here)."""
    _started_session: str | None = None
    _progress: set[asyncio.Future[None]] = field(default_factory=set)

    @property
    def native_tools(self) -> bool:
        return self.capabilities.tools

    async def run_turn(
        self, prompt: str, emit: Emit, images: Sequence[ImagePart] = ()
    ) -> TurnFinished:
        """Run one prompt to its end; cancellation ends it cleanly, as ``cancelled``.

        ``images`` (pasted into an editor, say) travel in the prompt's user message.
        """

        async def tell(message: str) -> None:
            await emit(Notice(level="warning", message=message))

        with telling_user(tell):
            return await self._run_turn(prompt, emit, images)

    async def _run_turn(
        self, prompt: str, emit: Emit, images: Sequence[ImagePart] = ()
    ) -> TurnFinished:
        usage = TokenUsage()
        iterations = 0

        def finished(reason: TurnEnd, error: ErrorInfo | None = None) -> TurnFinished:
            return TurnFinished(reason=reason, iterations=iterations, usage=usage, error=error)

        self._gate = PermissionGate(
            self.policy,
            self.interaction,
            self.hooks,
            self.tool_context,
            emit,
            self.save_rule,
        )
        self.current_emit = emit
        self.tool_context.progress_sink = self._progress_sink(emit)
        try:
            await emit(TurnStarted(prompt=prompt))
            started = await self._session_start()
            hook = await self.hooks.run("UserPromptSubmit", {"prompt": prompt})
            if hook.blocked or hook.stop_session:
                if hook.blocked or not hook.stop_reason:  # a stopReason was told already
                    reason = hook.reason or "a hook stopped the prompt"
                    await emit(Notice(level="warning", message=reason))
                return finished("stopped_by_hook")
            extra = []
            if started or hook.context:
                joined = "\n".join([*started, *hook.context])
                extra.append(f"<hook-context>\n{joined}\n</hook-context>")
            if self.prompt_context is not None:
                for text, event in self.prompt_context(prompt):
                    if text:  # an event alone (a skill's grant) adds nothing to say
                        extra.append(text)
                    await emit(event)
            self.session.append(_user_message(prompt, extra, images))
            failures: Counter[tuple[str, str]] = Counter()
            stop_hook_active = False
            while True:
                if iterations >= self.options.max_iterations:
                    return finished("max_iterations")
                await self._deliver_injections(emit)
                iterations += 1
                try:
                    response, error = await self._ask_model(emit)
                except TauError as exc:  # the window cannot be built (too small), say
                    response, error = None, ErrorInfo(kind=type(exc).__name__, message=str(exc))
                if response is None:
                    if self._partial:
                        self.session.append(Message.assistant("".join(self._partial)))
                    return finished("error", error)
                usage += response.usage
                message, problems = self._read_answer(response)
                self.session.append(message)
                self.session.record_usage(response.usage)
                await emit(AssistantMessage(message=message, usage=response.usage))
                if problems:
                    self.session.append(Message.user(problems))
                    continue
                if not message.tool_calls:
                    stop = await self.hooks.run("Stop", {"stop_hook_active": stop_hook_active})
                    if stop.blocked and stop.reason and not stop_hook_active:
                        stop_hook_active = True
                        self.session.append(Message.user(f"[Stop hook] {stop.reason}"))
                        continue
                    return finished("completed")
                stop_hook_active = False
                ended = await self._run_tools(message.tool_calls, failures, emit)
                if ended is not None:
                    reason, error = ended
                    return finished(reason, error)
        except asyncio.CancelledError:
            # Keep what the user already saw of an answer cut off mid-stream, and
            # answer any calls left without results, so the session stays valid.
            if self._partial:
                self.session.append(Message.assistant("".join(self._partial)))
                self._partial = []
            self.session.interrupt_pending_calls()
            return finished("cancelled")

    async def _ask_model(self, emit: Emit) -> tuple[ChatResponse | None, ErrorInfo | None]:
        tools = self.registry.definitions(lambda t: self.policy.offers(t.name, t.read_only))
        native = self.native_tools
        pinned = [*self.pinned, *([] if native else [Message.system(render_instructions(tools))])]
        offered = tools if native else ()
        if self.hooks.configured("PreCompact") and self.context.needs_compaction(
            self.context.build(self.session, pinned=pinned, tools=offered)
        ):  # building the window twice costs per step, so only when a hook would hear it
            await self.hooks.run("PreCompact", {"trigger": "auto"})
        compaction = self.session.compaction
        window = await self.context.prepare(self.session, pinned=pinned, tools=offered)
        done = self.session.compaction
        if done is not None and done is not compaction:
            await emit(
                Compacted(
                    strategy=done.strategy,
                    tokens_before=done.tokens_before,
                    tokens_after=done.tokens_after,
                )
            )
        if window.compaction_error:
            await emit(
                Notice(level="warning", message=f"compaction failed: {window.compaction_error}")
            )
        request = ChatRequest(
            messages=window.messages if native else to_text_history(window.messages),
            tools=tools if native else [],
            parallel_tool_calls=(
                self.capabilities.parallel_tool_calls if native and tools else None
            ),
            temperature=self.options.temperature,
            max_output_tokens=self.options.max_output_tokens,
            reasoning_effort=self.options.reasoning_effort,
        )
        self._partial = []
        async for event in self.provider.stream(request):
            if isinstance(event, TextDelta):
                self._partial.append(event.text)
                await emit(event)
            elif isinstance(event, ReasoningDelta):
                await emit(event)
            elif isinstance(event, StreamDone):
                self._partial = []
                return event.response, None
            elif isinstance(event, StreamError):
                return None, event.error
        return None, ErrorInfo(
            kind="stream_ended", message="the model's answer ended without being complete"
        )

    def _read_answer(self, response: ChatResponse) -> tuple[Message, str]:
        """The assistant message to keep, and problems to tell the model (text protocol)."""
        if self.native_tools:
            return response.message, ""
        tools = self.registry.definitions()
        # Ids unique across the session, so a later switch to a native model gets a
        # history whose tool call ids never repeat.
        parsed = parse_tool_calls(
            response.message.text, tools, new_id=lambda: f"call_{uuid.uuid4().hex[:16]}"
        )
        reasoning = [p for p in response.message.parts if not isinstance(p, TextPart)]
        content: str | list[ContentPart] = parsed.content
        if reasoning:
            content = [*reasoning, TextPart(text=parsed.content)]
        message = Message.assistant(content, parsed.calls)
        problems = ""
        if parsed.errors:
            listed = "\n".join(f"- {e}" for e in parsed.errors)
            problems = f"Some of your tool calls could not be used:\n{listed}\nPlease correct them."
        return message, problems

    async def _run_tools(
        self,
        calls: list[ToolCall],
        failures: Counter[tuple[str, str]],
        emit: Emit,
    ) -> tuple[TurnEnd, ErrorInfo | None] | None:
        if self.before_tools is not None:
            await self.before_tools
        started = asyncio.get_running_loop().time()
        mode = self.policy.mode
        results = await self.registry.run_all(calls, self.tool_context, gate=self._gate)
        if self._progress:  # a call's progress is shown before its result, never after
            await asyncio.gather(*self._progress)
        if self.policy.mode is not mode:  # an approved plan switches the mode
            await emit(ModeChanged(mode=self.policy.mode.value))
        elapsed = (asyncio.get_running_loop().time() - started) * 1000
        ended: tuple[TurnEnd, ErrorInfo | None] | None = None
        for call, result in zip(calls, results, strict=True):
            post = await self.hooks.run(
                "PostToolUse",
                {
                    "tool_name": call.name,
                    "tool_input": call.arguments,
                    "tool_use_id": call.id,
                    "tool_response": {"text": result.text, "is_error": result.is_error},
                },
                tool_name=call.name,
            )
            if post.blocked and post.reason:
                result = result.model_copy(
                    update={"text": f"{result.text}\n\n[PostToolUse hook] {post.reason}"}
                )
            if post.context:
                result = result.model_copy(
                    update={"text": result.text + "\n\n" + "\n".join(post.context)}
                )
            note = self.after_tool(call) if self.after_tool is not None else None
            if note:
                result = result.model_copy(update={"text": f"{result.text}\n\n{note}"})
            key = (call.name, json.dumps(call.arguments, sort_keys=True))
            if result.is_error:
                failures[key] += 1
                if failures[key] == REPEAT_WARNING:
                    result = result.model_copy(
                        update={
                            "text": result.text
                            + f"\n\nThis exact call has now failed {REPEAT_WARNING} times. "
                            "Do not repeat it: change the arguments or take another approach."
                        }
                    )
                if failures[key] >= REPEAT_LIMIT and ended is None:
                    ended = (
                        "repeated_failure",
                        ErrorInfo(
                            kind="repeated_failure",
                            message=f"the model repeated a failing {call.name} call "
                            f"{REPEAT_LIMIT} times; stopped",
                        ),
                    )
            else:
                failures.pop(key, None)
            self.session.append(Message.tool(call, result))
            await emit(ToolFinished(call_id=call.id, result=result, duration_ms=elapsed))
            if post.stop_session and ended is None:
                ended = ("stopped_by_hook", None)
        return ended

    def _progress_sink(self, emit: Emit) -> Callable[[str, str, float | None, float | None], None]:
        """Tools report progress from plain callbacks; each report becomes an event in order."""

        def sink(call_id: str, message: str, progress: float | None, total: float | None) -> None:
            event = ToolProgress(call_id=call_id, message=message, progress=progress, total=total)
            task = asyncio.ensure_future(emit(event))
            self._progress.add(task)
            task.add_done_callback(self._progress.discard)

        return sink

    async def end_session(self, reason: str) -> None:
        """SessionEnd hooks, for a session whose SessionStart hooks ran: ``exit`` when tau
        closes, ``clear`` for a new session, ``resume`` when another one takes over."""
        if self._started_session != self.session.id:
            return
        self._started_session = None
        await self.hooks.run("SessionEnd", {"reason": reason})

    async def _session_start(self) -> tuple[str, ...]:
        """SessionStart hooks, once per session this loop works on; their context."""
        if self._started_session == self.session.id:
            return ()
        self._started_session = self.session.id
        source = "resume" if len(self.session.messages) > 1 else "startup"
        outcome = await self.hooks.run("SessionStart", {"source": source})
        return outcome.context

    async def _deliver_injections(self, emit: Emit) -> None:
        while not self.injections.empty():
            text = self.injections.get_nowait()
            self.session.append(Message.user(text))
            await emit(Injected(text=text))


def _user_message(prompt: str, extra: list[str], images: Sequence[ImagePart] = ()) -> Message:
    if not extra and not images:
        return Message.user(prompt)
    texts = [prompt, *extra] if prompt else extra  # an image alone needs no empty text part
    return Message.user([*(TextPart(text=text) for text in texts), *images])
