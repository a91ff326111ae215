"""How a Lianrong service is assembled and run: an API process, a consumer process, a relay process.

A service describes itself once with a `ServiceSpec` (in its bootstrap module); this module turns that into the
three runnable processes, with pools, producers and settings made at start-up and closed at shutdown.

    python -m <service> migrate | api | consumer | relay
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import structlog
import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline

from contracts import decode
from lianrong_platform.auth import Principal, TokenVerifier
from lianrong_platform.db import Connection, create_pool, migrate_dsn
from lianrong_platform.http.health import router as health_router
from lianrong_platform.http.middleware import BodyLimit, RequestContext, TextGuard
from lianrong_platform.http.openapi import install_openapi
from lianrong_platform.http.problems import install_problem_handlers
from lianrong_platform.kafka.consumer import EventConsumer, Handler
from lianrong_platform.kafka.producer import idempotent_producer
from lianrong_platform.logging import configure_logging
from lianrong_platform.outbox import OutboxRelay
from lianrong_platform.probes import serve_probes
from lianrong_platform.runtime import tune_gc
from lianrong_platform.settings import ServiceSettings

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    title: str
    description: str
    migrations: Path | None
    routers: Sequence[APIRouter] = ()
    consumes: Sequence[str] = ()
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    # More to start with the API and stop with it (e.g. a LISTEN connection feeding live streams).
    api_resources: Sequence[Callable[[FastAPI, ServiceSettings], AbstractAsyncContextManager[None]]] = ()
    # Loops that run beside the consumer in its process (e.g. the matcher's deadline sweep), until it stops.
    consumer_tasks: Sequence[Callable[[asyncpg.Pool, asyncio.Event], Coroutine[Any, Any, None]]] = ()
    # Paths that take larger bodies than the service's limit (an upload), in bytes.
    body_limits: Mapping[str, int] = field(default_factory=dict)
    # Whether the bank or officer a token names exists here (the banks service keeps them); None: not checked.
    known_subject: Callable[[Connection, Principal], Awaitable[bool]] | None = None
    # Whether it publishes events (has an outbox to relay); a service that only listens runs no relay.
    publishes: bool = True
    # Processes of their own beyond api, consumer and relay (e.g. the banks' webhook dispatcher), by name.
    workers: Mapping[str, Callable[[ServiceSettings, asyncio.Event], Coroutine[Any, Any, None]]] = field(
        default_factory=dict
    )


def create_app(spec: ServiceSpec, settings: ServiceSettings, verifier: TokenVerifier | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await migrate_dsn(settings.database_url, spec.migrations, spec.name)
        app.state.pool = await create_pool(
            settings.database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max
        )
        app.state.token_verifier = verifier or TokenVerifier.from_file(
            settings.jwt_public_key_file, issuer=settings.jwt_issuer, audience=settings.jwt_audience
        )
        app.state.settings = settings
        app.state.known_subject, app.state.known_subjects = spec.known_subject, set()
        try:
            async with contextlib.AsyncExitStack() as stack:
                for resource in spec.api_resources:
                    await stack.enter_async_context(resource(app, settings))
                yield
        finally:
            await app.state.pool.close()

    # The docs UI is served by the service itself (no CDN): it works without any outside network.
    app = FastAPIOffline(title=spec.title, description=spec.description, version="1.0.0", lifespan=lifespan)
    install_problem_handlers(app)
    install_openapi(app)
    app.include_router(health_router)
    for router in spec.routers:
        app.include_router(router)
    app.add_middleware(TextGuard)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, larger=spec.body_limits)
    app.add_middleware(RequestContext, service=spec.name)
    return app


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


_SERVERS: list[asyncio.Server] = []  # the probes' server lives as long as the process


_PROBES_HOST = ["127.0.0.1"]  # --metrics-host: 0.0.0.0 in a container, so its healthcheck and a scraper reach it


async def _probes(port: int) -> None:
    if port:
        _SERVERS.append(await serve_probes(port, _PROBES_HOST[0]))


async def run_consumer(spec: ServiceSpec, settings: ServiceSettings, probes_port: int = 0) -> None:
    stop = _stop_on_signals()
    await _probes(probes_port)
    await migrate_dsn(settings.database_url, spec.migrations, spec.name)
    pool = await create_pool(settings.database_url, min_size=1, max_size=4)
    producer = idempotent_producer(settings.kafka_bootstrap_servers, client_id=f"{spec.name}-consumer")
    await producer.start()
    try:
        consumer = EventConsumer(
            group=settings.consumer_group or spec.name,
            topics=spec.consumes,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            pool=pool,
            producer=producer,
            handlers=spec.handlers,
            decode=decode,
            max_attempts=settings.consumer_max_attempts,
            inbox_retention_days=settings.inbox_retention_days,
        )
        tasks = [asyncio.create_task(task(pool, stop)) for task in spec.consumer_tasks]
        try:
            await consumer.run(stop)
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await producer.stop()
        await pool.close()


async def run_relay(spec: ServiceSpec, settings: ServiceSettings, probes_port: int = 0) -> None:
    stop = _stop_on_signals()
    await _probes(probes_port)
    await migrate_dsn(settings.database_url, spec.migrations, spec.name)
    producer = idempotent_producer(settings.kafka_bootstrap_servers, client_id=f"{spec.name}-relay")
    await producer.start()
    try:
        await OutboxRelay(
            settings.database_url,
            producer,
            service=spec.name,
            batch_size=settings.relay_batch_size,
            retention=timedelta(hours=settings.outbox_retention_hours),
        ).run(stop)
    finally:
        await producer.stop()


async def run_worker(spec: ServiceSpec, settings: ServiceSettings, name: str, probes_port: int = 0) -> None:
    stop = _stop_on_signals()
    await _probes(probes_port)
    await migrate_dsn(settings.database_url, spec.migrations, spec.name)
    await spec.workers[name](settings, stop)


def main(spec: ServiceSpec, argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=spec.name, description=spec.title)
    parser.add_argument("process", choices=["migrate", "api", "consumer", "relay", *spec.workers])
    parser.add_argument(
        "--metrics-port", type=int, default=0, help="workers: serve /healthz, /readyz and /metrics on this port"
    )
    parser.add_argument(
        "--metrics-host", default="127.0.0.1", help="workers: the address of the probes (0.0.0.0 in a container)"
    )
    args = parser.parse_args(argv)
    _PROBES_HOST[0] = args.metrics_host
    settings = ServiceSettings.load(spec.name)
    configure_logging(spec.name, settings.log_format, settings.log_level)
    structlog.contextvars.bind_contextvars(process=args.process)
    tune_gc(settings.gc_threshold)
    with contextlib.suppress(KeyboardInterrupt):
        if args.process == "migrate":
            applied = asyncio.run(migrate_dsn(settings.database_url, spec.migrations, spec.name))
            print(f"{spec.name}: {len(applied)} migration(s) applied")
        elif args.process == "api":
            uvicorn.run(
                create_app(spec, settings),
                host=settings.http_host,
                port=settings.http_port,
                log_config=None,
                access_log=False,
                proxy_headers=False,
                # Open Server-Sent Events streams never end by themselves: shutdown waits this long, then closes them.
                timeout_graceful_shutdown=5,
            )
        elif args.process == "consumer":
            asyncio.run(run_consumer(spec, settings, args.metrics_port))
        elif args.process == "relay":
            asyncio.run(run_relay(spec, settings, args.metrics_port))
        else:
            asyncio.run(run_worker(spec, settings, args.process, args.metrics_port))
