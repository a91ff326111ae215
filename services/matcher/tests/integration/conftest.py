"""The matcher as it runs: its consumer (and deadline sweep) on a fresh database, fed through the real Kafka with
the events the banks and firms services publish."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from contracts import Event, decode, encode
from contracts import banks as bank_ev
from contracts import firms as firm_ev
from lianrong_platform.db import create_pool, migrate_dsn
from lianrong_platform.kafka.topics import catalogue_topics, ensure_topics
from lianrong_platform.testing.kafka import running_consumer
from matcher.bootstrap import SPEC
from matcher.domain.record import excluded_products
from matcher.entrypoints.consumer import build_handlers
from matcher.settings import MatcherSettings
from matcher.sweep import deadline_sweep

CHAIN = "smart_terminal"
# What the coordination desk publishes beside routing (an escalation also lists the need on its town's desk).
DESK_EVENTS = (
    "matcher.NeedListed",
    "matcher.DeskContactRecorded",
    "matcher.DeskItemClosed",
    "matcher.DeskClockBreached",
)
NOT_DESK = (
    "event_type NOT IN ('matcher.NeedListed', 'matcher.DeskContactRecorded', 'matcher.DeskItemClosed', "
    "'matcher.DeskClockBreached')"
)


def product_terms(**changes: Any) -> bank_ev.ProductTerms:
    base = {
        "name": "链融订单贷",
        "product_type": "order_loan",
        "amount_min": Decimal("100000"),
        "amount_max": Decimal("3000000"),
        "term_min_months": 3,
        "term_max_months": 24,
        "rate_min": Decimal("0.035"),
        "rate_max": Decimal("0.06"),
        "chains": (CHAIN,),
        "size_classes": ("micro", "small", "medium"),
        "capacity": Decimal("10000000"),
        "active_from": date(2026, 1, 1),
    }
    return bank_ev.ProductTerms(**(base | changes))


def need_event(amount: str = "1000000", **terms: Any) -> firm_ev.NeedSubmitted:
    return firm_ev.NeedSubmitted(
        producer="firms",
        need_id=uuid.uuid4(),
        firm_id=uuid.uuid4(),
        chain=CHAIN,
        terms=firm_ev.NeedTerms(
            **(
                {
                    "amount": Decimal(amount),
                    "term_months": 12,
                    "purpose": "备货",
                    "product_types": ("order_loan",),
                    "consent_scope": "any_eligible_bank",
                    "consent_until": date(2030, 1, 1),
                }
                | terms
            )
        ),
        first_loan=False,
        firm=firm_ev.FirmFacts(town="changan", employees=80, revenue_last_year=Decimal(30_000_000), size_class="small"),
        position=firm_ev.ChainPosition(link_confirmed=True),
    )


@dataclass
class Bank:
    bank_id: uuid.UUID
    name: str
    products: list[uuid.UUID] = field(default_factory=list)
    officers: list[uuid.UUID] = field(default_factory=list)


@dataclass
class MatcherWorld:
    dsn: str
    pool: asyncpg.Pool
    producer: Any
    group: str
    banks: dict[str, Bank] = field(default_factory=dict)

    async def publish(self, *events: Event) -> None:
        for event in events:
            await self.producer.send_and_wait(event.topic, value=encode(event), key=event.key)

    async def add_bank(
        self,
        key: str,
        name: str,
        role: str | None,
        *,
        capacity: str = "10000000",
        officers: int = 1,
        products: int = 1,
        chain_line: str | None = None,
        max_open: int = 500,
        **terms: Any,
    ) -> Bank:
        """A bank with its designation for the chain (and its whole-chain credit line, 整链授信, if given), as many
        products of `capacity` each and officers as asked."""
        bank = Bank(uuid.uuid4(), name)
        events: list[Event] = [
            bank_ev.BankRegistered(producer="banks", bank_id=bank.bank_id, code=key.upper(), name=name, kind="rural")
        ]
        if role:
            events.append(
                bank_ev.LeadBankDesignated(
                    producer="banks",
                    designation_id=uuid.uuid4(),
                    bank_id=bank.bank_id,
                    chain=CHAIN,
                    role=role,
                    valid_from=date(2026, 1, 1),
                    chain_credit_line=None if chain_line is None else Decimal(chain_line),
                )
            )
        for _ in range(products):
            product_id = uuid.uuid4()
            events.append(
                bank_ev.ProductPublished(
                    producer="banks",
                    product_id=product_id,
                    bank_id=bank.bank_id,
                    terms=product_terms(capacity=Decimal(capacity), **terms),
                )
            )
            bank.products.append(product_id)
        for i in range(officers):
            officer_id = uuid.uuid4()
            events.append(
                bank_ev.OfficerRegistered(
                    producer="banks",
                    officer_id=officer_id,
                    bank_id=bank.bank_id,
                    profile=bank_ev.OfficerProfile(
                        name=f"{name}服务官{i + 1}", chains=(CHAIN,), max_open_matches=max_open
                    ),
                )
            )
            bank.officers.append(officer_id)
        await self.publish(*events)
        self.banks[key] = bank
        await self.wait_for("SELECT count(*) FROM officers WHERE bank_id = $1", officers, bank.bank_id)
        return bank

    async def wait_for(self, sql: str, expected: int, *args: Any, within_s: float = 30) -> None:
        for _ in range(int(within_s * 10)):
            if await self.pool.fetchval(sql, *args) >= expected:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"never reached {expected}: {sql}")

    async def exclusions(self, match_id: uuid.UUID) -> list[tuple[str, str, dict[str, str]]]:
        """What the decision record keeps of the candidates not chosen for a proposal: (product, code, params)."""
        row = await self.pool.fetchrow("SELECT inputs, outcome FROM decisions WHERE match_id = $1", match_id)
        return excluded_products(row["inputs"], row["outcome"])

    async def published(self, need_id: uuid.UUID) -> list[Event]:
        rows = await self.pool.fetch("SELECT payload FROM outbox WHERE key = $1 ORDER BY id", str(need_id).encode())
        return [decode(bytes(r["payload"])) for r in rows]

    async def routed(self, need_id: uuid.UUID) -> list[Event]:
        """What routing published about the need (the coordination desk's events left out)."""
        return [e for e in await self.published(need_id) if e.type not in DESK_EVENTS]


async def matcher_database(fresh_database) -> str:
    dsn = await fresh_database()
    await migrate_dsn(dsn, SPEC.migrations, "matcher")
    return dsn


@pytest.fixture
async def matcher(infra, fresh_database, request) -> AsyncIterator[MatcherWorld]:
    """A running matcher consumer and its sweep; the answer deadline is 2 seconds of plain time unless the test module
    sets SLA_SECONDS, escalated needs wait an hour before a second chance unless it sets RETRY_SECONDS, and a bank
    has 30 days for a credit decision after accepting unless it sets DECISION_SECONDS; a need nobody can take is
    escalated at once unless it sets WAIT_SECONDS (then it waits that long for capacity to free)."""
    await ensure_topics(infra.kafka_bootstrap_servers, catalogue_topics())
    dsn = await matcher_database(fresh_database)
    pool = await create_pool(dsn, max_size=5)
    sla = getattr(request.module, "SLA_SECONDS", 2)
    settings = MatcherSettings(
        sla_seconds=sla,
        sla_working_hours=False,
        sla_check_seconds=0.2,
        retry_escalated_seconds=getattr(request.module, "RETRY_SECONDS", 3600),
        decision_seconds=getattr(request.module, "DECISION_SECONDS", 30 * 86400),
        decision_grace_seconds=0,
        desk_clock_seconds=getattr(request.module, "DESK_CLOCK_SECONDS", 30 * 86400),
        wait_for_capacity_seconds=getattr(request.module, "WAIT_SECONDS", 0),
        wait_retry_seconds=0.3,
    )
    async with running_consumer(
        infra.kafka_bootstrap_servers,
        pool,
        build_handlers(settings),
        SPEC.consumes,
        group_prefix="matcher",
        beside=[deadline_sweep(settings)],
    ) as peers:
        yield MatcherWorld(dsn, pool, peers.producer, peers.group)
    await pool.close()
