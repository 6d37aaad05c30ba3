"""The small expression language of workflow files: conditions and ``{{ }}`` templates.

A workflow file decides where to go next with conditions such as
``'APPROVED' in verdict and len(drafts) < 4`` and fills prompts with
``{{ drafts[-1] }}``. Both are parsed with Python's own parser into a syntax tree
and then interpreted here, node by node, from a short allow-list: literals, state
channel names, ``and``/``or``/``not``, ``a if test else b``, comparisons
(``== != < <= > >= in not in``), ``+``/``-``, indexing with ``[]``, and calls of a
few named functions (``len``, ``lower``, ``upper``, ``strip``, ``startswith``,
``endswith``, ``int``, ``str``).
Nothing is ever handed to ``eval``: there are no attributes, no imports, no
lambdas, no loops, so a file cannot reach anything but the run's state.

Names are checked when the file is compiled (``names``), so a typo in a condition
is an error with a line number before anything runs, not a surprise at step nine.
"""

from __future__ import annotations

import ast
import json
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tau_cli.core import TauError

MAX_LENGTH = 1000
"""The longest expression accepted; conditions are meant to be read at a glance."""


class ExpressionError(TauError):
    """An expression cannot be parsed, names something unknown, or fails on the state."""


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ExpressionError(f"expected text, got {type(value).__name__} {value!r:.40}")
    return value


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "lower": lambda s: _text(s).lower(),
    "upper": lambda s: _text(s).upper(),
    "strip": lambda s: _text(s).strip(),
    "startswith": lambda s, prefix: _text(s).startswith(_text(prefix)),
    "endswith": lambda s, suffix: _text(s).endswith(_text(suffix)),
    "int": int,
    "str": str,
}
"""The functions an expression may call, by name."""

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
}
_CONSTANTS = {"true": True, "false": False, "null": None}
"""YAML's spellings, so ``done == true`` reads as it would in the file around it."""


@dataclass(frozen=True)
class Expression:
    """A parsed expression; ``evaluate`` it against a run's state."""

    source: str
    names: frozenset[str]
    """The state channels it reads."""
    _tree: ast.expr

    @classmethod
    def parse(cls, source: str) -> Expression:
        """Parse ``source``, or raise ``ExpressionError`` saying what is not allowed."""
        text = source.strip()
        if not text:
            raise ExpressionError("the expression is empty")
        if len(text) > MAX_LENGTH:
            raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
        try:
            tree = ast.parse(text, mode="eval").body
        except SyntaxError as exc:
            raise ExpressionError(f"cannot read {text!r}: {exc.msg}") from None
        names: set[str] = set()
        _check(tree, names)
        return cls(text, frozenset(names), tree)

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        """The value of the expression, reading channels from ``values``.

        Raises:
            ExpressionError: a channel has no value yet, or an operation does not fit
                the values (comparing text with a number, an index out of range...).
        """
        try:
            return _evaluate(self._tree, values)
        except ExpressionError as exc:
            raise ExpressionError(f"{self.source!r}: {exc}") from None
        except (TypeError, ValueError, IndexError, KeyError, ZeroDivisionError) as exc:
            raise ExpressionError(f"{self.source!r}: {type(exc).__name__}: {exc}") from None


