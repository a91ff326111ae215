"""The banks service's own settings (BANKS_…): webhook delivery and service-account tokens."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BanksSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BANKS_", extra="ignore")

    webhook_retry_base_seconds: float = Field(default=5.0, gt=0, description="The first retry's wait; it doubles.")
    webhook_retry_max_seconds: float = Field(default=3600.0, gt=0, description="The longest wait between tries.")
    webhook_disable_after_seconds: float = Field(
        default=5 * 86400, gt=0, description="An endpoint failing without a success this long is disabled."
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, description="How long one delivery may take.")
    webhook_batch: int = Field(default=50, ge=1, le=1000)
    service_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    jwt_private_key_file: Path | None = Field(
        default=None, description="The issuer key for service-account tokens; without it no token is issued."
    )
