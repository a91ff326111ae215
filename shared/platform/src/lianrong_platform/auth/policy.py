"""Who may see what, written once: a policy per resource and role, read by every service.

Banks compete: a bank's products, lines, proposals and officers are its own. A resource outside the caller's reach
answers 404, as if it did not exist, so a probe learns nothing. The regulator and the platform admin see every
bank's figures; what the regulator publishes is aggregated and disclosure-controlled elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from uuid import UUID

from lianrong_platform.auth.principal import Principal, Role
from lianrong_platform.errors import NotFound


class Resource(StrEnum):
    BANK_PRODUCTS = "bank_products"  # a bank's products: terms, line, what is disbursed and free
    BANK_SETUP = "bank_setup"  # to publish and change a bank's products, add and change its officers
    CHAIN_CREDIT_LINE = "chain_credit_line"  # 整链授信: a bank's whole-chain credit line and its use
    MATCH = "match"  # a proposal in an officer's inbox, with why the bank's own products were or were not chosen
    BANK_DECISIONS = "bank_decisions"  # why a bank's own products were not chosen, counted by reason
    DECISION_RECORD = "decision_record"  # every candidate of every bank for a need: examiners only
    WEBHOOKS = "webhooks"  # a bank's webhook endpoints, their delivery log and redelivery
    SERVICE_ACCOUNTS = "service_accounts"  # the client credentials of a bank's own systems


Owner = Callable[[Principal, UUID | None, UUID | None], bool]


def _anyone_of_the_bank(actor: Principal, bank_id: UUID | None, officer_id: UUID | None) -> bool:
    return bank_id is not None and actor.bank_id == bank_id


def _the_officer(actor: Principal, bank_id: UUID | None, officer_id: UUID | None) -> bool:
    return officer_id is not None and actor.officer_id == officer_id and actor.bank_id == bank_id


def _always(actor: Principal, bank_id: UUID | None, officer_id: UUID | None) -> bool:
    return True


POLICY: dict[Resource, dict[Role, Owner]] = {
    Resource.BANK_PRODUCTS: {
        Role.OFFICER: _anyone_of_the_bank,
        Role.BANK_ADMIN: _anyone_of_the_bank,
        Role.REGULATOR: _always,
        Role.ADMIN: _always,
    },
    Resource.BANK_SETUP: {Role.BANK_ADMIN: _anyone_of_the_bank, Role.ADMIN: _always},
    Resource.CHAIN_CREDIT_LINE: {
        Role.OFFICER: _anyone_of_the_bank,
        Role.BANK_ADMIN: _anyone_of_the_bank,
        Role.REGULATOR: _always,
        Role.ADMIN: _always,
    },
    Resource.MATCH: {
        Role.OFFICER: _the_officer,
        Role.BANK_ADMIN: _anyone_of_the_bank,
        Role.BANK_SYSTEM: _anyone_of_the_bank,
    },
    Resource.WEBHOOKS: {
        Role.BANK_ADMIN: _anyone_of_the_bank,
        Role.BANK_SYSTEM: _anyone_of_the_bank,
        Role.ADMIN: _always,
    },
    Resource.SERVICE_ACCOUNTS: {Role.BANK_ADMIN: _anyone_of_the_bank, Role.ADMIN: _always},
    Resource.BANK_DECISIONS: {
        Role.OFFICER: _anyone_of_the_bank,
        Role.BANK_ADMIN: _anyone_of_the_bank,
        Role.REGULATOR: _always,
        Role.ADMIN: _always,
    },
    Resource.DECISION_RECORD: {Role.REGULATOR: _always, Role.ADMIN: _always},
}


def may(actor: Principal, resource: Resource, *, bank_id: UUID | None = None, officer_id: UUID | None = None) -> bool:
    rule = POLICY[resource].get(actor.role)
    return rule is not None and rule(actor, bank_id, officer_id)


def check(actor: Principal, resource: Resource, *, bank_id: UUID | None = None, officer_id: UUID | None = None) -> None:
    """Raise NotFound (404) unless the policy lets `actor` see the resource owned by that bank or officer."""
    if not may(actor, resource, bank_id=bank_id, officer_id=officer_id):
        raise NotFound(f"no such {resource.value.replace('_', ' ')}")


def sees_every_bank(actor: Principal, resource: Resource) -> bool:
    """The roles whose rule for the resource does not depend on the owner (the regulator, the admin)."""
    return POLICY[resource].get(actor.role) is _always
