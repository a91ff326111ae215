"""Who may see and change what in the banks service. Another bank's things answer 404, as if they did not exist."""

from __future__ import annotations

from uuid import UUID

from banks.views import MatchView
from lianrong_platform.auth import Principal, Role
from lianrong_platform.errors import NotFound


def check_manages_bank(actor: Principal, bank_id: UUID) -> None:
    """A bank admin manages only their own bank's products and officers; a platform admin any bank's."""
    if actor.role is Role.ADMIN or (actor.role is Role.BANK_ADMIN and actor.bank_id == bank_id):
        return
    raise NotFound("no such bank")


def check_sees_match(actor: Principal, match: MatchView | None) -> MatchView:
    """An officer sees only the matches assigned to them; a bank admin their bank's."""
    if match is not None:
        if actor.role is Role.OFFICER and actor.officer_id == match.officer_id:
            return match
        if actor.role is Role.BANK_ADMIN and actor.bank_id == match.bank_id:
            return match
    raise NotFound("no such match")