def _check(node: ast.AST, names: set[str]) -> None:
    """Refuse anything outside the allow-list, and collect the channel names."""
    match node:
        case ast.Constant(value=value) if isinstance(value, str | int | float | bool | None):
            return
        case ast.Name(id=name):
            if name not in _CONSTANTS:
                names.add(name)
            return
        case ast.BoolOp(values=values):
            for value in values:
                _check(value, names)
            return
        case ast.UnaryOp(op=ast.Not() | ast.USub(), operand=operand):
            _check(operand, names)
            return
        case ast.BinOp(op=op, left=left, right=right) if type(op) in _BINARY:
            _check(left, names)
            _check(right, names)
            return
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            if all(type(op) in _COMPARE for op in ops):
                for part in (left, *comparators):
                    _check(part, names)
                return
        case ast.Subscript(value=value, slice=index) if not isinstance(index, ast.Slice):
            _check(value, names)
            _check(index, names)
            return
        case ast.Call(func=ast.Name(id=function), args=args, keywords=[]):
            if function not in FUNCTIONS:
                known = ", ".join(FUNCTIONS)
                raise ExpressionError(f"there is no function {function!r} (functions: {known})")
            for arg in args:
                if isinstance(arg, ast.Starred):
                    break
                _check(arg, names)
            else:
                return
        case ast.IfExp(test=test, body=body, orelse=orelse):
            for part in (test, body, orelse):
                _check(part, names)
            return
        case ast.List(elts=items) | ast.Tuple(elts=items):
            for item in items:
                _check(item, names)
            return
    raise ExpressionError(f"{ast.unparse(node)!r} is not allowed in a workflow expression")


def _evaluate(node: ast.AST, values: Mapping[str, Any]) -> Any:
    match node:
        case ast.Constant(value=value):
            return value
        case ast.Name(id=name):
            if name in _CONSTANTS:
                return _CONSTANTS[name]
            try:
                return values[name]
            except KeyError:
                raise ExpressionError(f"channel {name!r} has no value yet") from None
        case ast.BoolOp(op=ast.And(), values=parts):
            result: Any = True
            for part in parts:
                result = _evaluate(part, values)
                if not result:
                    return result
            return result
        case ast.BoolOp(values=parts):
            result = False
            for part in parts:
                result = _evaluate(part, values)
                if result:
                    return result
            return result
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return not _evaluate(operand, values)
        case ast.UnaryOp(operand=operand):
            return -_evaluate(operand, values)
        case ast.BinOp(op=op, left=left, right=right):
            return _BINARY[type(op)](_evaluate(left, values), _evaluate(right, values))
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            current = _evaluate(left, values)
            for test, comparator in zip(ops, comparators, strict=True):
                following = _evaluate(comparator, values)
                if not _COMPARE[type(test)](current, following):
                    return False
                current = following
            return True
        case ast.Subscript(value=value, slice=index):
            return _evaluate(value, values)[_evaluate(index, values)]
        case ast.Call(func=ast.Name(id=function), args=args):
            return FUNCTIONS[function](*(_evaluate(arg, values) for arg in args))
        case ast.IfExp(test=test, body=body, orelse=orelse):
            return _evaluate(body if _evaluate(test, values) else orelse, values)
        case ast.List(elts=items) | ast.Tuple(elts=items):
            return [_evaluate(item, values) for item in items]
    raise ExpressionError(f"{ast.unparse(node)!r} cannot be evaluated")  # _check refused it


_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


@dataclass(frozen=True)
class Template:
    """Text with ``{{ expression }}`` placeholders, filled from a run's state.

    Text fills in as it is, numbers and booleans as written, lists and mappings as
    JSON. Single braces are left alone, so prompts can show code and JSON freely.
    """

    source: str
    parts: tuple[str | Expression, ...]

    @classmethod
    def parse(cls, source: str) -> Template:
        parts: list[str | Expression] = []
        position = 0
        for match in _PLACEHOLDER.finditer(source):
            parts.append(source[position : match.start()])
            parts.append(Expression.parse(match.group(1)))
            position = match.end()
        parts.append(source[position:])
        return cls(source, tuple(part for part in parts if part != ""))

    @property
    def names(self) -> frozenset[str]:
        """The state channels its placeholders read."""
        found: set[str] = set()
        for part in self.parts:
            if isinstance(part, Expression):
                found |= part.names
        return frozenset(found)

    def render(
        self, values: Mapping[str, Any], *, quote: Callable[[str], str] | None = None
    ) -> str:
        """The text with every placeholder filled; ``quote`` wraps each filled value
        (``shlex.quote`` for shell commands, so state can never inject syntax)."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            text = as_text(part.evaluate(values))
            out.append(quote(text) if quote is not None else text)
        return "".join(out)


def as_text(value: object) -> str:
    """How a state value reads in a prompt or a command."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
