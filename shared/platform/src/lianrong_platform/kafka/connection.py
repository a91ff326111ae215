"""How every Kafka client of a process reaches the cluster: the security settings, read once from the environment.

    KAFKA_SECURITY_PROTOCOL   PLAINTEXT (default) | SSL | SASL_PLAINTEXT | SASL_SSL
    KAFKA_SASL_MECHANISM      PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512 (default)
    KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD   the password may be a file of that name in LIANRONG_SECRETS_DIR
    KAFKA_SSL_CAFILE          the cluster's CA (system CAs when unset)
    KAFKA_SSL_CERTFILE, KAFKA_SSL_KEYFILE      a client certificate, for brokers that ask for one (mTLS)
    KAFKA_COMPRESSION_TYPE    none (default) | gzip | lz4 | zstd, for what this process produces. Every reader
                              needs the codec: Java clients and librdkafka have them all; a Python aiokafka reader
                              needs `aiokafka[lz4]` or `aiokafka[zstd]` (gzip needs nothing), so turn it on only when
                              every bank's consumer can read it.

Producers, consumers and the admin client take `client_options()`, so a cluster that needs TLS or SASL is a matter
of settings, not code.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any, Literal

from aiokafka.helpers import create_ssl_context
from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaConnection(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore")

    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    compression_type: Literal["none", "gzip", "lz4", "zstd"] = "none"

    @model_validator(mode="after")
    def _complete(self) -> KafkaConnection:
        if self.security_protocol.startswith("SASL") and not (self.sasl_username and self.sasl_password):
            protocol = self.security_protocol
            raise ValueError(f"KAFKA_SECURITY_PROTOCOL={protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")
        if bool(self.ssl_certfile) != bool(self.ssl_keyfile):
            raise ValueError("a client certificate needs both KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE")
        return self

    def client_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"security_protocol": self.security_protocol}
        if self.security_protocol.endswith("SSL"):
            options["ssl_context"] = create_ssl_context(
                cafile=str(self.ssl_cafile) if self.ssl_cafile else None,
                certfile=str(self.ssl_certfile) if self.ssl_certfile else None,
                keyfile=str(self.ssl_keyfile) if self.ssl_keyfile else None,
            )
        if self.security_protocol.startswith("SASL"):
            assert self.sasl_password is not None  # checked above
            options |= {
                "sasl_mechanism": self.sasl_mechanism,
                "sasl_plain_username": self.sasl_username,
                "sasl_plain_password": self.sasl_password.get_secret_value(),
            }
        return options


@cache
def compression() -> str | None:
    """The codec this process's producers use (None: uncompressed)."""
    chosen = KafkaConnection(_secrets_dir=os.environ.get("LIANRONG_SECRETS_DIR") or None).compression_type
    return None if chosen == "none" else chosen


@cache
def client_options() -> dict[str, Any]:
    """The options of this process's Kafka clients (settings read once)."""
    return KafkaConnection(_secrets_dir=os.environ.get("LIANRONG_SECRETS_DIR") or None).client_options()
