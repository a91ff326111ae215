"""The firm a task force follows up (融资需求调度): its name, USCC and contact, for a coordinator whose towns hold it,
and only while the mechanism has put it before them — a need of it was escalated (no bank could take it) or it was
listed from a visit campaign (推荐清单). Any other firm answers 404, as if it did not exist: a coordinator is not a
directory of the city's firms."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from firms.views import ContactView
from lianrong_platform.auth import Principal, Role, require
from lianrong_platform.http.problems import NotFound
from lianrong_platform.http.transaction import transaction

router = APIRouter(prefix="/v1/desk-firms", tags=["coordination desk (融资需求调度)"])
Coordinator = Annotated[Principal, Depends(require(Role.COORDINATOR))]


class DeskFirmView(BaseModel):
    firm_id: UUID
    legal_name: str
    uscc: str
    town: str
    size_class: str
    contact: ContactView | None
    on_desk_because: list[Literal["escalated", "listed"]]


@router.get("/{firm_id}", summary="The firm behind a desk item: name, USCC and whom to call")
async def desk_firm(request: Request, firm_id: UUID, actor: Coordinator) -> DeskFirmView:
    async with transaction(request) as conn:
        row = await conn.fetchrow(
            """SELECT f.firm_id, f.legal_name, f.uscc, f.town, f.size_class, c.name AS contact_name, c.phone,
                      EXISTS (SELECT 1 FROM need_timeline t JOIN needs n USING (need_id)
                              WHERE n.firm_id = f.firm_id AND t.milestone = 'escalated') AS escalated,
                      EXISTS (SELECT 1 FROM listed_needs l WHERE l.firm_id = f.firm_id) AS listed
               FROM firms f LEFT JOIN firm_contacts c USING (firm_id) WHERE f.firm_id = $1""",
            firm_id,
        )
    because: list[Literal["escalated", "listed"]] = []
    if row is not None:
        because = [reason for reason in ("escalated", "listed") if row[reason]]
    if row is None or not because or not actor.covers_town(row["town"]):
        raise NotFound("no firm of your towns is on the coordination desk under this id")
    contact = ContactView(name=row["contact_name"], phone=row["phone"]) if row["contact_name"] else None
    return DeskFirmView(
        firm_id=row["firm_id"],
        legal_name=row["legal_name"],
        uscc=row["uscc"],
        town=row["town"],
        size_class=row["size_class"],
        contact=contact,
        on_desk_because=because,
    )
