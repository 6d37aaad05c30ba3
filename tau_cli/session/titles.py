"""Session titles derived from the first prompt, until the model suggests a better one."""

from __future__ import annotations

TITLE_LENGTH = 60


def title_from_prompt(prompt: str, limit: int = TITLE_LENGTH) -> str:
    """The prompt's first non-empty line, whitespace collapsed, cut at a word boundary.

    Lists show one line per session, so the title must fit one line and still say
    what the session was about.
    """
    line = next((ln for ln in prompt.splitlines() if ln.strip()), "")
    words = " ".join(line.split())
    if len(words) <= limit:
        return words
    cut = words[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"
