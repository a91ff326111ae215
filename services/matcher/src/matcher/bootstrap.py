"""The one place where the matcher service is wired together."""

from __future__ import annotations

from pathlib import Path

from lianrong_platform.service import ServiceSpec
from matcher.entrypoints import api, consumer

SPEC = ServiceSpec(
    name="matcher",
    title="链融 matcher service",
    description=("Pairs each financing need with the chain's lead bank first, an eligible product and an officer."),
    migrations=Path(__file__).parent / "migrations",
    routers=api.routers,
    consumes=consumer.TOPICS,
    handlers=consumer.HANDLERS,
)
