"""Hand-built market pieces for the matcher's unit tests."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from contracts.banks import OfficerProfile, ProductTerms
from contracts.firms import ChainPosition, FirmFacts, Honour, NeedTerms
from contracts.values import BankRole
from matcher.domain.market import ChainRoles, Designation, NeedCase, Offer, OfficerSlot

DAY = date(2026, 11, 23)
LEAD, COOP, OTHER = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)


def need(**changes: Any) -> NeedCase:
    terms = {
        "amount": Decimal("1000000"),
        "term_months": 12,
        "purpose": "备货",
        "product_types": ("order_loan",),
        "collateral": ("none",),
        "max_annual_rate": Decimal("0.05"),
        "consent_scope": "any_eligible_bank",
        "consent_until": date(2027, 12, 31),
    } | changes.pop("terms", {})
    firm = {
        "town": "changan",
        "employees": 80,
        "revenue_last_year": Decimal("30000000"),
        "size_class": "small",
        "honours": (),
    } | changes.pop("firm", {})
    position = {"link_confirmed": True} | changes.pop("position", {})
    return NeedCase(
        need_id=uuid.uuid4(),
        firm_id=uuid.uuid4(),
        chain="smart_terminal",
        terms=NeedTerms(**terms),
        firm=FirmFacts(**firm),
        position=ChainPosition(**position),
        **changes,
    )


def offer(bank: uuid.UUID = LEAD, **changes: Any) -> Offer:
    terms = {
        "name": "订单贷",
        "product_type": "order_loan",
        "amount_min": Decimal("100000"),
        "amount_max": Decimal("3000000"),
        "term_min_months": 3,
        "term_max_months": 24,
        "rate_min": Decimal("0.035"),
        "rate_max": Decimal("0.06"),
        "chains": ("smart_terminal",),
        "size_classes": ("micro", "small", "medium"),
        "collateral_accepted": ("none",),
        "capacity": Decimal("50000000"),
        "active_from": date(2026, 1, 1),
    } | changes.pop("terms", {})
    return Offer(
        product_id=changes.pop("product_id", uuid.uuid4()),
        bank_id=bank,
        bank_name=f"bank-{bank.int}",
        terms=ProductTerms(**terms),
        **changes,
    )


def officers(*banks: uuid.UUID, **profile: Any) -> dict[uuid.UUID, list[OfficerSlot]]:
    base = {"name": "李伟", "chains": ("smart_terminal",), "max_open_matches": 10} | profile
    return {b: [OfficerSlot(uuid.uuid4(), b, OfficerProfile(**base))] for b in banks}


def roles() -> ChainRoles:
    return ChainRoles(
        [
            Designation("smart_terminal", LEAD, BankRole.LEAD, date(2026, 1, 1)),
            Designation("smart_terminal", COOP, BankRole.COOPERATING, date(2026, 1, 1)),
        ]
    )


HONOUR = Honour(code="specialised", valid_from=date(2025, 1, 1), valid_until=date(2027, 12, 31))
