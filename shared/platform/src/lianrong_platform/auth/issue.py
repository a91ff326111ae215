"""Issues tokens with the private key. Used for demo identities and tests; production tokens come from the
identity provider, which signs with its own key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lianrong_platform.auth.principal import Principal, Role


def generate_key_pair() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as (private PEM, public PEM)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def ensure_key_pair(directory: Path) -> tuple[Path, Path]:
    private, public = directory / "jwt-private.pem", directory / "jwt-public.pem"
    if not private.exists() or not public.exists():
        directory.mkdir(parents=True, exist_ok=True)
        priv_pem, pub_pem = generate_key_pair()
        private.write_bytes(priv_pem)
        private.chmod(0o600)
        public.write_bytes(pub_pem)
    return private, public


class TokenIssuer:
    def __init__(self, private_key_pem: bytes, *, issuer: str = "lianrong", audience: str = "lianrong") -> None:
        self._key = private_key_pem
        self._issuer = issuer
        self._audience = audience

    def issue(
        self,
        role: Role | str,
        subject: str,
        *,
        firm_id: UUID | None = None,
        bank_id: UUID | None = None,
        officer_id: UUID | None = None,
        towns: tuple[str, ...] | None = None,
        ttl: timedelta = timedelta(hours=8),
    ) -> str:
        principal = Principal(
            subject=subject, role=Role(role), firm_id=firm_id, bank_id=bank_id, officer_id=officer_id, towns=towns
        )
        now = datetime.now(UTC)
        claims: dict[str, Any] = {
            "sub": principal.subject,
            "role": principal.role.value,
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "exp": now + ttl,
        }
        for claim, value in (("firm", firm_id), ("bank", bank_id), ("officer", officer_id)):
            if value is not None:
                claims[claim] = str(value)
        if towns is not None:
            claims["towns"] = list(towns)
        return jwt.encode(claims, self._key, algorithm="EdDSA")
