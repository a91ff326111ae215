"""Every service's OpenAPI document tells the truth: schemathesis generates requests for every operation of every
running API (bounded examples per operation, valid and invalid data, with a platform admin's token) and checks each
answer: no server error, and status code, content type, headers and body all as documented."""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lianrong_platform.auth import Role
from lianrong_platform.auth.issue import TokenIssuer

from .stack import Stack, running_stack

SERVICES = ("firms", "banks", "matcher", "oversight", "notifier")
# Per operation and mode: enough to find a class of crash, bounded for a 2-core CI (CONFORMANCE_EXAMPLES=200 for more).
EXAMPLES = int(os.environ.get("CONFORMANCE_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
async def stack(infra, module_databases, tmp_path_factory) -> AsyncIterator[Stack]:
    state: Path = tmp_path_factory.mktemp("conformance")
    async with running_stack(infra, module_databases, state) as running:
        yield running


@pytest.fixture(scope="module")
def admin_headers(stack: Stack) -> dict[str, str]:
    issuer = TokenIssuer((stack.state / "keys" / "jwt-private.pem").read_bytes())
    return {"Authorization": f"Bearer {issuer.issue(Role.ADMIN, 'conformance', ttl=timedelta(hours=1))}"}


def fuzz(operation: Any, mode: schemathesis.GenerationMode, headers: dict[str, str]) -> str | None:
    """Bounded examples of one operation in one mode; the first failure found, in words, or None."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        database=None,
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        return None  # nothing to make invalid: an operation without parameters or body
    except BaseException as exc:  # schemathesis reports its findings as an exception group
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        lines = [line.strip(" |") for line in str(exc).splitlines() if line.strip(" |")]
        return f"{operation.label} ({mode.value}): " + " / ".join(lines[:6])[:600]
    return None


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_answers_as_documented(service: str, stack: Stack, admin_headers: dict[str, str]) -> None:
    # Server-Sent Events streams never end: they are tested by the services' own suites.
    schema = schemathesis.openapi.from_url(f"{stack.urls[service]}/openapi.json").exclude(path_regex=r"/stream$|/live$")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 3
    failures = [
        failure
        for operation in operations
        for mode in schemathesis.GenerationMode
        if (failure := fuzz(operation, mode, admin_headers)) is not None
    ]
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("service", SERVICES)
async def test_the_docs_ui_needs_no_outside_network(service: str, stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.urls[service]) as client:
        page = (await client.get("/docs")).text
        assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page)
        assert assets
        assert all(a.startswith("/") for a in assets), assets  # nothing from a CDN
        for asset in assets:
            assert (await client.get(asset)).status_code == 200, asset
        spec = (await client.get("/openapi.json")).json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            if path not in ("/healthz", "/readyz", "/metrics", "/v1/oauth/token"):
                assert operation["security"] == [{"bearerAuth": []}], path
                assert {"401", "403", "404", "409", "422"} <= set(operation["responses"]), path
            assert "HTTPValidationError" not in json.dumps(operation)
