"""The OpenAPI document as the services behave: a bearer scheme on every route that needs a token, and every error
as the one problem+json model (RFC 9457 with `errors[]` of pointer, code and params) instead of FastAPI's own 422.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from lianrong_platform.http.problems import PROBLEM_JSON

# Routes anyone may call: probes, metrics, and the token endpoint (it takes a client credential instead).
PUBLIC = ("/healthz", "/readyz", "/metrics", "/v1/oauth/token")


class FieldError(BaseModel):
    """One refused input: where it is, a stable code and its limits, so a client can say it in its own words."""

    pointer: str = Field(description="JSON pointer into the body, or the name of the query/path parameter.")
    in_: str = Field(alias="in", description="body, query, path or header")
    detail: str
    code: str = Field(description="e.g. missing, greater_than, above_claim_backing")
    params: dict[str, str] = Field(default_factory=dict, description='e.g. {"gt": "0"}, {"left": "400000.00"}')


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of every service is answered."""

    type: str = Field(description="A URI naming the kind of problem; its last segment is a stable code.")
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] = Field(default_factory=list)


ERRORS = {
    "400": "The request cannot be read",
    "401": "No valid bearer token",
    "403": "The token's role may not do this",
    "404": "No such resource, or not one the caller may see",
    "409": "The request contradicts the current state",
    "413": "The body is larger than allowed",
    "422": "A field is invalid or a rule refuses the request; nothing was changed",
    "503": "The database cannot be reached for a moment (see Retry-After); repeat a write with its Idempotency-Key",
}


def install_openapi(app: FastAPI) -> None:
    def document() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {})
        models = components.setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            models.pop(name, None)
        models["FieldError"] = FieldError.model_json_schema(by_alias=True)
        models["Problem"] = Problem.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
        models["Problem"].pop("$defs", None)
        components["securitySchemes"] = {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "An Ed25519-signed JWT naming a role and the firm, bank or officer it acts for.",
            }
        }
        problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                public = path in PUBLIC
                if not public:
                    operation["security"] = [{"bearerAuth": []}]
                for status, description in ERRORS.items():
                    if public and status in ("401", "403"):
                        continue
                    responses[status] = {"description": description, "content": problem}
                if path == "/v1/oauth/token":
                    responses["401"] = {"description": "Unknown client or wrong secret", "content": problem}
                    responses["503"] = {"description": "This installation issues no tokens", "content": problem}
        app.openapi_schema = schema
        return schema

    app.openapi = document  # type: ignore[method-assign]
