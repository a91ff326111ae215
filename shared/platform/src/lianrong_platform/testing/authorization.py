"""Authorization matrices: every endpoint × every kind of caller, with what each should get."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence

import httpx

OK = "ok"  # authorised: 2xx, or 409/422 from a business rule the request met after passing authorisation


def expected_row(callers: Sequence[str], ok: Collection[str], not_found: Collection[str] = ()) -> dict[str, object]:
    """What each caller gets: OK if allowed, 401 anonymously, 404 for the right role but not its resource, else 403."""
    return {c: OK if c in ok else 401 if c == "anonymous" else 404 if c in not_found else 403 for c in callers}


async def outcomes(callers: Sequence[str], send: Callable[[str], Awaitable[httpx.Response]]) -> dict[str, object]:
    """What each caller actually got; refusals must be problem+json."""
    seen: dict[str, object] = {}
    for caller in callers:
        response = await send(caller)
        if response.status_code in (401, 403, 404):
            assert response.headers["content-type"] == "application/problem+json", caller
            seen[caller] = response.status_code
        else:
            assert response.status_code < 300 or response.status_code in (409, 422), (caller, response.text)
            seen[caller] = OK
    return seen
