"""Reason codes in English words, for logs, the `explain` command and readers without a translation table.

The codes and their parameters are the contract (the portal words them in Chinese); these sentences are not."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

TEXT: dict[str, str] = {
    "product_inactive": "the product is not offered now",
    "product_type_not_asked": "the firm did not ask for {product_type}",
    "chain_not_served": "the product is not offered to the chain {chain}",
    "amount_below_min": "this product lends from {min} yuan",
    "amount_above_max": "this product lends up to {max} yuan",
    "term_below_min": "this product's terms start at {min} months",
    "term_above_max": "this product's terms end at {max} months",
    "rate_above_ceiling": "its lowest rate {rate_min} is above the firm's ceiling {ceiling}",
    "town_not_served": "the product is not offered in {town}",
    "size_not_served": "the product is not offered to {size_class} firms",
    "honour_missing": "the product needs one of the honours {any_of}",
    "link_unconfirmed": "the product needs the chain master's confirmation of the supplier link",
    "receivable_missing": "the product needs a receivable or order confirmed by the chain master",
    "receivable_past_due": "the confirmed receivable fell due on {due}",
    "collateral_not_accepted": "the product needs security of a kind the firm did not offer ({accepted})",
    "consent_expired": "the firm's consent ended on {until}",
    "consent_lead_bank_only": "the firm consented to the chain's lead bank only",
    "consent_chain_banks_only": "the firm consented to the chain's designated banks only",
    "line_insufficient": "only {free} yuan of the product's line is free",
    "chain_line_insufficient": "only {free} yuan of the bank's whole-chain credit line (整链授信) is free",
    "no_officer": "no available officer of this bank covers the chain and town",
    "already_tried": "this bank, product or officer passed the need on before",
    "outranked": "eligible, score {score}",
    "outranked_by_lead_bank": "eligible, score {score} (lead bank first)",
    "no_product": "no bank offers the kind of product asked for on this chain",
}


def describe(code: str, params: Mapping[str, str]) -> str:
    template = TEXT.get(code, code)
    try:
        return template.format(**params)
    except KeyError:
        return template


# For a reason met on several products, the figure an SME can act on: the highest maximum, the lowest minimum …
_NEAREST: dict[str, tuple[str, bool]] = {
    "amount_above_max": ("max", True),
    "amount_below_min": ("min", False),
    "term_above_max": ("max", True),
    "term_below_min": ("min", False),
    "rate_above_ceiling": ("rate_min", False),
}
# A bank's free line is its own business: an SME learns that lines are full, not how full.
_UNSAID = frozenset({"line_insufficient", "chain_line_insufficient", "outranked", "outranked_by_lead_bank"})


def summarise(excluded: Iterable[tuple[str, Mapping[str, str]]]) -> list[tuple[str, int, dict[str, str]]]:
    """Reasons counted over products, most frequent first, with no bank or product named: (code, products,
    params)."""
    by_code: dict[str, list[Mapping[str, str]]] = {}
    for code, params in excluded:
        found = by_code.get(code)
        if found is None:
            by_code[code] = [params]
        else:
            found.append(params)
    summary = []
    for code, all_params in by_code.items():
        nearest = _NEAREST.get(code)
        if code in _UNSAID:
            best: dict[str, str] = {}
        elif nearest is None or len(all_params) == 1:
            best = dict(all_params[0])
        else:  # the first of the highest (or lowest) figure, as products were considered
            key, highest = nearest
            figures = [Decimal(p[key]) for p in all_params]
            at = figures.index(max(figures) if highest else min(figures))
            best = dict(all_params[at])
        summary.append((code, len(all_params), best))
    summary.sort(key=lambda s: (-s[1], s[0]))
    return summary
