"""A scripted model server on 127.0.0.1 that tests and benchmarks talk to over HTTP.

It plays a ``Script`` (the same format as ``scripted:PATH``), one turn per request,
in the dialect the request's path names, and records every request so tests assert
on what really crossed the wire. It runs its own event loop in a background thread,
so the same object serves ``async with`` in async tests and ``with`` in sync ones,
and a client blocking in one cannot starve it.

Routes:
    ``POST .../chat/completions``  OpenAI chat completions; under
                                   ``/openai/deployments/`` with Azure's quirks
    ``POST .../responses``         the OpenAI Responses API (stateless, typed SSE events)
    ``POST /api/chat``             Ollama's native chat (NDJSON streaming)
    ``POST /v1/messages``          Anthropic Messages (named SSE events)
    ``POST .../embeddings``        OpenAI (and Azure) embeddings
    ``POST .../audio/transcriptions``  OpenAI (and Azure) speech to text
    ``POST /api/embed``            Ollama embeddings
    ``GET .../models``             OpenAI model list (vLLM's ``max_model_len`` included)
    ``GET /api/tags``, ``POST /api/show``  Ollama's model list and model details

Embeddings answer with stable stand-in vectors (``scripted_vector``) and do not
consume script turns.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from tau_cli.agent.script import (
    Script,
    ScriptedError,
    ScriptedModel,
    Turn,
    check_request,
    estimate_tokens,
    scripted_vector,
)
from tau_cli.testing import _anthropic, _audio, _ollama, _openai, _responses
from tau_cli.testing._dialect import Dialect
from tau_cli.testing._http import (
    RecordedRequest,
    end_chunked,
    json_bytes,
    read_request,
    send_body,
    send_chunk,
    start_chunked,
)

_START_TIMEOUT = 10.0


class ScriptedModelServer:
    """Serve ``script`` on an ephemeral loopback port until stopped.

    Args:
        script: a ``Script``, a list of turns, or the path of a YAML/JSON script.
        model: the model name reported in answers.
    """

    def __init__(
        self, script: Script | Sequence[Turn] | str | Path, *, model: str = "scripted-model"
    ) -> None:
        if isinstance(script, Script):
            self._script = script
        elif isinstance(script, str | Path):
            self._script = Script.load(script)
        else:
            self._script = Script(turns=list(script))
        self._model = model
        self._next = 0
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, the server's root."""
        if self._port is None:
            raise RuntimeError("the scripted model server is not running")
        return f"http://127.0.0.1:{self._port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def turns_left(self) -> int:
        with self._lock:
            return len(self._script.turns) - self._next

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="scripted-model", daemon=True)
        self._thread.start()
        if not self._ready.wait(_START_TIMEOUT):
            raise RuntimeError("the scripted model server did not start")
        if self._failure is not None:
            raise RuntimeError("the scripted model server failed to start") from self._failure

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(_START_TIMEOUT)
        self._port = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to start(); the thread must not die silently
            self._failure = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        connections: set[asyncio.Task[None]] = set()

        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            connections.add(task)
            try:
                await self._connection(reader, writer)
            finally:
                connections.discard(task)

        server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
        self._port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()
            server.close()
            for task in list(connections):
                task.cancel()
            await asyncio.gather(*connections, return_exceptions=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await read_request(reader)
                if request is None:
                    break
                with self._lock:
                    self._requests.append(request)
                if not await self._respond(request, writer):
                    break
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _respond(self, request: RecordedRequest, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False when the connection must close (a cut)."""
        if request.path in ("/api/tags", "/api/show") or (
            request.method == "GET" and request.path.endswith("/models")
        ):
            await self._models(request, writer)
            return True
        if request.method == "POST" and request.path.endswith("/audio/transcriptions"):
            await self._transcribe(request, writer)
            return True
        if request.method == "POST" and request.path.endswith(("/embeddings", "/api/embed")):
            await self._embed(request, writer)
            return True
        dialect = _chat_dialect(request)
        if dialect is not None:
            return await self._chat(request, writer, dialect)
        await send_body(
            writer, 404, json_bytes({"error": {"message": f"no route for {request.path}"}})
        )
        return True

    def _take_turn(self) -> tuple[int, Turn] | None:
        with self._lock:
            if self._next >= len(self._script.turns):
                return None
            index = self._next
            self._next += 1
            return index, self._script.turns[index]

    async def _chat(
        self, request: RecordedRequest, writer: asyncio.StreamWriter, dialect: Dialect
    ) -> bool:
        """Play the next turn in ``dialect``; False when the connection must close."""
        try:
            body: dict[str, Any] = request.json()
            messages, tools = dialect.decode(body)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            message = f"invalid request: {exc}"
            await send_body(writer, 400, json_bytes(dialect.error(400, message, None)))
            return True
        taken = self._take_turn()
        if taken is None:
            message = f"the script has no turn left (it has {len(self._script.turns)})"
            await send_body(writer, 400, json_bytes(dialect.error(400, message, None)))
            return True
        index, turn = taken
        violation = check_request(self._script, turn, messages, tools)
        if violation is not None:
            error = dialect.error(400, violation.message, violation)
            await send_body(writer, 400, json_bytes(error))
            return True
        if turn.delay:
            await asyncio.sleep(turn.delay.total_seconds())
        if turn.error is not None:
            await self._send_error(writer, turn.error, dialect)
            return True
        usage = turn.usage_for(estimate_tokens(messages))
        model = body.get("model") or self._model
        if not dialect.wants_stream(body):
            payload = json_bytes(dialect.answer(turn, index, model, usage))
            cut = None if turn.cut_after is None else len(payload) // 2
            await send_body(writer, 200, payload, truncate_to=cut)
            return cut is None
        pieces = dialect.stream(turn, index, model, usage, body, request.path)
        return await self._stream(writer, turn, pieces, dialect.content_type)

    async def _send_error(
        self, writer: asyncio.StreamWriter, error: ScriptedError, dialect: Dialect
    ) -> None:
        if error.body is not None:
            payload, content_type = error.body.encode(), "text/html"
        else:
            payload = json_bytes(dialect.error(error.status, error.message, None))
            content_type = "application/json"
        await send_body(
            writer, error.status, payload, content_type=content_type, headers=error.headers
        )

    async def _stream(
        self, writer: asyncio.StreamWriter, turn: Turn, pieces: list[bytes], content_type: str
    ) -> bool:
        await start_chunked(writer, content_type)
        pause = turn.chunk_pause()
        for sent, piece in enumerate(pieces):
            if turn.cut_after is not None and sent >= turn.cut_after:
                return False  # closing without the last chunk is a cut stream
            if sent and pause:
                await asyncio.sleep(pause)
            await send_chunk(writer, piece)
        await end_chunked(writer)
        return True

    async def _transcribe(self, request: RecordedRequest, writer: asyncio.StreamWriter) -> None:
        try:
            fields, files = _audio.read_form(request.headers.get("content-type", ""), request.body)
        except ValueError as exc:
            error = _openai.error_body(400, str(exc), None)
            await send_body(writer, 400, json_bytes(error))
            return
        taken = self._take_turn()
        if taken is None:
            message = f"the script has no turn left (it has {len(self._script.turns)})"
            await send_body(writer, 400, json_bytes(_openai.error_body(400, message, None)))
            return
        _, turn = taken
        if turn.delay:
            await asyncio.sleep(turn.delay.total_seconds())
        if turn.error is not None:
            await self._send_error(writer, turn.error, _openai.DIALECT)
            return
        answer = _audio.transcript(turn, fields, files["file"])
        await send_body(writer, 200, json_bytes(answer))

    async def _embed(self, request: RecordedRequest, writer: asyncio.StreamWriter) -> None:
        try:
            body: dict[str, Any] = request.json()
            texts = body["input"]
            texts = [texts] if isinstance(texts, str) else [str(t) for t in texts]
        except (ValueError, KeyError, TypeError) as exc:
            error = {"error": {"message": f"invalid embeddings request: {exc}"}}
            await send_body(writer, 400, json_bytes(error))
            return
        vectors = [scripted_vector(text) for text in texts]
        tokens = sum(max(1, len(text) // 4) for text in texts)
        model = body.get("model") or self._model
        if request.path == "/api/embed":
            answer: dict[str, Any] = {
                "model": model,
                "embeddings": vectors,
                "prompt_eval_count": tokens,
            }
        else:
            # Items go out last first: each carries its index, and clients must use it.
            answer = {
                "object": "list",
                "data": [
                    {"object": "embedding", "index": i, "embedding": v}
                    for i, v in reversed(list(enumerate(vectors)))
                ],
                "model": model,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        await send_body(writer, 200, json_bytes(answer))

    async def _models(self, request: RecordedRequest, writer: asyncio.StreamWriter) -> None:
        models = self._script.models or [
            ScriptedModel(name=self._model, context_window=self._script.context_window)
        ]
        if request.path == "/api/tags":
            answer: dict[str, Any] = {
                "models": [
                    {"name": m.name, "model": m.name, "size": 1, "details": {"family": "scripted"}}
                    for m in models
                ]
            }
        elif request.path == "/api/show":
            wanted = request.json().get("model")
            found = next((m for m in models if m.name == wanted), None)
            if found is None:
                error = {"error": f"model '{wanted}' not found"}
                await send_body(writer, 404, json_bytes(error))
                return
            answer = {
                "details": {"family": "scripted"},
                "model_info": {
                    "general.architecture": "scripted",
                    "scripted.context_length": found.context_window or 4096,
                },
                "capabilities": found.capabilities,
            }
        else:
            answer = {
                "object": "list",
                "data": [
                    {
                        "id": m.name,
                        "object": "model",
                        "created": 0,
                        "owned_by": "scripted",
                        **({"max_model_len": m.context_window} if m.context_window else {}),
                    }
                    for m in models
                ],
            }
        await send_body(writer, 200, json_bytes(answer))


def _chat_dialect(request: RecordedRequest) -> Dialect | None:
    if request.method != "POST":
        return None
    if request.path.endswith("/chat/completions"):
        return _openai.DIALECT
    if request.path.endswith("/responses"):
        return _responses.DIALECT
    if request.path == "/api/chat":
        return _ollama.DIALECT
    if request.path == "/v1/messages":
        return _anthropic.DIALECT
    return None
