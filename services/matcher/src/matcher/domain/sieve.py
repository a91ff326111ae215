"""Eligibility as sets: the hard rules answered for a whole list of offers at once.

A Sieve holds the offers one kind of need chooses among (the service: a chain's products of the kinds asked; the
index: those of a firm's size too) and, for each hard rule whose answer depends only on the product's terms and a
value the need brings, which offers pass it — a bitset (a Python int: bit i is `offers[i]`) built once per value
seen (a town, a collateral kind, a day) or read from a sorted threshold (amounts, terms, rates). A need's candidates
are the intersection of its rules' sets, so the work per need follows the few offers left, not the list.

What depends on the moment — the free line, the chain line, officers — is checked on the offers left, with the
rule functions themselves. A candidate excluded by a set is told why with the rule function too, when the decision
record asks (eligibility.py is the one definition of every rule; tests hold the sets to it offer by offer)."""

from __future__ import annotations

import copy
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any, NamedTuple

from contracts.values import BankRole, CollateralKind, ConsentScope
from matcher.domain.eligibility import Rule
from matcher.domain.market import ChainRoles, NeedCase, Offer

# The rules a Sieve answers with sets; the others (capacity, chain_line) are checked offer by offer. In RULES they
# come after all of these, so the first broken rule is the same whichever way it is found.
STATIC = frozenset(
    {
        "product_active",
        "product_type",
        "chain",
        "consent",
        "amount_range",
        "term_range",
        "size_class",
        "town",
        "rate_ceiling",
        "honours",
        "chain_master_confirmation",
        "collateral",
    }
)
# Rules whose exclusion of an offer depends on the offer alone (its terms: the same words for every need).
_ONE_SIDED = frozenset({"product_active", "product_type", "honours", "collateral"})
TIER = {BankRole.LEAD: 0, BankRole.COOPERATING: 1, None: 2}


def bits(mask: int) -> Iterator[int]:
    """The positions set in `mask`, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class _Threshold:
    """Offers ordered by one number of their terms: which have it at most, or at least, a need's value."""

    def __init__(self, values: Sequence[Any]) -> None:
        order = sorted(range(len(values)), key=values.__getitem__)
        self._sorted = [values[i] for i in order]
        self._prefix = [0]
        for i in order:
            self._prefix.append(self._prefix[-1] | (1 << i))

    def at_most(self, value: Any) -> int:
        return self._prefix[bisect_right(self._sorted, value)]

    def at_least(self, value: Any) -> int:
        return self._prefix[-1] & ~self._prefix[bisect_left(self._sorted, value)]


class Read(NamedTuple):
    """The offers of a Sieve one need reads (bit i: `sieve.offers[i]`)."""

    sieve: Sieve
    within: int

    @property
    def offers(self) -> list[Offer]:
        offers = self.sieve.offers
        return [offers[i] for i in bits(self.within)]


