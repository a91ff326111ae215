"""asyncpg pool and SQL migrations.

Migrations are plain numbered SQL files (`0001_init.sql`) per namespace: the platform's own tables (outbox, inbox)
first, then the service's. They run in one transaction each under an advisory lock, so two processes starting at
once apply each file exactly once. A file once applied is never edited: its checksum is recorded and checked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import orjson
import structlog
from asyncpg.pool import PoolConnectionProxy

log = structlog.get_logger(__name__)

# What handlers receive: a pooled connection or a plain one, both with the same API.
Connection = asyncpg.Connection | PoolConnectionProxy

PLATFORM_MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_LOCK = 7_406_351_123  # any constant: serialises migrations of one database


@dataclass(frozen=True)
class MigrationSet:
    namespace: str
    directory: Path


def _json_text(value: Any) -> str:
    # orjson: the matcher writes a decision record of ~5 KB per need, and the standard encoder was a visible share of
    # its time. Keys that are not strings are written as strings, as the standard encoder does.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


async def _init_connection(conn: asyncpg.Connection) -> None:
    # JSON columns come back as Python objects and go in from them.
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(kind, encoder=_json_text, decoder=orjson.loads, schema="pg_catalog")


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, init=_init_connection)
    assert pool is not None
    return pool


async def migrate(conn: asyncpg.Connection, sets: Sequence[MigrationSet]) -> list[str]:
    """Apply every migration not applied yet; return the names applied now."""
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
    try:
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   namespace text NOT NULL, name text NOT NULL, checksum text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (namespace, name))"""
        )
        done = {
            (r["namespace"], r["name"]): r["checksum"]
            for r in await conn.fetch("SELECT namespace, name, checksum FROM schema_migrations")
        }
        for mset in sets:
            for path in sorted(mset.directory.glob("*.sql")):
                sql = path.read_text()
                checksum = hashlib.sha256(sql.encode()).hexdigest()
                previous = done.get((mset.namespace, path.name))
                if previous is not None:
                    if previous != checksum:
                        raise RuntimeError(f"migration {mset.namespace}/{path.name} was edited after it was applied")
                    continue
                async with conn.transaction():
                    await conn.execute(sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (namespace, name, checksum) VALUES ($1, $2, $3)",
                        mset.namespace,
                        path.name,
                        checksum,
                    )
                applied_now.append(f"{mset.namespace}/{path.name}")
                log.info("migration.applied", migration=f"{mset.namespace}/{path.name}")
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)
    return applied_now


async def migrate_dsn(dsn: str, service_migrations: Path | None, service: str) -> list[str]:
    sets = [MigrationSet("platform", PLATFORM_MIGRATIONS)]
    if service_migrations is not None and service_migrations.is_dir():  # noqa: ASYNC240 - once, at start-up
        sets.append(MigrationSet(service, service_migrations))
    conn = await asyncpg.connect(dsn)
    try:
        return await migrate(conn, sets)
    finally:
        await conn.close()
