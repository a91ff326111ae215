"""The matcher's picture of the market: needs, offers (products with capacity), officers and chain roles.

Plain data built from events; the same classes serve the streaming matcher, the optimal planner and the benchmark.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID

from contracts.banks import OfficerProfile, ProductTerms
from contracts.firms import ChainPosition, FirmFacts, NeedTerms
from contracts.values import BankRole


@dataclass(frozen=True)
class NeedCase:
    """A financing need as the matcher judges it."""

    need_id: UUID
    firm_id: UUID
    chain: str
    terms: NeedTerms
    firm: FirmFacts
    position: ChainPosition
    first_loan: bool = False


@dataclass(frozen=True)
class Offer:
    """A product as a candidate: its terms and how much of its line is still free."""

    product_id: UUID
    bank_id: UUID
    bank_name: str
    terms: ProductTerms
    disbursed: Decimal = Decimal(0)
    reserved: Decimal = Decimal(0)
    withdrawn: bool = False

    @property
    def free(self) -> Decimal:
        return self.terms.capacity - self.disbursed - self.reserved

    @property
    def committed_fraction(self) -> float:
        if self.terms.capacity <= 0:
            return 1.0
        return float((self.disbursed + self.reserved) / self.terms.capacity)


@dataclass(frozen=True)
class OfficerSlot:
    officer_id: UUID
    bank_id: UUID
    profile: OfficerProfile
    open_matches: int = 0

    @property
    def load(self) -> float:
        return self.open_matches / self.profile.max_open_matches

    def covers(self, chain: str, town: str) -> bool:
        return (
            self.profile.available
            and chain in self.profile.chains
            and (not self.profile.towns or town in self.profile.towns)
            and self.open_matches < self.profile.max_open_matches
        )


@dataclass(frozen=True)
class Designation:
    chain: str
    bank_id: UUID
    role: BankRole
    valid_from: date
    valid_until: date | None = None

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass
class ChainRoles:
    """Which bank holds which role for which chain (主办行 / 合作银行), on a given day."""

    designations: list[Designation] = field(default_factory=list)

    def role_of(self, chain: str, bank_id: UUID, day: date) -> BankRole | None:
        best: BankRole | None = None
        for d in self.designations:
            if d.chain == chain and d.bank_id == bank_id and d.in_force(day):
                if d.role is BankRole.LEAD:
                    return BankRole.LEAD
                best = d.role
        return best


class OfferIndex:
    """Offers bucketed by (chain, product type): a need looks only at the buckets it can use."""

    def __init__(self, offers: Iterable[Offer] = ()) -> None:
        self._by_key: dict[tuple[str, str], dict[UUID, Offer]] = defaultdict(dict)
        self._all: dict[UUID, Offer] = {}
        for offer in offers:
            self.put(offer)

    def put(self, offer: Offer) -> None:
        self.remove(offer.product_id)
        self._all[offer.product_id] = offer
        for chain in offer.terms.chains:
            self._by_key[(chain, offer.terms.product_type.value)][offer.product_id] = offer

    def remove(self, product_id: UUID) -> None:
        old = self._all.pop(product_id, None)
        if old is not None:
            for chain in old.terms.chains:
                self._by_key[(chain, old.terms.product_type.value)].pop(product_id, None)

    def candidates(self, need: NeedCase) -> list[Offer]:
        found: list[Offer] = []
        for product_type in need.terms.product_types:
            found.extend(self._by_key.get((need.chain, product_type.value), {}).values())
        return found

    def all(self) -> list[Offer]:
        return list(self._all.values())

    def get(self, product_id: UUID) -> Offer | None:
        return self._all.get(product_id)