class Sieve:
    def __init__(self, offers: Iterable[Offer]) -> None:
        self.offers: tuple[Offer, ...] = tuple(offers)
        self.all = (1 << len(self.offers)) - 1
        self._at = {o.product_id: i for i, o in enumerate(self.offers)}
        terms = [o.terms for o in self.offers]
        self._amount_min = _Threshold([t.amount_min for t in terms])
        self._amount_max = _Threshold([t.amount_max for t in terms])
        self._term_min = _Threshold([t.term_min_months for t in terms])
        self._term_max = _Threshold([t.term_max_months for t in terms])
        self._rate_min = _Threshold([t.rate_min for t in terms])
        self._sets: dict[Hashable, int] = {}
        self.explained: dict[tuple[int, str, int, Hashable], Any] = {}  # see `facet`: by offer, rule and facet
        self.explained_sets: dict[tuple[str, int, int, Hashable], tuple[Any, ...]] = {}  # by rule, offers, facets
        self._roles: tuple[ChainRoles, str, date, tuple[BankRole | None, ...], tuple[int, int, int]] | None = None
        self._passing = self._rules()

    def again(self, offers: Sequence[Offer]) -> Sieve | None:
        """These sets for `offers` — the same products with the same terms, their lines read again — or None when
        the products or their terms differ. A matcher keeps its chains' sets from batch to batch this way: the sets
        depend on terms alone, and capacity is always what was just read."""
        mine = self.offers
        if len(offers) != len(mine) or any(
            a.product_id != b.product_id or a.terms is not b.terms or a.withdrawn != b.withdrawn
            for a, b in zip(offers, mine, strict=True)
        ):
            return None
        again = copy.copy(self)
        again.offers = tuple(offers)
        again._roles = None
        again._passing = again._rules()
        return again

    def _rules(self) -> dict[str, Callable[[NeedCase, date], int]]:
        return {
            "product_active": self._active,
            "product_type": self._product_type,
            "chain": lambda n, day: (
                self._sets.get(("chain", n.chain)) or self._set(("chain", n.chain), lambda o: n.chain in o.terms.chains)
            ),
            "consent": self._consent,
            "amount_range": lambda n, day: (
                self._amount_min.at_most(n.terms.amount) & self._amount_max.at_least(n.terms.amount)
            ),
            "term_range": lambda n, day: (
                self._term_min.at_most(n.terms.term_months) & self._term_max.at_least(n.terms.term_months)
            ),
            # A set already made is read without building its test (`or`: an empty set is made again, cheaply).
            "size_class": lambda n, day: (
                self._sets.get(("size", n.firm.size_class))
                or self._set(("size", n.firm.size_class), lambda o: n.firm.size_class in o.terms.size_classes)
            ),
            "town": lambda n, day: (
                self._sets.get(("town", n.firm.town))
                or self._set(("town", n.firm.town), lambda o: not o.terms.towns or n.firm.town in o.terms.towns)
            ),
            "rate_ceiling": lambda n, day: (
                self.all if n.terms.max_annual_rate is None else self._rate_min.at_most(n.terms.max_annual_rate)
            ),
            "honours": self._honours,
            "chain_master_confirmation": self._confirmation,
            "collateral": self._collateral,
        }

    def facet(self, name: str, need: NeedCase, day: date) -> tuple[int, Hashable] | None:
        """What of `need` a rule's exclusion of an offer depends on, when that is little: the offers the need is
        below (amount or term under the minimum; 0 when the rule has one side), and the need's value the words
        name (its town, size, rate ceiling, chain-master confirmation; None when only the offer's terms speak). An
        exclusion is then composed once per offer and facet and kept in `explained`. None when it depends on more
        of the need (an expired consent's date)."""
        if name == "amount_range":
            return self.all & ~self._amount_min.at_most(need.terms.amount), None
        if name == "term_range":
            return self.all & ~self._term_min.at_most(need.terms.term_months), None
        if name == "consent":  # within the consent's dates, its scope alone says why (lead bank only, chain banks)
            if need.terms.consent_until < day:
                return None
            return (self.all if need.terms.consent_scope is ConsentScope.CHAIN_BANKS else 0), None
        if name in _ONE_SIDED:
            return 0, None
        if name == "town":
            return 0, need.firm.town
        if name == "size_class":
            return 0, need.firm.size_class
        if name == "rate_ceiling":  # the words quote the ceiling as written: 0.045 and 0.0450 are two facets
            return 0, str(need.terms.max_annual_rate)
        if name == "chain_master_confirmation":
            p = need.position
            due = p.receivable_due
            return 0, (p.link_confirmed, p.receivable_id is None, p.receivable_amount is None, due, due and due < day)
        return None

    def __len__(self) -> int:
        return len(self.offers)

    def replace(self, offer: Offer) -> bool:
        """Take the offer's new line figures; False when its terms or withdrawal changed (the sets no longer hold:
        build a new Sieve) or it is not one of these offers."""
        i = self._at.get(offer.product_id)
        if i is None:
            return False
        old = self.offers[i]
        if old.terms is not offer.terms or old.withdrawn != offer.withdrawn:
            return False
        # A new tuple, not a change in place: a decision's deferred exclusions keep the offers it was decided on.
        self.offers = (*self.offers[:i], offer, *self.offers[i + 1 :])
        return True

    def matching(self, test: Callable[[Offer], bool]) -> int:
        found = 0
        for i, offer in enumerate(self.offers):
            if test(offer):
                found |= 1 << i
        return found

    def sift(
        self, need: NeedCase, day: date, rules: Iterable[tuple[str, Rule]], start: int
    ) -> tuple[int, list[tuple[str, Rule, int]]]:
        """The offers of `start` that pass every one of `rules` (all answered by sets), and for each rule the offers
        it is the first to exclude."""
        left = start
        failing: list[tuple[str, Rule, int]] = []
        for name, rule in rules:
            if not left:
                break  # nothing left for a later rule to exclude
            fail = left & ~self._passing[name](need, day)
            if fail:
                failing.append((name, rule, fail))
                left &= ~fail
        return left, failing

    def roles(
        self, roles: ChainRoles, chain: str, day: date
    ) -> tuple[tuple[BankRole | None, ...], tuple[int, int, int]]:
        """Each offer's bank's role for the chain, and the offers of the lead bank, of cooperating banks and of the
        others. Kept while the same roles, chain and day are asked for."""
        held = self._roles
        if held is not None and held[0] is roles and held[1] == chain and held[2] == day:
            return held[3], held[4]
        of_bank: dict[Any, BankRole | None] = {}
        for o in self.offers:
            if o.bank_id not in of_bank:
                of_bank[o.bank_id] = roles.role_of(chain, o.bank_id, day)
        role_at = tuple(of_bank[o.bank_id] for o in self.offers)
        masks = [0, 0, 0]
        for i, role in enumerate(role_at):
            masks[TIER[role]] |= 1 << i
        self._roles = (roles, chain, day, role_at, (masks[0], masks[1], masks[2]))
        return role_at, self._roles[4]

    def read(
        self, need: NeedCase, roles: ChainRoles, day: date, *, by_size: bool = False, by_consent: bool = False
    ) -> Read:
        """The offers `need` reads: those of the kinds it asked for (and of its firm's size, and of the banks its
        consent lets its identity reach, when asked: what OfferIndex.candidates returns)."""
        within = self._product_type(need, day)
        if by_size:
            within &= self._passing["size_class"](need, day)
        if by_consent and need.terms.consent_scope is not ConsentScope.ANY_ELIGIBLE_BANK:
            _, (lead, cooperating, _) = self.roles(roles, need.chain, day)
            within &= lead if need.terms.consent_scope is ConsentScope.LEAD_BANK_ONLY else lead | cooperating
        return Read(self, within)

    def _set(self, key: Hashable, test: Callable[[Offer], bool]) -> int:
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = self.matching(test)
        return found

    def _active(self, need: NeedCase, day: date) -> int:
        def active(o: Offer) -> bool:
            t = o.terms
            return not (o.withdrawn or day < t.active_from or (t.active_until is not None and day > t.active_until))

        return self._set(("active", day), active)

    def _product_type(self, need: NeedCase, day: date) -> int:
        key = ("kinds", need.terms.product_types)
        found = self._sets.get(key)  # the union for the kinds asked, as asked
        if found is None:
            found = 0
            for kind in key[1]:
                found |= self._set(("type", kind), lambda o, kind=kind: o.terms.product_type is kind)  # type: ignore[misc]
            self._sets[key] = found
        return found

    def _consent(self, need: NeedCase, day: date) -> int:
        if need.terms.consent_until < day:
            return 0
        scope = need.terms.consent_scope
        if scope is ConsentScope.ANY_ELIGIBLE_BANK:
            return self.all
        # The roles are those the decision asked `roles` for (decide asks it first).
        assert self._roles is not None
        lead, cooperating, _ = self._roles[4]
        return lead if scope is ConsentScope.LEAD_BANK_ONLY else lead | cooperating

    def _honours(self, need: NeedCase, day: date) -> int:
        found = self._set("no_honour_required", lambda o: not o.terms.honours_required)
        for h in need.firm.honours:
            if h.valid_from <= day and (h.valid_until is None or day <= h.valid_until):
                found |= self._set(("honour", h.code), lambda o, c=h.code: c in o.terms.honours_required)  # type: ignore[misc]
        return found

    def _confirmation(self, need: NeedCase, day: date) -> int:
        found = self.all
        p = need.position
        if not p.link_confirmed:
            found &= ~self._set("link_required", lambda o: o.terms.requires_link_confirmation)
            # a product that needs the link confirmed is excluded by it first, whatever its receivable
        if p.receivable_id is None or p.receivable_amount is None or p.receivable_due is None or p.receivable_due < day:
            found &= ~self._set("receivable_required", lambda o: o.terms.requires_receivable_confirmation)
        return found

    def _collateral(self, need: NeedCase, day: date) -> int:
        found = self._set("unsecured", lambda o: CollateralKind.NONE in o.terms.collateral_accepted)
        for kind in need.terms.collateral:
            found |= self._set(("collateral", kind), lambda o, k=kind: k in o.terms.collateral_accepted)  # type: ignore[misc]
        return found
