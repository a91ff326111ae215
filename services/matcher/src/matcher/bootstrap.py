"""The one place where the matcher service is wired together."""

from __future__ import annotations

from pathlib import Path

from lianrong_platform.service import ServiceSpec
from matcher.entrypoints import api, consumer
from matcher.settings import MatcherSettings
from matcher.sweep import deadline_sweep

SETTINGS = MatcherSettings()

SPEC = ServiceSpec(
    name="matcher",
    title="链融 matcher service",
    description=(
        "Pairs each financing need with the chain's lead bank first, an eligible product and an officer; "
        "re-routes when an officer does not answer in time."
    ),
    migrations=Path(__file__).parent / "migrations",
    routers=api.routers,
    consumes=consumer.TOPICS,
    handlers=consumer.build_handlers(SETTINGS),
    consumer_tasks=(deadline_sweep(SETTINGS),),
)
