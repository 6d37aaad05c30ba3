"""References written from the code, so they cannot drift from it.

- ``docs/reference/cli.md`` from the typer app: every command, argument and option with
  its help text, as ``tau --help`` shows them.
- ``docs/reference/hooks.md`` from the runtime: every hook event the settings accept,
  the JSON each one receives on stdin (read from the calls that fire it), and the JSON
  fields ``tau_cli/runtime/hooks.py`` reads back from stdout.

The prose that explains each hook field lives here, in ``FIELD_NOTES``; rendering fails
when the code sends or reads a field that has no note, or a note names a field the code
no longer has, so the explanation cannot fall behind either.

Regenerate both with ``python -m tests.docs.references --write``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Any, get_args

ROOT = Path(__file__).resolve().parents[2]
CLI_REFERENCE = ROOT / "docs" / "reference" / "cli.md"
HOOKS_REFERENCE = ROOT / "docs" / "reference" / "hooks.md"
_REGENERATE = "python -m tests.docs.references --write"

# -- CLI ---------------------------------------------------------------------------------


def render_cli() -> str:
    """The CLI reference: one section per command, in the order ``--help`` lists them."""
    import typer.main

    from tau_cli.cli.app import app

    root = typer.main.get_command(app)
    lines = [
        "# Command-line reference",
        "",
        "Generated from the command-line app (`tau_cli/cli/app.py`); do not edit by hand.",
        f"Regenerate with `{_REGENERATE}`.",
        "",
    ]
    context = typer.Context(root, info_name="tau")
    for path, command, where in _walk(root, context, ["tau"]):
        lines.extend(_command_section(path, command, where))
    return "\n".join(lines).rstrip() + "\n"


# typer builds on its own copy of click, so commands are recognised by shape, not class.


def _is_group(command: Any) -> bool:
    return hasattr(command, "list_commands")


def _walk(command: Any, context: Any, path: list[str]) -> list[tuple[list[str], Any, Any]]:
    import typer

    found = [(path, command, context)]
    if _is_group(command):
        for name in command.list_commands(context):
            child = command.get_command(context, name)
            if child is None or child.hidden:
                continue
            found.extend(
                _walk(child, typer.Context(child, parent=context, info_name=name), [*path, name])
            )
    return found


def _command_section(path: list[str], command: Any, context: Any) -> list[str]:
    title = " ".join(path)
    params = [p for p in command.params if not getattr(p, "hidden", False)]
    arguments = [p for p in params if p.param_type_name == "argument"]
    options = [p for p in params if p.param_type_name == "option"]
    usage = [title, *(["[OPTIONS]"] if options else [])]
    for argument in arguments:
        usage.extend(argument.get_usage_pieces(context))
    if _is_group(command):
        usage.append("COMMAND [ARGS]...")
    summary = (command.help or "").strip().split("\n\n")[0]
    lines = [f"## `{title}`", "", summary, "", "```", " ".join(usage), "```", ""]
    rows = []
    for param in [*arguments, *options]:
        record = param.get_help_record(context)
        if record is None:
            continue
        names, help_text = record
        rows.append(f"| `{names}` | {_cell(help_text)} |")
    if rows:
        lines += ["| argument or option | meaning |", "|---|---|", *rows, ""]
    return lines


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


# -- hooks -------------------------------------------------------------------------------

RUNTIME = ROOT / "tau_cli" / "runtime"

FIELD_NOTES: dict[str, str] = {
    # sent to every hook
    "session_id": "The session's id.",
    "cwd": "The project folder (also in `TAU_PROJECT_DIR` and `CLAUDE_PROJECT_DIR`).",
    "hook_event_name": "The event's name, e.g. `PreToolUse`.",
    # sent to some
    "prompt": "What the user submitted.",
    "stop_hook_active": "True when this turn already went on once because a Stop hook blocked.",
    "trigger": "`auto`: the context passed the compaction threshold; `manual`: `/compact`.",
    "custom_instructions": "With `/compact FOCUS`: what the summary should keep.",
    "tool_name": "tau's tool name (`bash`, `edit`, `mcp__server__tool`...).",
    "tool_input": "The call's arguments as the model sent them.",
    "tool_use_id": "The tool call's id.",
    "tool_response": "The result: `text` and `is_error`.",
    "source": "`startup` for a new session, `resume` for one that already has messages.",
    "agent": "The subagent's name.",
    "reason": (
        "SubagentStop: why the subagent's turn ended (`completed`, `max_iterations`, "
        "`error`...). SessionEnd: `exit` (tau closed), `clear` (a new session) or `resume` "
        "(another session took over)."
    ),
    "message": "What tau is waiting for.",
    # read back from stdout
    "decision": (
        "`block` blocks: a PreToolUse call is denied, a UserPromptSubmit prompt is dropped, a "
        "Stop hook makes the turn go on with `reason` as the next message, a PostToolUse "
        "hook's `reason` is appended to the tool result. `approve` is PreToolUse's `allow`."
    ),
    "stdout.reason": "Why the action was blocked or denied; the model sees it.",
    "hookSpecificOutput.permissionDecision": (
        "PreToolUse: `deny` refuses the call; `allow` runs it without asking unless a deny or "
        "ask rule applies (a hook never overrides those); `ask` asks the user even where a rule "
        "or the mode would allow (a deny rule still denies)."
    ),
    "hookSpecificOutput.permissionDecisionReason": (
        "PreToolUse: the reason given with the decision."
    ),
    "hookSpecificOutput.additionalContext": (
        "UserPromptSubmit and SessionStart: added to the model's context with the prompt; "
        "PostToolUse: appended to the tool result."
    ),
    "continue": (
        "`false` ends the turn (`stopped_by_hook`); honoured after UserPromptSubmit and "
        "PostToolUse."
    ),
    "stopReason": "With `continue: false`: shown to the user as why the turn stopped.",
    "systemMessage": "Shown to the user as a notice; the model does not see it.",
}


def _names_hooks(node: ast.expr) -> bool:
    """``hooks``, ``self.hooks``, ``self.factory.hooks``: what a ``HookRunner`` is called."""
    if isinstance(node, ast.Attribute):
        return node.attr == "hooks"
    return isinstance(node, ast.Name) and node.id == "hooks"


def fired_events() -> dict[str, dict[str, list[str]]]:
    """Each event fired somewhere in the runtime, with the payload keys of each call site."""
    found: dict[str, dict[str, list[str]]] = {}
    for module in sorted(RUNTIME.glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "run"
                and _names_hooks(node.func.value)
                and len(node.args) >= 2
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[1], ast.Dict)
            ):
                continue
            keys = [k.value for k in node.args[1].keys if isinstance(k, ast.Constant)]
            site = f"{module.relative_to(ROOT).as_posix()}"
            found.setdefault(str(node.args[0].value), {})[site] = [str(k) for k in keys]
    return found


def common_keys() -> list[str]:
    """The keys ``HookRunner.run`` adds to every payload (the ``full = {...}`` dict)."""
    tree = ast.parse((RUNTIME / "hooks.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "full" for t in node.targets)
            and isinstance(node.value, ast.Dict)
        ):
            return [k.value for k in node.value.keys if isinstance(k, ast.Constant)]
    raise AssertionError("HookRunner.run no longer builds its payload as `full = {...}`")


def stdout_fields() -> list[str]:
    """The JSON fields ``_parse_stdout`` reads: ``data.get(...)`` and ``specific.get(...)``."""
    tree = ast.parse((RUNTIME / "hooks.py").read_text(encoding="utf-8"))
    parse = next(
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "_parse_stdout"
    )
    fields: list[str] = []
    for node in ast.walk(parse):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in ("data", "specific")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            key = str(node.args[0].value)
            name = f"hookSpecificOutput.{key}" if node.func.value.id == "specific" else key
            if name != "hookSpecificOutput" and name not in fields:
                fields.append(name)
    return fields


def _note(field: str) -> str:
    if field not in FIELD_NOTES:
        raise AssertionError(f"hook field {field!r} has no note in FIELD_NOTES; describe it")
    return FIELD_NOTES[field]


def _stdout_key(field: str) -> str:
    # ``reason`` is also a stdin field (SubagentStop) with another meaning.
    return "stdout.reason" if field == "reason" else field


def _stdout_order(field: str) -> int:
    order = list(FIELD_NOTES)
    key = _stdout_key(field)
    return order.index(key) if key in order else len(order)


def render_hooks() -> str:
    """The hooks reference."""
    from tau_cli.runtime.settings import HookEvent

    events = list(get_args(HookEvent))
    fired = fired_events()
    common = common_keys()
    readable = stdout_fields()
    used = set(common) | {k for sites in fired.values() for ks in sites.values() for k in ks}
    stale = set(FIELD_NOTES) - used - set(readable) - {"stdout.reason"}
    if stale:
        raise AssertionError(
            f"FIELD_NOTES describes fields the code no longer has: {sorted(stale)}"
        )
    lines = [
        "# Hooks reference",
        "",
        "Generated from the runtime (`tau_cli/runtime/hooks.py` and the places that fire each",
        f"event); do not edit by hand. Regenerate with `{_REGENERATE}`. The",
        "[hooks guide](../hooks.md) shows how to write one.",
        "",
        "A hook is a shell command configured under `hooks:` in settings. It receives the",
        "event as one JSON object on stdin, runs in the project folder with an allow-listed",
        "environment, and answers with its exit code and, optionally, JSON on stdout:",
        "",
        "| exit code | means |",
        "|---|---|",
        "| 0 | success; stdout may hold a JSON answer (below). For `UserPromptSubmit` and "
        "`SessionStart`, plain text on stdout is added to the model's context |",
        "| 2 | block: stderr is the reason, shown to the model (for `PreToolUse`: the call is "
        "denied) |",
        "| other, or a timeout | the hook failed: the action goes on (fail open) unless the hook "
        "has `on_failure: block` |",
        "",
        "Hooks matching one event run concurrently; their answers combine: deny beats ask beats",
        "allow, any block blocks, context and messages accumulate.",
        "",
        "## Fields every event receives",
        "",
        "| field | meaning |",
        "|---|---|",
        *(f"| `{k}` | {_note(k)} |" for k in common),
        "",
        "## Events",
        "",
    ]
    for event in events:
        lines += [f"### {event}", ""]
        sites = fired.get(event)
        if not sites:
            lines += [
                "Accepted in settings, but nothing in this version of tau fires it yet.",
                "",
            ]
            continue
        keys: list[str] = []
        for site_keys in sites.values():
            keys += [k for k in site_keys if k not in keys]
        where = ", ".join(f"`{s}`" for s in sorted(sites))
        tool = " The matcher is compared with the tool's name." if "tool_name" in keys else ""
        lines += [f"Fired from {where}.{tool}", "", "| stdin field | meaning |", "|---|---|"]
        lines += [f"| `{k}` | {_note(k)} |" for k in keys]
        lines.append("")
    lines += [
        "## What a hook may print on stdout",
        "",
        "One JSON object; every field is optional.",
        "",
        "| stdout field | meaning |",
        "|---|---|",
    ]
    for field in sorted(readable, key=_stdout_order):
        lines.append(f"| `{field}` | {_note(_stdout_key(field))} |")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    references = {CLI_REFERENCE: render_cli, HOOKS_REFERENCE: render_hooks}
    if argv[1:] == ["--write"]:
        for path, render in references.items():
            path.write_text(render(), encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    for render in references.values():
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
