"""RFC 9457 problem details for every error a Lianrong API returns.

Validation errors name each field with a JSON pointer into the request (`/amount`, `/honours/2/valid_until`) so a
form can show the message next to the field it concerns.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from lianrong_platform.errors import DomainError

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://lianrong.dg/problems/"


class Problem(Exception):
    """An error the client can act on. Subclass it for domain errors, or raise it directly."""

    status: int = 400
    code: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        code: str | None = None,
        title: str | None = None,
        errors: Sequence[dict[str, Any]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status or self.status
        self.code = code or self.code
        self.title = title or self.title
        self.errors = list(errors)
        self.headers = headers


class NotFound(Problem):
    status, code, title = 404, "not-found", "Not found"


class Conflict(Problem):
    status, code, title = 409, "conflict", "Conflict"


class Unauthorized(Problem):
    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(Problem):
    status, code, title = 403, "forbidden", "Forbidden"


def problem_response(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: Sequence[dict[str, Any]] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        # Every field error has the documented shape, whoever raised it: a code and its params at least.
        body["errors"] = [{"in": "body", "code": "invalid", "params": {}, **e} for e in errors]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _pointer(loc: Sequence[int | str]) -> str:
    # FastAPI prefixes the location with where it came from ("body", "query", "path", "header").
    parts = [str(p) for p in loc[1:]] if loc and loc[0] == "body" else [str(p) for p in loc]
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """One entry per invalid field: where (JSON pointer), what (English text), and pydantic's error type with its
    limits (`greater_than` with `{"gt": "0"}`) so a client can say the same in its own language."""
    errors = []
    for err in exc.errors():
        loc = err.get("loc", ())
        ctx = err.get("ctx") or {}
        errors.append(
            {
                "pointer": _pointer(loc),
                "in": str(loc[0]) if loc else "body",
                "detail": err.get("msg", "invalid").removeprefix("Value error, "),
                "code": err.get("type", "invalid"),
                "params": {k: str(v) for k, v in ctx.items() if k != "error"},
            }
        )
    return errors


# What a lost or refused database connection raises: connection errors, a server shutting down or refusing
# connections now (class 57: operator intervention), no connection free, a pool whose connection closed under it.
UNAVAILABLE: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,
    ConnectionError,
    TimeoutError,
)


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(request, exc.status, exc.code, exc.title, exc.detail, exc.errors, exc.headers)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = field_errors(exc)
        fields = ", ".join(e["pointer"] for e in errors)
        return problem_response(
            request, 422, "validation", "The request has invalid fields", f"Invalid: {fields}", errors
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        phrase = HTTPStatus(exc.status_code).phrase
        return problem_response(
            request,
            exc.status_code,
            phrase.lower().replace(" ", "-"),
            phrase,
            str(exc.detail),
            headers=getattr(exc, "headers", None),
        )

    async def on_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The database went away under the request (a restart, a failover, no connection free). It works again in
        # a moment: 503 says so, a 500 would say "a bug". If the connection broke during the commit, the write may
        # have landed: the client repeats it with its Idempotency-Key and gets the first result.
        log.warning("http.database_unavailable", path=request.url.path, error=f"{type(exc).__name__}: {exc}")
        return problem_response(
            request,
            503,
            "unavailable",
            "Service unavailable",
            "The database cannot be reached for a moment. A read changed nothing; a write may not have been applied: "
            "send it again with the same Idempotency-Key.",
            headers={"Retry-After": "2"},
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("http.unhandled_error", path=request.url.path)
        return problem_response(
            request,
            500,
            "internal",
            "Internal error",
            "The request could not be completed; nothing was changed. Try again later.",
        )

    async def on_domain(request: Request, exc: Exception) -> JSONResponse:
        # A rule refused outside a transaction block (an access policy checked first): the same problem as inside.
        from lianrong_platform.http.transaction import as_problem

        assert isinstance(exc, DomainError)
        return await on_problem(request, as_problem(exc))

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    for unavailable in UNAVAILABLE:  # handled as answers, not re-raised to the server as a crash would be
        app.add_exception_handler(unavailable, on_unavailable)
    app.add_exception_handler(Exception, on_unexpected)
