"""Service settings from the environment.

Each service reads its own variables with its name as prefix (`FIRMS_DATABASE_URL`, `FIRMS_HTTP_PORT`, …); what all
services share (the Kafka bootstrap servers, the token public key) has one unprefixed name. A secret may instead be a
file of that name in LIANRONG_SECRETS_DIR (a mounted Docker secret or Kubernetes Secret), so it never shows in the
process's environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from lianrong_platform.runtime import DEFAULT_GC_THRESHOLD


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    service: str = "lianrong"
    database_url: str = Field(description="PostgreSQL DSN of this service's own database.")
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:29092", validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS")
    )
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_format: Literal["auto", "json", "console"] = Field(default="auto", validation_alias=AliasChoices("LOG_FORMAT"))
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("LOG_LEVEL"))
    jwt_public_key_file: Path = Field(
        default=Path(".state/keys/jwt-public.pem"), validation_alias=AliasChoices("JWT_PUBLIC_KEY_FILE")
    )
    jwt_issuer: str = Field(default="lianrong", validation_alias=AliasChoices("JWT_ISSUER"))
    jwt_audience: str = Field(default="lianrong", validation_alias=AliasChoices("JWT_AUDIENCE"))
    db_pool_min: int = 1
    db_pool_max: int = 10
    max_body_bytes: int = 64 * 1024
    relay_batch_size: int = 500
    gc_threshold: int = Field(
        default=DEFAULT_GC_THRESHOLD,
        ge=0,
        description="Allocations between garbage collections (runtime.py); 0 keeps CPython's default of 700.",
    )
    outbox_retention_hours: float = Field(
        default=168,
        ge=0,
        description="Published outbox rows are kept this long for an operator to look at (the events themselves are "
        "on Kafka); 0 deletes each row once the broker has acknowledged its event.",
    )
    consumer_max_attempts: int = Field(default=3, ge=1)
    inbox_retention_days: int = Field(
        default=30, ge=8, description="Applied event ids are kept this long (> Kafka's 7 days)."
    )
    consumer_group: str | None = Field(default=None, description="Defaults to the service name.")

    @classmethod
    def load(cls, service: str) -> ServiceSettings:
        """Read the service's settings from variables prefixed with its name (FIRMS_…)."""
        secrets_dir = os.environ.get("LIANRONG_SECRETS_DIR") or None
        return cls(service=service, _env_prefix=f"{service.upper()}_", _secrets_dir=secrets_dir)
