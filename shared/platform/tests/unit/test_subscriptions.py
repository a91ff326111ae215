"""Handlers declared by the event they handle: the table, the topics and the dependencies follow from the
declarations, and a declaration that does not fit its function is refused when the module loads."""

from __future__ import annotations

import pytest

from contracts import firms, matcher
from lianrong_platform.db import Connection
from lianrong_platform.kafka.subscriptions import Subscriptions


def test_the_table_the_topics_and_the_dependencies_follow_from_the_declarations() -> None:
    subs = Subscriptions()
    seen: list[tuple[str, object]] = []

    @subs.handles(firms.NeedSubmitted)
    async def submitted(conn: Connection, event: firms.NeedSubmitted, settings: object) -> None:
        seen.append((event.type, settings))

    @subs.handles(matcher.MatchExpired, matcher.MatchDecisionOverdue)
    async def closed(conn: Connection, event: matcher.MatchExpired | matcher.MatchDecisionOverdue) -> None:
        seen.append((event.type, None))

    assert subs.topics == ("firms.need-events", "matcher.match-events")
    table = subs.bind(settings="the settings")
    assert set(table) == {"firms.NeedSubmitted", "matcher.MatchExpired", "matcher.MatchDecisionOverdue"}
    with pytest.raises(TypeError, match="needs settings"):
        subs.bind()


def test_a_declaration_that_does_not_fit_its_function_is_refused() -> None:
    subs = Subscriptions()
    with pytest.raises(TypeError, match="declared for NeedWithdrawn"):

        @subs.handles(firms.NeedWithdrawn)
        async def wrong(conn: Connection, event: firms.NeedSubmitted) -> None: ...

    @subs.handles(firms.NeedSubmitted)
    async def first(conn: Connection, event: firms.NeedSubmitted) -> None: ...

    with pytest.raises(ValueError, match="handled by"):

        @subs.handles(firms.NeedSubmitted)
        async def second(conn: Connection, event: firms.NeedSubmitted) -> None: ...
