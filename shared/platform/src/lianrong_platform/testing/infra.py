"""Finds the real Kafka and PostgreSQL for a test run.

1. `KAFKA_BOOTSTRAP_SERVERS` and `DATABASE_URL` (a superuser DSN) when set: `make test` sets them after starting
   the project's own servers (deploy/infra.sh).
2. Otherwise, when a Docker engine answers, containers of the same versions through testcontainers.
3. Otherwise the run fails with a message that says how to get them. It never skips: a skipped integration test
   proves nothing.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

KAFKA_IMAGE = "apache/kafka:3.9.1"
POSTGRES_IMAGE = "postgres:15"


@dataclass(frozen=True)
class Infra:
    kafka_bootstrap_servers: str
    admin_dsn: str
    origin: str


class NoInfrastructure(RuntimeError):
    pass


def _docker_answers() -> bool:
    with suppress(OSError, subprocess.SubprocessError):
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    return False


@contextmanager
def real_infrastructure() -> Iterator[Infra]:
    kafka, dsn = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("DATABASE_URL")
    if kafka and dsn:
        yield Infra(kafka, dsn, "environment")
        return
    if _docker_answers():
        from testcontainers.kafka import KafkaContainer
        from testcontainers.postgres import PostgresContainer

        with KafkaContainer(KAFKA_IMAGE).with_kraft() as k, PostgresContainer(POSTGRES_IMAGE, driver=None) as pg:
            yield Infra(k.get_bootstrap_server(), pg.get_connection_url(), "testcontainers")
        return
    raise NoInfrastructure(
        "These tests need the real Kafka and PostgreSQL, and none was found: no KAFKA_BOOTSTRAP_SERVERS/DATABASE_URL "
        "in the environment and no Docker engine answering. Run `make test` (it starts both from deploy/infra.sh), "
        'or `deploy/infra.sh up && eval "$(deploy/infra.sh env)"` before pytest.'
    )
