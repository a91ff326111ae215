"""Verifies bearer tokens with the issuer's public key and turns them into a Principal.

Tokens are EdDSA (Ed25519) JWTs: services hold only the public key, so no service can mint a token.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from pydantic import ValidationError

from lianrong_platform.auth.principal import Principal, Role
from lianrong_platform.http.problems import Forbidden, Unauthorized

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="lianrong"'}
# The longest a token may live: the demo's people get 30 days, a bank system's service token 15 minutes.
MAX_LIFETIME = timedelta(days=31)


class TokenVerifier:
    def __init__(self, public_key_pem: str | bytes, *, issuer: str, audience: str) -> None:
        self._key = public_key_pem
        self._issuer = issuer
        self._audience = audience

    @classmethod
    def from_file(cls, path: Path, *, issuer: str, audience: str) -> TokenVerifier:
        if not path.exists():
            raise RuntimeError(
                f"token public key {path} is missing: run `lianrong-token keys` or set JWT_PUBLIC_KEY_FILE"
            )
        return cls(path.read_bytes(), issuer=issuer, audience=audience)

    def verify(self, token: str) -> Principal:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=["EdDSA"],
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The token has expired.", headers=CHALLENGE) from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("The token is not valid.", headers=CHALLENGE) from exc
        lifetime = float(claims["exp"]) - float(claims["iat"])
        if lifetime > MAX_LIFETIME.total_seconds() or float(claims["iat"]) > time.time() + 60:
            # A token minted to last a year (or dated in the future) is refused even if it is validly signed.
            raise Unauthorized("The token lives longer than allowed.", headers=CHALLENGE)
        try:
            return Principal(
                subject=claims["sub"],
                role=claims.get("role"),
                firm_id=claims.get("firm"),
                bank_id=claims.get("bank"),
                officer_id=claims.get("officer"),
                towns=claims.get("towns"),
            )
        except ValidationError as exc:
            raise Unauthorized("The token's role or subject is not valid.", headers=CHALLENGE) from exc


async def authenticated(request: Request) -> Principal:
    """FastAPI dependency: the caller, or 401 problem+json. A service that keeps the banks or officers a token can
    name (ServiceSpec.known_subject) also refuses a validly signed token whose subject it does not know."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("A bearer token is required.", headers=CHALLENGE)
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = verifier.verify(token.strip())
    known = getattr(request.app.state, "known_subject", None)
    if known is not None:
        seen: set[Principal] = request.app.state.known_subjects
        if principal not in seen:
            async with request.app.state.pool.acquire() as conn:
                if not await known(conn, principal):
                    raise Unauthorized(
                        "The token names a bank or officer that does not exist.",
                        code="unknown-subject",
                        headers=CHALLENGE,
                    )
            if len(seen) > 100_000:
                seen.clear()  # subjects are never deleted: a bounded cache of the ones already checked
            seen.add(principal)
    return principal


def require(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """FastAPI dependency factory: the caller if their role is one of `roles`, else 403 problem+json."""
    allowed = frozenset(roles)

    async def check(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(f"This needs one of the roles: {', '.join(sorted(allowed))}.")
        return principal

    return check
