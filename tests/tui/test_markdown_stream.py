"""The answer view renders each finished markdown block once, and the live tail per frame."""

from __future__ import annotations

from rich.console import Console
from rich.markdown import Markdown
from textual.app import App, ComposeResult

from tau_cli.tui.markdown_render import BlockMarkdown
from tau_cli.tui.markdown_stream import MarkdownStream


class _One(App[None]):
    def compose(self) -> ComposeResult:
        yield MarkdownStream(id="md")


def _screen_text(view: MarkdownStream) -> str:
    return "\n".join(view.render_line(y).text.rstrip() for y in range(view.line_count))


async def test_deltas_within_a_frame_render_together() -> None:
    app = _One()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(MarkdownStream)
        for word in ("Hello", " there,", " world"):
            view.append(word)
        await pilot.pause(0.1)
        assert view.renders == 1
        assert _screen_text(view) == "Hello there, world"


async def test_finished_blocks_are_not_rendered_again_as_text_streams() -> None:
    app = _One()
    async with app.run_test(size=(60, 30)) as pilot:
        view = app.query_one(MarkdownStream)
        view.append("# Title\n\nFirst **bold** paragraph.\n\n")
        await pilot.pause(0.1)
        after_two_blocks = view.renders
        for i in range(5):
            view.append(f"word{i} ")
            await pilot.pause(0.05)
        # Two finished blocks rendered once each; each later frame renders only the tail.
        assert after_two_blocks == 2
        assert view.renders == 2 + 5
        text = _screen_text(view)
        assert "Title" in text and "First bold paragraph." in text
        assert text.rstrip().endswith("word4")


async def test_code_blocks_keep_their_blank_lines_and_finish_on_the_closing_fence() -> None:
    app = _One()
    async with app.run_test(size=(60, 30)) as pilot:
        view = app.query_one(MarkdownStream)
        view.append("```python\nx = 1\n\ny = 2\n```\n")
        view.finish()
        await pilot.pause()
        lines = _screen_text(view).splitlines()
        assert any("x = 1" in line for line in lines)
        assert any("y = 2" in line for line in lines)
        assert "```" not in _screen_text(view)
        assert view.text == "```python\nx = 1\n\ny = 2\n```"


async def test_a_narrower_window_rewraps_finished_blocks() -> None:
    app = _One()
    async with app.run_test(size=(80, 30)) as pilot:
        view = app.query_one(MarkdownStream)
        view.append("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu")
        view.finish()
        await pilot.pause()
        assert view.line_count == 1
        await pilot.resize_terminal(30, 30)
        await pilot.pause()
        assert view.line_count > 1
        assert " ".join(_screen_text(view).split()).startswith("alpha beta gamma")


def test_the_shared_parser_renders_exactly_as_rich_does() -> None:
    source = (
        "# Title\n\nSome *em*, **strong**, ~~gone~~ and `code`; [a link](https://example.org).\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n  - nested\n\n> quoted\n\n"
        "```python\ndef f(x):\n    return x + 1\n```\n"
    )
    console = Console(width=60, color_system="truecolor", force_terminal=True)
    ours = console.render_lines(BlockMarkdown(source, code_theme="ansi_dark"))
    rich = console.render_lines(Markdown(source, code_theme="ansi_dark"))
    assert ours == rich
    assert any("return x + 1" in "".join(s.text for s in line) for line in ours)
