"""Handlers declared by the event they handle: `@subscriptions.handles(NeedSubmitted)` on a module-level function
`async def f(conn, event: NeedSubmitted, settings: Settings)`. The event's class (its type and version: decoding
always yields the latest version) finds the function; the parameters after the event are its dependencies, given
by name when the service binds its subscriptions; the topics a service consumes follow from what it handles.

The event parameter's annotation is checked against the classes registered for it when the function is declared,
so a handler receives what it says it handles without recovering the type at run time.

`@subscriptions.handles_many(NeedSubmitted)` adds, beside the one-event handler, a function that applies a run of
consecutive events of that type at once (`async def f(conn, events: Sequence[NeedSubmitted], settings)`); it must
have exactly the effects of the one-event handler applied to each event in order (see `Batched`).
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, Union, get_args, get_origin

from contracts import Event
from lianrong_platform.kafka.consumer import Batched, Handler

F = TypeVar("F", bound=Callable[..., Awaitable[None]])


class Subscriptions:
    def __init__(self) -> None:
        self._by_event: dict[type[Event], Callable[..., Awaitable[None]]] = {}
        self._many: dict[type[Event], Callable[..., Awaitable[None]]] = {}

    def handles(self, *events: type[Event]) -> Callable[[F], F]:
        def register(fn: F) -> F:
            accepted = _annotated_events(fn)
            for event in events:
                if not any(issubclass(event, a) for a in accepted):
                    raise TypeError(f"{fn.__qualname__} is declared for {event.__name__} but takes {accepted}")
                if event in self._by_event:
                    raise ValueError(f"{event.__name__} is handled by {self._by_event[event].__qualname__} already")
                self._by_event[event] = fn
            return fn

        return register

    def handles_many(self, *events: type[Event]) -> Callable[[F], F]:
        def register(fn: F) -> F:
            for event in events:
                if event in self._many:
                    raise ValueError(f"{event.__name__} is handled in runs by {self._many[event].__qualname__} already")
                self._many[event] = fn
            return fn

        return register

    @property
    def events(self) -> tuple[type[Event], ...]:
        return tuple(self._by_event)

    @property
    def topics(self) -> tuple[str, ...]:
        """The topics that carry the handled events: what the service's consumer subscribes to."""
        return tuple(sorted({event.topic for event in self._by_event}))

    def bind(self, **dependencies: Any) -> dict[str, Handler]:
        """The consumer's table, event type → handler with its dependencies given."""
        table: dict[str, Handler] = {}
        for event, fn in self._by_event.items():
            one = _given(fn, dependencies)
            many = self._many.get(event)
            table[event.model_fields["type"].default] = Batched(one, _given(many, dependencies)) if many else one
        unpaired = set(self._many) - set(self._by_event)
        if unpaired:
            raise TypeError(f"runs of {', '.join(e.__name__ for e in unpaired)} are handled but single events are not")
        return table


def _given(fn: Callable[..., Awaitable[None]], dependencies: dict[str, Any]) -> Any:
    """The function with the dependencies its parameters after the event name."""
    wanted = list(inspect.signature(fn).parameters)[2:]
    missing = [name for name in wanted if name not in dependencies]
    if missing:
        raise TypeError(f"{fn.__qualname__} needs {', '.join(missing)}")
    given = {name: dependencies[name] for name in wanted}
    return functools.partial(fn, **given) if given else fn


def _annotated_events(fn: Callable[..., Any]) -> tuple[type[Event], ...]:
    """The event classes a handler's second parameter accepts (a class or a union of classes)."""
    name = list(inspect.signature(fn).parameters)[1]
    hint = typing.get_type_hints(fn)[name]
    if get_origin(hint) in (Union, types.UnionType):
        return tuple(get_args(hint))
    return (hint,)
