"""The one place where the oversight service is wired together."""

from __future__ import annotations

from pathlib import Path

from lianrong_platform.service import ServiceSpec
from oversight.entrypoints import api, consumer
from oversight.settings import OversightSettings

SETTINGS = OversightSettings()

SPEC = ServiceSpec(
    name="oversight",
    title="链融 oversight service",
    description=(
        "The PBOC Dongguan branch's view (中国人民银行东莞市分行): flows by chain, town, bank, size class and week, "
        "and each chain's lead bank, after disclosure control. " + api.RULE.splitlines()[0]
    ),
    migrations=Path(__file__).parent / "migrations",
    routers=api.routers,
    consumes=consumer.TOPICS,
    handlers=consumer.build_handlers(SETTINGS),
)
