"""Hard rules: a product that breaks one is not a candidate for the need.

Each rule answers with a stable reason code and its parameters (`amount_above_max {"max": "3000000.00"}`), as the
APIs' field errors do, so the portal can say it in Chinese, an SME can see what to change, and the decision record
can be replayed and compared code for code. The English sentence is composed from the code (`reasons.describe`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from contracts.values import BankRole, CollateralKind, ConsentScope
from matcher.domain.market import NeedCase, Offer


class Broken(NamedTuple):
    """Why one product cannot take one need: a stable code and its parameters (strings, as on the wire)."""

    code: str
    params: dict[str, str]


Rule = Callable[[NeedCase, Offer, BankRole | None, date], Broken | None]


def _broken(code: str, **params: object) -> Broken:
    return Broken(code, {name: str(value) for name, value in params.items()})


# The codes with no parameters, built once: a decision excludes most candidates, often for one of these. (Their
# params are never changed by readers: summaries and events copy them.)
_INACTIVE = Broken("product_inactive", {})


def _of_offer(o: Offer, code: str, **params: object) -> Broken:
    """An exclusion whose parameters come from the offer's terms alone, built once per offer (the offer is replaced,
    and this forgotten, when its line or terms change)."""
    found: Broken | None = o.memo.get(code)
    if found is None:
        found = o.memo[code] = _broken(code, **params)
    return found


_LINK_UNCONFIRMED = Broken("link_unconfirmed", {})
_RECEIVABLE_MISSING = Broken("receivable_missing", {})
_LEAD_BANK_ONLY = Broken("consent_lead_bank_only", {})
_CHAIN_BANKS_ONLY = Broken("consent_chain_banks_only", {})


def product_active(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> Broken | None:
    t = o.terms
    if o.withdrawn or day < t.active_from or (t.active_until is not None and day > t.active_until):
        return _INACTIVE
    return None


def product_type(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> Broken | None:
    if o.terms.product_type in n.terms.product_types:
        return None
    return _broken("product_type_not_asked", product_type=o.terms.product_type.value)


def chain(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> Broken | None:
    return None if n.chain in o.terms.chains else _broken("chain_not_served", chain=n.chain)


def amount_range(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> Broken | None:
    if n.terms.amount < o.terms.amount_min:
        return _of_offer(o, "amount_below_min", min=o.terms.amount_min)
    if n.terms.amount > o.terms.amount_max:
        return _of_offer(o, "amount_above_max", max=o.terms.amount_max)
    return None


def term_range(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> Broken | None:
    if n.terms.term_months < o.terms.term_min_months:
        return _of_offer(o, "term_below_min", min=o.terms.term_min_months)
    if n.terms.term_months > o.terms.term_max_months:
        return _of_offer(o, "term_above_max", max=o.terms.term_max_months)
    return None


def rate_ceiling(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> Broken | None:
    ceiling = n.terms.max_annual_rate
    if ceiling is None or o.terms.rate_min <= ceiling:
        return None
    return _broken("rate_above_ceiling", rate_min=o.terms.rate_min, ceiling=ceiling)


def town(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> Broken | None:
    return None if not o.terms.towns or n.firm.town in o.terms.towns else _broken("town_not_served", town=n.firm.town)


def size_class(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> Broken | None:
    if n.firm.size_class in o.terms.size_classes:
        return None
    return _broken("size_not_served", size_class=n.firm.size_class.value)


def honours(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> Broken | None:
    if not o.terms.honours_required:
        return None
    held = {h.code for h in n.firm.honours if h.valid_from <= day and (h.valid_until is None or day <= h.valid_until)}
    if held & set(o.terms.honours_required):
        return None
    return _of_offer(o, "honour_missing", any_of=",".join(h.value for h in o.terms.honours_required))


def chain_master_confirmation(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> Broken | None:
    if o.terms.requires_link_confirmation and not n.position.link_confirmed:
        return _LINK_UNCONFIRMED
    if o.terms.requires_receivable_confirmation:
        p = n.position
        if p.receivable_id is None or p.receivable_amount is None or p.receivable_due is None:
            return _RECEIVABLE_MISSING
        if p.receivable_due < day:
            return _broken("receivable_past_due", due=p.receivable_due.isoformat())
    return None


def collateral(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> Broken | None:
    offered = set(n.terms.collateral)
    accepted = set(o.terms.collateral_accepted)
    if offered & accepted:
        return None
    if CollateralKind.NONE in accepted:
        return None  # an unsecured product takes a firm that offers security too
    return _of_offer(o, "collateral_not_accepted", accepted=",".join(sorted(c.value for c in accepted)))


def consent(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> Broken | None:
    if n.terms.consent_until < day:
        return _broken("consent_expired", until=n.terms.consent_until.isoformat())
    scope = n.terms.consent_scope
    if scope is ConsentScope.LEAD_BANK_ONLY and role is not BankRole.LEAD:
        return _LEAD_BANK_ONLY
    if scope is ConsentScope.CHAIN_BANKS and role is None:
        return _CHAIN_BANKS_ONLY
    return None


def capacity(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> Broken | None:
    return None if o.free >= n.terms.amount else Broken("line_insufficient", {"free": o.free_text})


def chain_line(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> Broken | None:
    """整链授信: the bank's whole-chain credit line for the need's chain caps all its products on that chain."""
    if o.chain_free is None or o.chain_free >= n.terms.amount:
        return None
    return Broken("chain_line_insufficient", {"free": str(o.chain_free)})


# Cheapest and most selective first: a product is dropped at its first broken rule.
RULES: tuple[tuple[str, Rule], ...] = (
    ("product_active", product_active),
    ("product_type", product_type),
    ("chain", chain),
    ("consent", consent),
    ("amount_range", amount_range),
    ("term_range", term_range),
    ("size_class", size_class),
    ("town", town),
    ("rate_ceiling", rate_ceiling),
    ("honours", honours),
    ("chain_master_confirmation", chain_master_confirmation),
    ("collateral", collateral),
    ("capacity", capacity),
    ("chain_line", chain_line),
)


# What the offer index already guarantees of the candidates it returns (see OfferIndex.candidates).
ENSURED_BY_INDEX = frozenset({"product_type", "chain", "size_class"})
AFTER_INDEX: tuple[tuple[str, Rule], ...] = tuple((n, r) for n, r in RULES if n not in ENSURED_BY_INDEX)
# What reading the offers of the need's chain and asked kinds guarantees (the service's reads and Snapshot).
ENSURED_BY_READ = frozenset({"product_type", "chain"})
AFTER_READ: tuple[tuple[str, Rule], ...] = tuple((n, r) for n, r in RULES if n not in ENSURED_BY_READ)


def first_broken_rule(
    need: NeedCase, offer: Offer, role: BankRole | None, day: date, rules: tuple[tuple[str, Rule], ...] = RULES
) -> tuple[str, Broken] | None:
    for name, rule in rules:
        broken = rule(need, offer, role, day)
        if broken is not None:
            return name, broken
    return None
