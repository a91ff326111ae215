"""pytest fixtures shared by every suite (registered in the repository's conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
import pytest

from lianrong_platform.auth import TokenVerifier
from lianrong_platform.auth.issue import TokenIssuer, generate_key_pair
from lianrong_platform.kafka.topics import ensure_topics
from lianrong_platform.testing.infra import Infra, NoInfrastructure, real_infrastructure


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    try:
        with real_infrastructure() as found:
            yield found
    except NoInfrastructure as exc:
        pytest.fail(str(exc), pytrace=False)


def _with_database(dsn: str, database: str) -> str:
    head, _, _ = dsn.rpartition("/")
    return f"{head}/{database}"


@asynccontextmanager
async def _databases(infra: Infra) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    made: list[str] = []

    async def make() -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        admin = await asyncpg.connect(infra.admin_dsn)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        made.append(name)
        return _with_database(infra.admin_dsn, name)

    yield make
    admin = await asyncpg.connect(infra.admin_dsn)
    try:
        for name in made:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def fresh_database(infra: Infra) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """Makes empty databases on the real PostgreSQL (each call one more) and drops them after the test."""
    async with _databases(infra) as make:
        yield make


@pytest.fixture(scope="module")
async def module_databases(infra: Infra) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """The same, kept for a whole test module: for a running system that several tests share."""
    async with _databases(infra) as make:
        yield make


@pytest.fixture
async def fresh_topic(infra: Infra) -> Callable[..., Awaitable[str]]:
    """Creates a topic no other test uses, with the given number of partitions."""

    async def make(prefix: str = "test", partitions: int = 3) -> str:
        name = f"{prefix}.{uuid.uuid4().hex[:12]}"
        await ensure_topics(infra.kafka_bootstrap_servers, [(name, partitions)])
        return name

    return make


@dataclass(frozen=True)
class Tokens:
    issuer: TokenIssuer
    verifier: TokenVerifier
    public_pem: bytes
    private_pem: bytes = b""  # for a service that issues tokens itself (the banks' service accounts)


@pytest.fixture(scope="session")
def tokens() -> Tokens:
    private, public = generate_key_pair()
    return Tokens(TokenIssuer(private), TokenVerifier(public, issuer="lianrong", audience="lianrong"), public, private)
