"""Idempotency-Key for POST requests: the first response is stored in the transaction that made it, and a repeated
key gets that response back without a second effect."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from lianrong_platform.db import Connection


@dataclass(frozen=True)
class Stored:
    request_hash: str
    status_code: int
    response: Any


def request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


async def claim(conn: Connection, scope: str, key: str, digest: str) -> Stored | None:
    """Reserve the key inside the caller's transaction; return the stored response if the key was used before.

    A concurrent request with the same key waits on the primary key until the first one commits, then sees its
    response: the effect happens once.
    """
    inserted = await conn.fetchval(
        """INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response)
           VALUES ($1, $2, $3, 0, 'null') ON CONFLICT DO NOTHING RETURNING true""",
        scope,
        key,
        digest,
    )
    if inserted:
        return None
    row = await conn.fetchrow(
        "SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2", scope, key
    )
    assert row is not None
    return Stored(row["request_hash"], row["status_code"], row["response"])


async def remember(conn: Connection, scope: str, key: str, status_code: int, response: Any) -> None:
    await conn.execute(
        "UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE scope = $1 AND key = $2",
        scope,
        key,
        status_code,
        response,
    )
