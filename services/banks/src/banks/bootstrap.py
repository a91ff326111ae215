"""The one place where the banks service is wired together."""

from __future__ import annotations

from pathlib import Path

from banks.adapters.postgres_inbox_feed import inbox_feed
from banks.entrypoints import api, consumer
from lianrong_platform.service import ServiceSpec

SPEC = ServiceSpec(
    name="banks",
    title="链融 banks service",
    description=(
        "Banks, lead-bank designations (主办行), products, and manufacturing finance officers (制造业金融服务官)."
    ),
    migrations=Path(__file__).parent / "migrations",
    routers=api.routers,
    consumes=consumer.TOPICS,
    handlers=consumer.HANDLERS,
    api_resources=(inbox_feed,),
)
