"""An independent check of an assignment against the mechanism's hard rules, written from the rules as the README
and the contract state them — not with the matcher's eligibility code — so a bug there cannot hide here. It also
checks what the matcher's own `violations` does not: each placement's officer works for the bank, covers the need's
chain and town, and never holds more open matches than their limit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from contracts.values import BankRole, CollateralKind, ConsentScope
from matcher.domain.market import ChainRoles, NeedCase, Offer, OfficerSlot


@dataclass(frozen=True)
class Placement:
    need_id: UUID
    product_id: UUID
    officer_id: UUID


def broken_rules(need: NeedCase, offer: Offer, role: BankRole | None, day: date) -> list[str]:
    t, n, firm = offer.terms, need.terms, need.firm
    held = {h.code for h in firm.honours if h.valid_from <= day and (h.valid_until is None or day <= h.valid_until)}
    checks = {
        "inactive": not (t.active_from <= day and (t.active_until is None or day <= t.active_until)),
        "type": t.product_type not in n.product_types,
        "chain": need.chain not in t.chains,
        "amount": not (t.amount_min <= n.amount <= t.amount_max),
        "term": not (t.term_min_months <= n.term_months <= t.term_max_months),
        "size": firm.size_class not in t.size_classes,
        "town": bool(t.towns) and firm.town not in t.towns,
        "rate": n.max_annual_rate is not None and t.rate_min > n.max_annual_rate,
        "honours": bool(t.honours_required) and not held & set(t.honours_required),
        "link": t.requires_link_confirmation and not need.position.link_confirmed,
        "receivable": t.requires_receivable_confirmation
        and (need.position.receivable_due is None or need.position.receivable_due < day),
        "collateral": CollateralKind.NONE not in t.collateral_accepted
        and not set(n.collateral) & set(t.collateral_accepted),
        "consent_expired": n.consent_until < day,
        "consent_lead": n.consent_scope is ConsentScope.LEAD_BANK_ONLY and role is not BankRole.LEAD,
        "consent_chain": n.consent_scope is ConsentScope.CHAIN_BANKS and role is None,
    }
    return [name for name, broken in checks.items() if broken]


def check(
    placements: list[Placement],
    needs: Mapping[UUID, NeedCase],
    offers: Mapping[UUID, Offer],
    officers: Mapping[UUID, list[OfficerSlot]],
    roles: ChainRoles,
    day: date,
) -> list[str]:
    """Every rule the placements break, one line each (empty: none)."""
    problems: list[str] = []
    used: Counter[UUID] = Counter()
    committed: dict[UUID, Decimal] = {}
    officer_of = {o.officer_id: o for crew in officers.values() for o in crew}
    for p in placements:
        need, offer = needs[p.need_id], offers[p.product_id]
        role = roles.role_of(need.chain, offer.bank_id, day)
        problems += [f"{p.need_id} → {p.product_id}: {rule}" for rule in broken_rules(need, offer, role, day)]
        committed[p.product_id] = committed.get(p.product_id, Decimal(0)) + need.terms.amount
        officer = officer_of.get(p.officer_id)
        if officer is None or officer.bank_id != offer.bank_id:
            problems.append(f"{p.need_id}: officer {p.officer_id} is not of bank {offer.bank_id}")
            continue
        profile = officer.profile
        if need.chain not in profile.chains or (profile.towns and need.firm.town not in profile.towns):
            problems.append(f"{p.need_id}: officer {p.officer_id} does not cover {need.chain} in {need.firm.town}")
        if not profile.available:
            problems.append(f"{p.need_id}: officer {p.officer_id} is not on duty")
        used[p.officer_id] += 1
    for product_id, amount in committed.items():
        offer = offers[product_id]
        if amount > offer.terms.capacity - offer.disbursed - offer.reserved:
            problems.append(f"{product_id}: {amount} committed beyond its line")
    for officer_id, count in used.items():
        officer = officer_of[officer_id]
        if officer.open_matches + count > officer.profile.max_open_matches:
            problems.append(
                f"officer {officer_id}: {officer.open_matches + count} open, limit {officer.profile.max_open_matches}"
            )
    return problems
