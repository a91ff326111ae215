"""HTTP routes of the recommendation list (推荐清单): the template, and the upload a coordinator makes of a visit
campaign's firms and needs, answered row by row."""

from __future__ import annotations

import csv
import zipfile
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from firms import listing
from lianrong_platform.auth import Principal, Role, require
from lianrong_platform.http.problems import Problem
from lianrong_platform.http.transaction import transaction

router = APIRouter(prefix="/v1/recommendation-lists", tags=["recommendation lists (推荐清单)"])
Coordinator = Annotated[Principal, Depends(require(Role.COORDINATOR))]
MAX_UPLOAD_BYTES = 32 * 1024 * 1024  # 24,000 rows are about 5 MB as CSV


class RowResult(BaseModel):
    row: int = Field(description="The row's line in the file (the header is line 1).")
    result: str = Field(description="created, present (listed before: nothing new) or refused.")
    field: str | None = None
    code: str | None = None
    detail: str | None = None
    uscc: str | None = None
    need_id: str | None = None
    firm_id: str | None = None
    firm_registered: bool | None = Field(default=None, description="False: a record the firm claims by logging in.")


class UploadResult(BaseModel):
    list_id: str
    created: int
    present: int
    refused: int
    rows: list[RowResult]


@router.get(
    "/template.csv",
    summary="The list's template: its columns with Chinese headers and one example row",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "UTF-8 with a BOM"}},
)
async def template() -> Response:
    return Response(
        listing.template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="recommendation-list-template.csv"'},
    )


@router.post("", status_code=201, summary="Upload a list (CSV or XLSX): every row created, already present or refused")
async def upload(request: Request, file: UploadFile, actor: Coordinator) -> UploadResult:
    content = await file.read()
    name = file.filename or "list.csv"
    try:
        async with transaction(request) as conn:
            answer: dict[str, Any] = await listing.upload(conn, actor, content, name)
    except listing.RowProblem as problem:
        raise Problem(
            problem.detail,
            status=422,
            code="validation",
            title="The file cannot be read as a list",
            errors=[{"pointer": f"/{problem.field}", "in": "body", "detail": problem.detail, "code": problem.code}],
        ) from problem
    except (ValueError, KeyError, OSError, csv.Error, zipfile.BadZipFile) as exc:  # not a CSV or XLSX at all
        raise Problem(
            "The file is neither a CSV nor an XLSX list.",
            status=422,
            code="validation",
            errors=[{"pointer": "/file", "in": "body", "detail": str(exc)[:200], "code": "unreadable_file"}],
        ) from exc
    return UploadResult.model_validate(answer)
