"""Who may see and change what in the banks service, by the platform's one policy (`lianrong_platform.auth.policy`).
Another bank's things answer 404, as if they did not exist."""

from __future__ import annotations

from uuid import UUID

from banks.views import DesignationView, MatchView
from lianrong_platform.auth import Principal
from lianrong_platform.auth.policy import Resource, check, may
from lianrong_platform.errors import NotFound


def check_manages_bank(actor: Principal, bank_id: UUID) -> None:
    """A bank admin manages only their own bank's products and officers; a platform admin any bank's."""
    check(actor, Resource.BANK_SETUP, bank_id=bank_id)


def check_sees_products(actor: Principal, bank_id: UUID) -> None:
    """A bank's products and their lines: its own people, the regulator and the admin."""
    check(actor, Resource.BANK_PRODUCTS, bank_id=bank_id)


def check_sees_match(actor: Principal, match: MatchView | None) -> MatchView:
    """An officer sees only the matches assigned to them; a bank admin their bank's."""
    if match is None or not may(actor, Resource.MATCH, bank_id=match.bank_id, officer_id=match.officer_id):
        raise NotFound("no such match")
    return match


def designation_for(actor: Principal, view: DesignationView) -> DesignationView:
    """Designations are public (who leads which chain); the whole-chain credit line is the bank's own business."""
    if may(actor, Resource.CHAIN_CREDIT_LINE, bank_id=view.bank_id):
        return view
    return view.model_copy(update={"chain_credit_line": None})
