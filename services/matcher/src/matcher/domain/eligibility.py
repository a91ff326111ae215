"""Hard rules: a product that breaks one is not a candidate for the need. Each rule has a name that appears in the
explanation of every match ("excluded: amount_range — this product lends 10万–300万")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from contracts.values import BankRole, CollateralKind, ConsentScope
from matcher.domain.market import NeedCase, Offer

Rule = Callable[[NeedCase, Offer, BankRole | None, date], str | None]


def _wan(amount: object) -> str:
    return f"{float(str(amount)) / 10_000:g}万"


def product_active(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> str | None:
    t = o.terms
    if o.withdrawn or day < t.active_from or (t.active_until is not None and day > t.active_until):
        return "the product is not offered now"
    return None


def product_type(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> str | None:
    return None if o.terms.product_type in n.terms.product_types else "the firm did not ask for this kind of product"


def chain(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> str | None:
    return None if n.chain in o.terms.chains else "the product is not offered to this chain"


def amount_range(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> str | None:
    if o.terms.amount_min <= n.terms.amount <= o.terms.amount_max:
        return None
    return f"this product lends {_wan(o.terms.amount_min)}–{_wan(o.terms.amount_max)}"


def term_range(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> str | None:
    if o.terms.term_min_months <= n.terms.term_months <= o.terms.term_max_months:
        return None
    return f"this product's terms are {o.terms.term_min_months}–{o.terms.term_max_months} months"


def rate_ceiling(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> str | None:
    ceiling = n.terms.max_annual_rate
    if ceiling is None or o.terms.rate_min <= ceiling:
        return None
    return f"its lowest rate {o.terms.rate_min:.2%} is above the firm's ceiling {ceiling:.2%}"


def town(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> str | None:
    return None if not o.terms.towns or n.firm.town in o.terms.towns else "the product is not offered in this town"


def size_class(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> str | None:
    return None if n.firm.size_class in o.terms.size_classes else f"not offered to {n.firm.size_class.value} firms"


def honours(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> str | None:
    if not o.terms.honours_required:
        return None
    held = {h.code for h in n.firm.honours if h.valid_from <= day and (h.valid_until is None or day <= h.valid_until)}
    if held & set(o.terms.honours_required):
        return None
    return "needs one of the honours " + ", ".join(h.value for h in o.terms.honours_required)


def chain_master_confirmation(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> str | None:
    if o.terms.requires_link_confirmation and not n.position.link_confirmed:
        return "needs the chain master's confirmation of the supplier link"
    if o.terms.requires_receivable_confirmation:
        p = n.position
        if p.receivable_id is None or p.receivable_amount is None or p.receivable_due is None:
            return "needs a receivable or order confirmed by the chain master"
        if p.receivable_due < day:
            return "the confirmed receivable is past due"
    return None


def collateral(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> str | None:
    offered = set(n.terms.collateral)
    accepted = set(o.terms.collateral_accepted)
    if offered & accepted:
        return None
    if CollateralKind.NONE in accepted:
        return None  # an unsecured product takes a firm that offers security too
    return "needs collateral of a kind the firm did not offer"


def consent(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> str | None:
    if n.terms.consent_until < day:
        return "the firm's consent has expired"
    scope = n.terms.consent_scope
    if scope is ConsentScope.LEAD_BANK_ONLY and role is not BankRole.LEAD:
        return "the firm consented to the chain's lead bank only"
    if scope is ConsentScope.CHAIN_BANKS and role is None:
        return "the firm consented to the chain's designated banks only"
    return None


def capacity(n: NeedCase, o: Offer, role: BankRole | None, day: date) -> str | None:
    return None if o.free >= n.terms.amount else f"only {_wan(o.free)} of the product's line is free"


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
)


# What the offer index already guarantees of the candidates it returns (see OfferIndex.candidates).
ENSURED_BY_INDEX = frozenset({"product_type", "chain", "size_class"})
AFTER_INDEX: tuple[tuple[str, Rule], ...] = tuple((n, r) for n, r in RULES if n not in ENSURED_BY_INDEX)


def first_broken_rule(
    need: NeedCase, offer: Offer, role: BankRole | None, day: date, rules: tuple[tuple[str, Rule], ...] = RULES
) -> tuple[str, str] | None:
    for name, rule in rules:
        why = rule(need, offer, role, day)
        if why is not None:
            return name, why
    return None
