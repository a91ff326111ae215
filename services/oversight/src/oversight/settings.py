"""The oversight service's own settings (OVERSIGHT_…)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class OversightSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OVERSIGHT_", extra="ignore")

    pseudonym_key: str = Field(
        default="lianrong-local-development-key",
        min_length=16,
        description="Secret for the keyed hashes of firm and need ids; set a real one outside development.",
    )
