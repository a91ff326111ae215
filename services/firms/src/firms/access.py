"""Who may see and change what. Another firm's resources answer 404, as if they did not exist."""

from __future__ import annotations

from uuid import UUID

from lianrong_platform.auth import Principal, Role
from lianrong_platform.errors import NotFound


def acting_firm(actor: Principal) -> UUID:
    """The firm an SME or chain master acts for."""
    if actor.firm_id is None:
        raise NotFound("this caller acts for no firm")
    return actor.firm_id


def check_own_firm(actor: Principal, firm_id: UUID, what: str = "firm") -> None:
    if actor.role is Role.ADMIN:
        return
    if actor.role in (Role.SME, Role.CHAIN_MASTER) and actor.firm_id == firm_id:
        return
    raise NotFound(f"no such {what}")
