"""`GET /v1/session`: who the bearer of this token is, as every API sees it (the portal asks it after login)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from lianrong_platform.auth.principal import Principal
from lianrong_platform.auth.verify import authenticated

router = APIRouter(tags=["session"])


@router.get("/v1/session", summary="The caller's role and the firm, bank or officer they act for")
async def session(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
    return principal
