"""The one place where the firms service is wired together."""

from __future__ import annotations

from pathlib import Path

from firms.entrypoints import api, consumer, listing_api
from lianrong_platform.service import ServiceSpec

SPEC = ServiceSpec(
    name="firms",
    title="链融 firms service",
    description=(
        "SMEs (中小微企业) and chain masters (链主企业): registration, supplie"
        "r links (确权), financing needs (融资需求)."
    ),
    migrations=Path(__file__).parent / "migrations",
    routers=api.routers,
    body_limits={"/v1/recommendation-lists": listing_api.MAX_UPLOAD_BYTES},
    consumes=consumer.TOPICS,
    handlers=consumer.HANDLERS,
)
