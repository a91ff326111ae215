"""The one place where the notifier service is wired together."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lianrong_platform.service import ServiceSpec
from lianrong_platform.settings import ServiceSettings
from notifier.entrypoints import api, consumer
from notifier.reminders import reminder_sweep
from notifier.sender import run_sender
from notifier.settings import NotifierSettings

SETTINGS = NotifierSettings()


async def sender(settings: ServiceSettings, stop: asyncio.Event) -> None:
    await run_sender(settings.database_url, NotifierSettings(), stop)


SPEC = ServiceSpec(
    name="notifier",
    title="链融 notifier service",
    description=(
        "Tells people what happened, in Chinese: the SME when its need is matched, contacted, approved, declined, "
        "escalated or taken up by the task force; the officer of a new match and before its deadline; the task "
        "force of a need listed in its towns; a bank's admins when a chain has nobody on duty. By the portal's "
        "list, and by e-mail and SMS for those who chose them, outside their quiet hours."
    ),
    migrations=Path(__file__).parent / "migrations",
    routers=api.routers,
    consumes=consumer.TOPICS,
    handlers=consumer.build_handlers(SETTINGS),
    consumer_tasks=(reminder_sweep(SETTINGS),),
    workers={"sender": sender},
    publishes=False,
)
