"""A plain greedy first-fit, the floor the streaming matcher must beat: each need in arrival order takes the first
eligible product in catalogue order that has room and an officer, with no preference for the lead bank."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID

from matcher.domain.eligibility import first_broken_rule
from matcher.domain.market import ChainRoles, NeedCase, Offer, OfficerSlot
from matcher.domain.routing import pick_officer


def greedy_first_fit(
    needs: Sequence[NeedCase],
    offers: Sequence[Offer],
    roles: ChainRoles,
    officers: dict[UUID, list[OfficerSlot]],
    day: date,
) -> dict[UUID, UUID]:
    used = {o.product_id: Decimal(0) for o in offers}
    crews = {bank: list(slots) for bank, slots in officers.items()}
    assignment: dict[UUID, UUID] = {}
    for need in needs:
        for offer in offers:
            current = dataclasses.replace(offer, reserved=offer.reserved + used[offer.product_id])
            if first_broken_rule(need, current, roles.role_of(need.chain, offer.bank_id, day), day) is not None:
                continue
            officer = pick_officer(crews.get(offer.bank_id, ()), need)
            if officer is None:
                continue
            used[offer.product_id] += need.terms.amount
            crew = crews[offer.bank_id]
            crew[crew.index(officer)] = dataclasses.replace(officer, open_matches=officer.open_matches + 1)
            assignment[need.need_id] = offer.product_id
            break
    return assignment
