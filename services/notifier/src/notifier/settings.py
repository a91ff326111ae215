"""The notifier's own settings (NOTIFIER_…): where e-mail and SMS go, and how it retries."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class NotifierSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", extra="ignore")

    smtp_host: str = Field(default="", description="The SMTP server that sends e-mail; empty: no e-mail channel.")
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password_file: Path | None = None
    mail_from: str = "链融 Lianrong <notify@lianrong.local>"
    sms_url: str = Field(default="", description="The SMS provider's API base URL; empty: no SMS channel.")
    sms_api_key_file: Path | None = None
    sms_sign: str = "链融"
    send_timeout_seconds: float = 10.0
    batch: int = 50
    retry_base_seconds: float = 2.0
    retry_max_seconds: float = 900.0
    max_attempts: int = Field(default=30, description="After this many failures a delivery is marked failed.")
    reminder_before_seconds: int = Field(
        default=1800,
        description="An officer is reminded this long before a proposal's answer is due (at most halfway through "
        "the time given).",
    )
    stale_after_seconds: int = Field(
        default=86400,
        description="Events older than this (a rebuilt consumer reading history) reach the portal's list, but send "
        "no e-mail or SMS.",
    )

    def channels(self) -> tuple[str, ...]:
        """The channels this installation can send by, beside the portal's list."""
        return tuple(c for c, on in (("email", bool(self.smtp_host)), ("sms", bool(self.sms_url))) if on)
