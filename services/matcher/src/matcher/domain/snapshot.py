"""The market as one batch of needs is decided against: read once for the batch, kept current as its decisions take
their shares, and never trusted for capacity when the batch is written (the guarded write checks every share again).

A need sees exactly what the one-need path would read for it at that moment in the same transaction: the products
of its chain and asked kinds with their line figures and what is free of their bank's whole-chain credit line
(整链授信) for that chain, the chain's designations, and every officer of the offering banks with their load. So its
decision record is the same whichever path decided it, and a replay reproduces it."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, MutableMapping
from datetime import date
from decimal import Decimal
from uuid import UUID

from matcher.domain.market import ChainRoles, Designation, NeedCase, Offer, OfficerSlot
from matcher.domain.sieve import Read, Sieve


@dataclasses.dataclass(frozen=True)
class Share:
    """What one proposal holds: the amount of a product's line (and of its bank's chain line) and an officer's slot."""

    product_id: UUID
    bank_id: UUID
    chain: str
    amount: Decimal
    officer_id: UUID


class Snapshot:
    def __init__(
        self,
        offers: Iterable[Offer],
        chain_free: Mapping[tuple[UUID, str], Decimal | None],
        designations: Iterable[Designation],
        officers: Iterable[OfficerSlot],
        sieves: MutableMapping[str, Sieve] | None = None,
    ) -> None:
        """`sieves`: the last Sieve of each chain, kept by the caller from batch to batch; a chain whose products and
        terms are unchanged reuses its sets with the lines just read (Sieve.again), and the map gets this batch's."""
        # (chain, product) → the offer as read for that chain (its chain_free is the bank's line on that chain)
        self._by_chain: dict[str, dict[UUID, Offer]] = defaultdict(dict)
        for offer in offers:
            for chain in offer.terms.chains:
                free = chain_free.get((offer.bank_id, chain))
                self._by_chain[chain][offer.product_id] = dataclasses.replace(offer, chain_free=free)
        # (chain, product type) → its products: a need reads only the kinds it asked for
        self._of_kind: dict[tuple[str, str], list[UUID]] = defaultdict(list)
        for chain, offers_of_chain in self._by_chain.items():
            for pid, o in offers_of_chain.items():
                if not o.withdrawn:
                    self._of_kind[(chain, o.terms.product_type.value)].append(pid)
        self._chain_free = dict(chain_free)
        self._sieves: dict[str, Sieve] = {}  # by chain, built when a need of the chain is first decided
        self._known = sieves if sieves is not None else {}
        roles: dict[str, list[Designation]] = defaultdict(list)
        for d in designations:
            roles[d.chain].append(d)
        self._roles = {chain: ChainRoles(found) for chain, found in roles.items()}
        self._officers: dict[UUID, list[OfficerSlot]] = defaultdict(list)
        for slot in officers:
            self._officers[slot.bank_id].append(slot)

    def offers_for(self, chain: str, product_types: Iterable[str]) -> list[Offer]:
        offers = self._by_chain.get(chain, {})
        return [offers[pid] for kind in sorted(set(product_types)) for pid in self._of_kind.get((chain, kind), ())]

    def read(self, need: NeedCase, roles: ChainRoles, day: date) -> Read:
        """What `offers_for` returns for the need, as a read of its chain's Sieve (domain/sieve.py): the same offers
        in the same order, with the hard rules answered by sets built once for the batch."""
        sieve = self._sieves.get(need.chain)
        if sieve is None:
            offers = self._by_chain.get(need.chain, {})
            kinds = sorted({kind for chain, kind in self._of_kind if chain == need.chain})
            read = [offers[pid] for kind in kinds for pid in self._of_kind[(need.chain, kind)]]
            known = self._known.get(need.chain)
            sieve = (known.again(read) if known is not None else None) or Sieve(read)
            self._sieves[need.chain] = self._known[need.chain] = sieve
        return sieve.read(need, roles, day)

    def roles_for(self, chain: str) -> ChainRoles:
        return self._roles.setdefault(chain, ChainRoles())

    def officers_of(self, bank_ids: Iterable[UUID]) -> dict[UUID, list[OfficerSlot]]:
        # The crews themselves, not copies: a decision is complete (and recorded) before `take` changes one.
        return {bank: self._officers[bank] for bank in set(bank_ids) if bank in self._officers}

    def take(self, offer: Offer, officer: OfficerSlot, share: Share) -> None:
        """The decision's share is held: the next need of the batch sees the line, the chain line and the officer's
        load after it."""
        for chain in offer.terms.chains:
            mine = self._by_chain[chain].get(offer.product_id)
            if mine is not None:
                self._put(chain, dataclasses.replace(mine, reserved=mine.reserved + share.amount))
        key = (offer.bank_id, share.chain)
        free = self._chain_free.get(key)
        if free is not None:
            self._chain_free[key] = free - share.amount
            for o in list(self._by_chain[share.chain].values()):
                if o.bank_id == offer.bank_id:
                    self._put(share.chain, dataclasses.replace(o, chain_free=free - share.amount))
        crew = self._officers[officer.bank_id]
        for i, slot in enumerate(crew):
            if slot.officer_id == officer.officer_id:
                crew[i] = dataclasses.replace(slot, open_matches=slot.open_matches + 1)

    def _put(self, chain: str, offer: Offer) -> None:
        self._by_chain[chain][offer.product_id] = offer
        sieve = self._sieves.get(chain)
        if sieve is not None and not sieve.replace(offer) and not offer.withdrawn:
            del self._sieves[chain]  # never expected (only line figures change here): built again if it happens
