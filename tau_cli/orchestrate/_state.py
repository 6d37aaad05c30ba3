"""Immutable workflow state: typed channels, each folding its writes with a reducer.

A ``StateSchema`` names the channels; each ``Channel`` has a type (checked with
pydantic, strictly, on every write) and a reducer that decides how a write combines
with what is there: ``replace`` (the default), ``append`` (lists grow) or ``merge``
(dicts are updated key by key), or any function ``(old, new) -> value``.

A ``State`` never changes. ``apply`` returns a new one, and reading a value hands out
a copy, so a node cannot reach into the state it was given and edit it behind the
graph's back. ``merge_branches`` folds the writes of parallel branches in the order
it is given (the graph sorts them by node name, so the result does not depend on
which branch finished first); two concurrent writes to one ``replace`` channel are a
conflict, not a race that silently picks a winner.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from tau_cli.orchestrate._errors import StateError

T = TypeVar("T")

Reducer = Callable[[Any, Any], Any]
"""How a write combines with a channel's current value: ``(old, new) -> value``."""

Update = Mapping[str, object]
"""What a node returns: channel name to the value it writes."""


def replace(old: object, new: object) -> object:
    """The new value wins. Concurrent writes to a replace channel are a conflict."""
    return new


def append(old: Sequence[Any], new: Sequence[Any]) -> list[Any]:
    """The new items follow the old ones."""
    return [*old, *new]


def merge(old: Mapping[Any, Any], new: Mapping[Any, Any]) -> dict[Any, Any]:
    """Keys of the new mapping are added, overriding the old ones with the same key."""
    return {**old, **new}


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


_UNSET: Any = _Unset()


class Channel:
    """One named slot of state: its type, its reducer and its starting value.

    Args:
        type_: what the channel holds, any type pydantic understands (``str``,
            ``list[str]``, ``dict[str, float]``, a model...).
        reducer: how writes combine; ``replace`` when not given.
        default: the value before anything writes; without one the channel starts
            empty and reading it is an error until a node writes it.
    """

    def __init__(self, type_: Any, *, reducer: Reducer = replace, default: Any = _UNSET) -> None:
        self.type = type_
        self.reducer = reducer
        self._adapter: TypeAdapter[Any] = TypeAdapter(type_)
        self.default = _UNSET if default is _UNSET else self.validate("<default>", default)

    def validate(self, name: str, value: object, *, strict: bool = True) -> Any:
        """``value`` checked against the channel's type, or a ``StateError`` saying why."""
        try:
            return self._adapter.validate_python(value, strict=strict)
        except ValidationError as exc:
            problems = "; ".join(error["msg"] for error in exc.errors())
            raise StateError(
                f"channel {name!r} holds {_type_name(self.type)}, "
                f"got {type(value).__name__} {value!r:.80}: {problems}"
            ) from None

    def dump(self, value: object) -> Any:
        """The value as plain JSON data, for checkpoints."""
        return self._adapter.dump_python(value, mode="json")


class StateSchema:
    """The channels a graph's state has. Build states from it with ``initial``."""

    def __init__(self, channels: Mapping[str, Channel]) -> None:
        if not channels:
            raise StateError("a state schema needs at least one channel")
        self.channels: dict[str, Channel] = dict(channels)

    def initial(self, values: Update | None = None) -> State:
        """The starting state: every default, then ``values`` written through reducers."""
        start = {
            name: channel.default
            for name, channel in self.channels.items()
            if channel.default is not _UNSET
        }
        state = State(self, start)
        return state.apply(values) if values else state

    def load(self, data: Mapping[str, object]) -> State:
        """A state from ``State.dump`` output (leniently typed, since JSON lost detail)."""
        return State(self, self.load_update(data))

    def check(self, update: Update) -> dict[str, Any]:
        """``update`` with every value checked against its channel, or a ``StateError``."""
        return {name: self._channel(name).validate(name, value) for name, value in update.items()}

    def dump_update(self, update: Update) -> dict[str, Any]:
        """A write as plain JSON data, for checkpoints (checked first)."""
        return {name: self._channel(name).dump(value) for name, value in self.check(update).items()}

    def load_update(self, data: Mapping[str, object]) -> dict[str, Any]:
        """A write back from ``dump_update`` output."""
        return {
            name: self._channel(name).validate(name, value, strict=False)
            for name, value in data.items()
        }

    def _channel(self, name: str) -> Channel:
        try:
            return self.channels[name]
        except KeyError:
            known = ", ".join(self.channels)
            raise StateError(f"there is no channel {name!r} (channels: {known})") from None


class State(Mapping[str, Any]):
    """A snapshot of a workflow's channels. It never changes; ``apply`` makes a new one."""

    __slots__ = ("_schema", "_values")

    def __init__(self, schema: StateSchema, values: Mapping[str, object]) -> None:
        self._schema = schema
        self._values = dict(values)

    @property
    def schema(self) -> StateSchema:
        """The channels this state is made of."""
        return self._schema

    def __getitem__(self, name: str) -> Any:
        if name not in self._values:
            self._schema._channel(name)
            raise KeyError(name)
        return copy.deepcopy(self._values[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, State):
            return NotImplemented
        return self._schema is other._schema and self._values == other._values

    def __repr__(self) -> str:
        return f"State({self._values!r})"

    def apply(self, update: Update | None) -> State:
        """A new state with ``update`` written through each channel's reducer."""
        if not update:
            return self
        values = dict(self._values)
        for name, raw in update.items():
            channel = self._schema._channel(name)
            new = channel.validate(name, copy.deepcopy(raw))
            old = values.get(name, _UNSET)
            folded = new if old is _UNSET else channel.reducer(copy.deepcopy(old), new)
            values[name] = channel.validate(name, folded)
        return State(self._schema, values)

    def merge_branches(self, branches: Sequence[Sequence[Update]]) -> State:
        """Apply the writes of branches that ran side by side from this state.

        Each branch is the list of writes one node made, in its own order; branches
        are applied in the order given (callers sort them, so the result never
        depends on which branch finished first).

        Raises:
            StateError: two branches wrote the same ``replace`` channel.
        """
        writers: dict[str, int] = {}
        for branch in branches:
            for name in {name for update in branch for name in update}:
                writers[name] = writers.get(name, 0) + 1
        for name in self._schema.channels:
            count = writers.get(name, 0)
            if count > 1 and self._schema.channels[name].reducer is replace:
                raise StateError(
                    f"{count} parallel branches wrote channel {name!r}, which keeps only one "
                    "value; give it a reducer such as append or merge, or let one branch write it"
                )
        state = self
        for branch in branches:
            for update in branch:
                state = state.apply(update)
        return state

    def changed(self, before: State) -> list[str]:
        """The channels whose value differs from ``before``, in schema order."""
        return [
            name
            for name in self._schema.channels
            if self._values.get(name, _UNSET) != before._values.get(name, _UNSET)
        ]

    def dump(self) -> dict[str, Any]:
        """Every set channel as plain JSON data (what checkpoints store)."""
        return {
            name: self._schema.channels[name].dump(value) for name, value in self._values.items()
        }


def _type_name(type_: Any) -> str:
    if isinstance(type_, type) and not hasattr(type_, "__origin__"):
        return type_.__name__
    return str(type_)
