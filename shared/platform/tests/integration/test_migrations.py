"""Migrations: applied once even when processes start together; an applied file may not be edited."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from lianrong_platform.db import PLATFORM_MIGRATIONS, MigrationSet, migrate, migrate_dsn


async def test_concurrent_starts_apply_each_migration_once(fresh_database, tmp_path: Path) -> None:
    dsn = await fresh_database()
    (tmp_path / "0001_things.sql").write_text("CREATE TABLE things (id int PRIMARY KEY);")
    (tmp_path / "0002_more.sql").write_text("ALTER TABLE things ADD COLUMN label text;")
    results = await asyncio.gather(*(migrate_dsn(dsn, tmp_path, "svc") for _ in range(4)))
    applied = [name for names in results for name in names]
    platform = sorted(f"platform/{p.name}" for p in PLATFORM_MIGRATIONS.glob("*.sql"))
    assert sorted(applied) == [*platform, "svc/0001_things.sql", "svc/0002_more.sql"]
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations") == len(platform) + 2
    finally:
        await conn.close()


async def test_an_edited_migration_is_refused(fresh_database, tmp_path: Path) -> None:
    dsn = await fresh_database()
    script = tmp_path / "0001_things.sql"
    script.write_text("CREATE TABLE things (id int PRIMARY KEY);")
    await migrate_dsn(dsn, tmp_path, "svc")
    script.write_text("CREATE TABLE things (id bigint PRIMARY KEY);")
    conn = await asyncpg.connect(dsn)
    try:
        with pytest.raises(RuntimeError, match="edited after it was applied"):
            await migrate(conn, [MigrationSet("svc", tmp_path)])
    finally:
        await conn.close()


async def test_a_failing_migration_changes_nothing(fresh_database, tmp_path: Path) -> None:
    dsn = await fresh_database()
    (tmp_path / "0001_bad.sql").write_text("CREATE TABLE half (id int); SELECT no_such_function();")
    with pytest.raises(asyncpg.UndefinedFunctionError):
        await migrate_dsn(dsn, tmp_path, "svc")
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT to_regclass('half')") is None
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations WHERE namespace = 'svc'") == 0
    finally:
        await conn.close()
