"""One database transaction per command, with domain errors turned into problem+json.

A refused command raises inside the transaction, so it rolls back and changes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import Request

from lianrong_platform import errors
from lianrong_platform.db import Connection
from lianrong_platform.http.problems import Conflict, NotFound, Problem


def as_problem(exc: errors.DomainError) -> Problem:
    fields = (
        [{"pointer": exc.field, "in": "body", "detail": exc.message, "code": exc.code, "params": exc.params}]
        if exc.field
        else []
    )
    if isinstance(exc, errors.NotFound):
        return NotFound(exc.message)
    if isinstance(exc, errors.Conflict):
        # The rule's own code names the problem when it has one (its type URL), so a client can branch on it.
        return Conflict(exc.message, code=None if exc.code == "rule" else exc.code, errors=fields)
    return Problem(exc.message, status=422, code="validation", title="The request breaks a rule", errors=fields)


@asynccontextmanager
async def transaction(request: Request) -> AsyncIterator[Connection]:
    try:
        async with request.app.state.pool.acquire() as conn, conn.transaction():
            yield conn
    except errors.DomainError as exc:
        raise as_problem(exc) from exc
    except asyncpg.UniqueViolationError as exc:  # a concurrent twin of this request won the race
        raise Conflict("this was done already by a concurrent request") from exc
    except asyncpg.CheckViolationError as exc:  # the database's last line of defence for an invariant
        raise Conflict(f"this would break a rule the records must keep ({exc.constraint_name})") from exc
