"""web_fetch against a real HTTP server on 127.0.0.1: pages, limits, redirects, refusals."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tau_cli.core import ToolCall, ToolResult
from tau_cli.tools import ToolContext, ToolRegistry
from tau_cli.tools.builtin import WebFetchTool
from tau_cli.tools.builtin import web_fetch as web_fetch_module

PAGE = b"""<!doctype html><html><head><title>Guide</title><style>body{}</style></head>
<body><nav><a href="/">Home</a></nav><h1>Install</h1>
<p>Run the <code>setup</code> script, then read the <a href="/next">next page</a>.</p>
<script>document.write('tracking')</script>
<ul><li>fast</li><li>small</li></ul>
<pre>pip install tau
tau --version</pre></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        routes = {
            "/page": (200, "text/html; charset=utf-8", PAGE),
            "/plain": (200, "text/plain", "héllo wörld\n".encode()),
            "/json": (200, "application/json", b'{"ok": true}'),
            "/image": (200, "image/png", b"\x89PNG\r\n"),
            "/huge": (200, "text/plain", b"x" * (web_fetch_module.MAX_BYTES + 1000)),
        }
        if self.path == "/missing":
            self._send(404, "text/plain", b"nope")
        elif self.path == "/same-host":
            self._redirect("/plain")
        elif self.path == "/other-host":
            self._redirect("https://elsewhere.example/landing")
        elif self.path == "/loop":
            self._redirect("/loop")
        elif self.path == "/slow":
            time.sleep(2)
            self._send(200, "text/plain", b"late")
        elif self.path in routes:
            self._send(*routes[self.path])
        else:
            self._send(404, "text/plain", b"unknown")

    def _send(self, status: int, kind: str, body: bytes) -> None:
        # The client may stop reading (a page over the size limit, a timeout): fine.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output clean."""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


async def fetch(context: ToolContext, url: str, **options: object) -> ToolResult:
    tool = WebFetchTool(allow_private=True, **options)  # type: ignore[arg-type]
    registry = ToolRegistry([tool])
    return await registry.run(ToolCall(id="w", name="web_fetch", arguments={"url": url}), context)


async def test_a_page_becomes_readable_text(server: str, context: ToolContext) -> None:
    result = await fetch(context, f"{server}/page")
    assert not result.is_error, result.text
    assert result.text.startswith(f"Content of {server}/page:\n\n# Guide")
    assert "# Install" in result.text
    assert f"Run the `setup` script, then read the [next page]({server}/next)." in result.text
    assert "- fast\n- small" in result.text
    assert "```\npip install tau\ntau --version\n```" in result.text
    assert "tracking" not in result.text and "body{}" not in result.text


async def test_plain_text_and_json_come_back_as_they_are(server: str, context: ToolContext) -> None:
    assert (await fetch(context, f"{server}/plain")).text.endswith("héllo wörld\n")
    assert (await fetch(context, f"{server}/json")).text.endswith('{"ok": true}')


async def test_binary_content_and_errors_are_explained(server: str, context: ToolContext) -> None:
    image = await fetch(context, f"{server}/image")
    assert image.is_error and "image/png" in image.text
    missing = await fetch(context, f"{server}/missing")
    assert missing.is_error and "answered 404 Not Found" in missing.text


async def test_a_huge_page_is_cut_at_the_size_limit(server: str, context: ToolContext) -> None:
    result = await fetch(context, f"{server}/huge")
    assert "cut" in result.text
    assert len(result.text) < 40_000  # and the registry keeps the context small


async def test_a_slow_server_times_out(server: str, context: ToolContext) -> None:
    started = time.monotonic()
    result = await fetch(context, f"{server}/slow", timeout=0.5)
    assert result.is_error and "did not answer within 0.5 seconds" in result.text
    assert time.monotonic() - started < 1.9


async def test_redirects_within_a_host_are_followed_and_across_hosts_reported(
    server: str, context: ToolContext
) -> None:
    same = await fetch(context, f"{server}/same-host")
    assert same.text.endswith("héllo wörld\n")
    other = await fetch(context, f"{server}/other-host")
    assert not other.is_error
    assert "redirects to another host: https://elsewhere.example/landing" in other.text
    loop = await fetch(context, f"{server}/loop")
    assert loop.is_error and "redirected more than" in loop.text


async def test_private_addresses_and_other_schemes_are_refused(
    server: str, context: ToolContext
) -> None:
    registry = ToolRegistry([WebFetchTool()])
    for url, expected in [
        (f"{server}/page", "private network"),
        ("http://169.254.169.254/latest/meta-data", "private network"),
        ("file:///etc/passwd", "not an http(s) URL"),
    ]:
        call = ToolCall(id="w", name="web_fetch", arguments={"url": url})
        result = await registry.run(call, context)
        assert result.is_error and expected in result.text, url
