"""``web_fetch``: a web page as readable text, within size and time limits.

Redirects to another host are reported, not followed, so the permission rules for
that domain apply to the next fetch. Addresses on this machine or a private
network are refused unless the tool is built to allow them: a model must not be
able to reach a cloud metadata service or a local admin page by asking nicely.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

import httpx
from pydantic import Field

from tau_cli.core import ToolResult
from tau_cli.tools.base import ToolContext
from tau_cli.tools.builtin._base import Arguments, BuiltinTool
from tau_cli.tools.builtin._html import html_to_text

MAX_BYTES = 5_000_000
MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 30.0
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/xhtml+xml")
_USER_AGENT = "tau (a terminal coding agent)"


class WebFetchArguments(Arguments):
    url: str = Field(
        description="The full http(s) URL, e.g. https://docs.python.org/3/library/re.html"
    )


class WebFetchTool(BuiltinTool[WebFetchArguments]):
    name = "web_fetch"
    read_only = True
    arguments = WebFetchArguments
    description = f"""Fetch a web page and return its content as readable text (markdown-like).

- Give the full URL with http:// or https://. HTML is reduced to headings, paragraphs,
  lists, code and links; plain text and JSON come back as they are.
- Pages over {MAX_BYTES // 1_000_000} MB are cut; binary files (images, PDFs, archives) are
  refused. Long pages are cut in the middle: search or follow links to narrower pages.
- A redirect to another host is not followed: you get the new URL and can fetch it.
- Example: {{"url": "https://docs.python.org/3/library/pathlib.html"}}"""

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT, allow_private: bool = False) -> None:
        self._timeout = timeout
        self._allow_private = allow_private

    async def run(self, args: WebFetchArguments, context: ToolContext) -> ToolResult:
        url = args.url.strip()
        for _ in range(MAX_REDIRECTS + 1):
            problem = await self._refusal(url)
            if problem is not None:
                return ToolResult.error(problem)
            try:
                async with httpx.AsyncClient(
                    timeout=self._timeout, follow_redirects=False, trust_env=False
                ) as client:
                    result = await asyncio.wait_for(self._get(client, url), self._timeout)
            except (TimeoutError, httpx.TimeoutException):
                return ToolResult.error(f"{url} did not answer within {self._timeout:g} seconds.")
            except httpx.HTTPError as exc:
                return ToolResult.error(f"Could not fetch {url}: {exc}.")
            if isinstance(result, str):
                target = urljoin(url, result)
                if urlsplit(target).netloc != urlsplit(url).netloc:
                    return ToolResult(
                        text=f"{url} redirects to another host: {target}\n"
                        "Fetch that URL if you want its content."
                    )
                url = target
                continue
            return result
        return ToolResult.error(f"{args.url} redirected more than {MAX_REDIRECTS} times.")

    async def _refusal(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"{url!r} is not an http(s) URL; give one like https://example.com/page."
        if self._allow_private:
            return None
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, None)
        except socket.gaierror:
            return f"The host {parts.hostname} could not be found."
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not address.is_global:
                return (
                    f"{parts.hostname} is an address on this machine or a private network "
                    f"({address}); web_fetch only reaches public sites."
                )
        return None

    async def _get(self, client: httpx.AsyncClient, url: str) -> ToolResult | str:
        """The page as a result, or the ``Location`` of a redirect."""
        headers = {"User-Agent": _USER_AGENT, "Accept": "text/html, text/*;q=0.9, */*;q=0.5"}
        async with client.stream("GET", url, headers=headers) as response:
            if response.is_redirect and "location" in response.headers:
                return response.headers["location"]
            if response.status_code >= 400:
                return ToolResult.error(
                    f"{url} answered {response.status_code} {response.reason_phrase}."
                )
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind and not kind.startswith(_TEXT_TYPES):
                return ToolResult.error(f"{url} is {kind}, not a page web_fetch can show as text.")
            body = bytearray()
            cut = False
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    del body[MAX_BYTES:]
                    cut = True
                    break
            text = body.decode(response.encoding or "utf-8", errors="replace")
        if kind in ("text/html", "application/xhtml+xml") or (not kind and "<html" in text[:500]):
            title, text = html_to_text(text, url)
            if title:
                text = f"# {title}\n\n{text}" if not text.startswith("# ") else text
        header = f"Content of {url}:\n\n"
        note = f"\n\n[The page was cut at {MAX_BYTES:,} bytes.]" if cut else ""
        return ToolResult(text=header + text + note)
