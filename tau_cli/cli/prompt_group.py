"""``tau "fix the bug"``: a prompt where a subcommand could stand.

Click reads the first word after the options as a subcommand's name. This group
reads it as the start of a prompt when no subcommand has that name, so
``tau "fix the bug"`` opens the chat and sends it while ``tau run ...`` still runs.
A lone word that is one letter off a command (``tau modles``) is a typo, not a
prompt: it gets click's usage error with a suggestion rather than a model call.
"""

from __future__ import annotations

import difflib
import re

# typer carries its own copy of click; its errors are the ones typer reports cleanly.
from typer._click.core import Context
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

PROMPT_KEY = "tau.prompt"
"""Where the prompt is left in ``ctx.meta`` for the main callback."""

PICK = ""
"""``--resume`` given without an id: the chat opens with the session picker."""

_SESSION_ID = re.compile(r"[0-9a-f][0-9a-f-]{5,}")


def _resume_without_id(args: list[str], commands: set[str]) -> list[str]:
    """``tau --resume`` may stand without its id (click insists on a value): when the next
    word is not a session id, the option is given the empty id, which means "pick one".
    Only the main command's own options are read: a subcommand's are its own business."""
    out: list[str] = []
    for i, arg in enumerate(args):
        if arg == "--" or arg in commands:
            return out + args[i:]
        following = args[i + 1] if i + 1 < len(args) else None
        if arg in ("--resume", "-r") and (
            following is None or not _SESSION_ID.fullmatch(following)
        ):
            out.append(f"--resume={PICK}")
        else:
            out.append(arg)
    return out


class PromptGroup(TyperGroup):
    """A typer group whose first non-command word starts a prompt."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, _resume_without_id(args, set(self.list_commands(ctx))))
        protected = ctx._protected_args
        if not protected or self.get_command(ctx, protected[0]) is not None:
            return rest
        words = [*protected, *ctx.args]
        late = next((w for w in words[1:] if w.startswith("-")), None)
        if late is not None:
            raise UsageError(f"options go before the prompt: tau {late} ... {words[0]!r}", ctx=ctx)
        prompt = " ".join(words)
        if not prompt.strip():
            raise UsageError("the prompt is empty", ctx=ctx)
        if len(words) == 1 and " " not in prompt:
            close = difflib.get_close_matches(prompt, self.list_commands(ctx), n=1, cutoff=0.75)
            if close:
                raise UsageError(
                    f"no command {prompt!r}; did you mean {close[0]!r}? "
                    "(To send one word to the model, run: tau chat, then type it.)",
                    ctx=ctx,
                )
        ctx._protected_args, ctx.args = [], []
        ctx.meta[PROMPT_KEY] = prompt
        return []

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        return ["[OPTIONS]", "[PROMPT | COMMAND [ARGS]...]"]
