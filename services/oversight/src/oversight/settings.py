"""The oversight service's own settings (OVERSIGHT_…)."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


@functools.cache
def _read(path: Path) -> str:
    return path.read_text().strip()


class OversightSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OVERSIGHT_", extra="ignore")

    pseudonym_key: str = Field(
        default="",
        description="Secret for the keyed hashes of firm and need ids, generated per installation (make run writes "
        "one to .state/keys/oversight-pseudonym.key); the consumer refuses to start without one of 32+ characters.",
    )
    pseudonym_key_file: Path | None = Field(default=None, description="Where the key is kept, instead of the value.")

    def key(self) -> str:
        """The installation's secret; without it the ids could be re-identified by anyone who reads the code."""
        key = self.pseudonym_key or (_read(self.pseudonym_key_file) if self.pseudonym_key_file else "")
        if len(key) < 32:
            raise SystemExit(
                "oversight: set OVERSIGHT_PSEUDONYM_KEY or OVERSIGHT_PSEUDONYM_KEY_FILE to a secret of 32+ characters "
                "generated for this installation (e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return key
