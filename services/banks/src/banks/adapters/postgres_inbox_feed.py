"""The officers' live feed: PostgreSQL notifies every change to a match (a trigger on `matches`, fired at commit),
one LISTEN connection per API process receives it, and each open screen gets the changes it may see."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from uuid import UUID

import structlog
from fastapi import FastAPI

from lianrong_platform.listen import listen_forever
from lianrong_platform.settings import ServiceSettings

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Change:
    match_id: UUID
    officer_id: UUID
    bank_id: UUID
    status: str


@dataclass(eq=False)
class Subscription:
    officer_id: UUID | None
    bank_id: UUID | None
    queue: asyncio.Queue[Change]

    def wants(self, change: Change) -> bool:
        if self.officer_id is not None:
            return change.officer_id == self.officer_id
        return change.bank_id == self.bank_id


class InboxFeed:
    QUEUE_LIMIT = 1000  # a screen that stops reading loses its oldest updates, never the process's memory

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()

    def _on_notify(self, payload: str) -> None:
        data = json.loads(payload)
        change = Change(UUID(data["match_id"]), UUID(data["officer_id"]), UUID(data["bank_id"]), data["status"])
        for sub in list(self._subscriptions):
            if sub.wants(change):
                if sub.queue.full():
                    sub.queue.get_nowait()
                sub.queue.put_nowait(change)

    @contextlib.contextmanager
    def subscribe(self, *, officer_id: UUID | None, bank_id: UUID | None) -> Iterator[asyncio.Queue[Change]]:
        sub = Subscription(officer_id, bank_id, asyncio.Queue(self.QUEUE_LIMIT))
        self._subscriptions.add(sub)
        try:
            yield sub.queue
        finally:
            self._subscriptions.discard(sub)

    @asynccontextmanager
    async def listening(self, dsn: str) -> AsyncIterator[None]:
        """LISTEN for the API's lifetime, reconnected when the database restarts or cuts the connection."""
        stop = asyncio.Event()
        task = asyncio.create_task(listen_forever(dsn, "officer_inbox", self._on_notify, stop))
        try:
            yield
        finally:
            stop.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 5)


@asynccontextmanager
async def inbox_feed(app: FastAPI, settings: ServiceSettings) -> AsyncIterator[None]:
    feed = InboxFeed()
    app.state.inbox_feed = feed
    async with feed.listening(settings.database_url):
        yield
