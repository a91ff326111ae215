"""The matcher's picture of the market: needs, offers (products with capacity), officers and chain roles.

Plain data built from events; the same classes serve the streaming matcher, the optimal planner and the benchmark.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any
from uuid import UUID

from contracts.banks import OfficerProfile, ProductTerms
from contracts.firms import ChainPosition, FirmFacts, NeedTerms
from contracts.values import BankRole, ConsentScope

if TYPE_CHECKING:
    from matcher.domain.sieve import Read, Sieve


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

    @cached_property
    def memo(self) -> dict[Any, Any]:
        """Values derived from the need alone (the honours it holds on a day), kept for as long as the need."""
        return {}

    @cached_property
    def recorded(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """Its terms, firm and position as JSON values: what the needs table and the decision record keep (once per
        need, for both)."""
        return (
            self.terms.model_dump(mode="json"),
            self.firm.model_dump(mode="json"),
            self.position.model_dump(mode="json"),
        )


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
    # 整链授信: what is free of the bank's whole-chain credit line for the chain the offer was read for (None: the
    # bank holds no such line for that chain, only the product's own line binds).
    chain_free: Decimal | None = None
    version: int = 0  # of the terms: the decision record stores terms once per version
    price: float = 0.0  # the line's capacity price per 万元 (domain/prices.py), 0 when nobody else needs it

    @cached_property
    def free(self) -> Decimal:
        return self.terms.capacity - self.disbursed - self.reserved

    @cached_property
    def memo(self) -> dict[str, Any]:
        """Values derived from the offer's terms alone (exclusions' parameters), kept for as long as the offer."""
        return {}

    @cached_property
    def free_text(self) -> str:
        return str(self.free)

    @cached_property
    def recorded(self) -> list[Any]:
        """The offer as the decision record keeps it: product, terms version, disbursed, reserved, withdrawn, free
        of the bank's chain line (the product's bank is stored with its terms: it never changes). Computed once per
        offer: a batch's needs read the same offers until a decision takes a share of one."""
        chain_free = None if self.chain_free is None else str(self.chain_free)
        return [str(self.product_id), self.version, str(self.disbursed), str(self.reserved), self.withdrawn, chain_free]

    @cached_property
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
    version: int = 0  # of the profile: the decision record stores profiles once per version

    @cached_property
    def recorded(self) -> list[Any]:
        """officer, profile version, open matches (the officer's bank is stored with the profile)"""
        return [str(self.officer_id), self.version, self.open_matches]

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
    _memo: dict[tuple[str, UUID, date], BankRole | None] = field(default_factory=dict, repr=False)
    _consented: dict[tuple[str, ConsentScope, date], frozenset[UUID]] = field(default_factory=dict, repr=False)

    @cached_property
    def recorded(self) -> list[list[Any]]:
        """The designations as the decision record keeps them."""
        return [
            [str(d.bank_id), d.role.value, d.valid_from.isoformat(), d.valid_until and d.valid_until.isoformat()]
            for d in self.designations
        ]

    def role_of(self, chain: str, bank_id: UUID, day: date) -> BankRole | None:
        key = (chain, bank_id, day)
        if key not in self._memo:
            self._memo[key] = self._role_of(chain, bank_id, day)
        return self._memo[key]

    def consented(self, chain: str, scope: ConsentScope, day: date) -> frozenset[UUID] | None:
        """The banks a need's consent lets its identity reach on the chain (None: any bank)."""
        if scope is ConsentScope.ANY_ELIGIBLE_BANK:
            return None
        key = (chain, scope, day)
        found = self._consented.get(key)
        if found is None:
            wanted = {BankRole.LEAD} if scope is ConsentScope.LEAD_BANK_ONLY else {BankRole.LEAD, BankRole.COOPERATING}
            found = self._consented[key] = frozenset(
                b for b in self.banks_of(chain, day) if self.role_of(chain, b, day) in wanted
            )
        return found

    def banks_of(self, chain: str, day: date) -> set[UUID]:
        """The banks holding a designation for the chain on the day."""
        return {d.bank_id for d in self.designations if d.chain == chain and d.in_force(day)}

    def _role_of(self, chain: str, bank_id: UUID, day: date) -> BankRole | None:
        best: BankRole | None = None
        for d in self.designations:
            if d.chain == chain and d.bank_id == bank_id and d.in_force(day):
                if d.role is BankRole.LEAD:
                    return BankRole.LEAD
                best = d.role
        return best


class OfferIndex:
    """Offers bucketed by (chain, product type, size class, bank): a need reads only the buckets it could use —
    its chain, the kinds it asked for, its firm's size, and the banks its consent allows (the chain's lead bank
    only, the chain's designated banks, or any bank)."""

    def __init__(self, offers: Iterable[Offer] = ()) -> None:
        self._buckets: dict[tuple[str, str, str], dict[UUID, dict[UUID, Offer]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        self._all: dict[UUID, Offer] = {}
        self._sieves: dict[str, Sieve] = {}  # by chain
        for offer in offers:
            self.put(offer)

    @staticmethod
    def _keys(offer: Offer) -> list[tuple[str, str, str]]:
        t = offer.terms
        return [(c, t.product_type.value, s.value) for c in t.chains for s in t.size_classes]

    def put(self, offer: Offer) -> None:
        old = self._all.get(offer.product_id)
        if old is None or old.terms is not offer.terms:
            self._sieves.clear()  # offers came or terms changed: the sets are built again when next asked for
        for chain in offer.terms.chains:
            sieve = self._sieves.get(chain)
            if sieve is not None and not sieve.replace(offer):
                self._sieves.clear()
                break
        self._unindex(offer.product_id)
        self._all[offer.product_id] = offer
        for key in self._keys(offer):
            self._buckets[key][offer.bank_id][offer.product_id] = offer

    def remove(self, product_id: UUID) -> None:
        self._sieves.clear()
        self._unindex(product_id)

    def _unindex(self, product_id: UUID) -> None:
        old = self._all.pop(product_id, None)
        if old is not None:
            for key in self._keys(old):
                self._buckets[key][old.bank_id].pop(product_id, None)

    def candidates(self, need: NeedCase, roles: ChainRoles | None = None, day: date | None = None) -> list[Offer]:
        allowed = None if roles is None or day is None else roles.consented(need.chain, need.terms.consent_scope, day)
        found: list[Offer] = []
        size = need.firm.size_class.value
        for product_type in need.terms.product_types:
            by_bank = self._buckets.get((need.chain, product_type.value, size))
            if not by_bank:
                continue
            for bank_id, offers in by_bank.items():
                if allowed is None or bank_id in allowed:
                    found.extend(offers.values())
        return found

    def read(self, need: NeedCase, roles: ChainRoles, day: date) -> Read:
        """The need's candidates (as `candidates`) as a read of its chain's Sieve (domain/sieve.py), which is kept
        for every need of the chain and kept current as lines move."""
        found = self._sieves.get(need.chain)
        if found is None:
            from matcher.domain.sieve import Sieve  # the sieve is built on this module's classes

            found = self._sieves[need.chain] = Sieve(o for o in self._all.values() if need.chain in o.terms.chains)
        return found.read(need, roles, day, by_size=True, by_consent=True)

    def all(self) -> list[Offer]:
        return list(self._all.values())

    def get(self, product_id: UUID) -> Offer | None:
        return self._all.get(product_id)
