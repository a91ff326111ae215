"""Request bodies' shared rules."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, field_validator

from contracts.values import NumbersAreNotBooleans


def _not_nullable(schema: dict[str, Any]) -> None:
    """The document says what is accepted: each field's type, without null."""
    for prop in schema.get("properties", {}).values():
        options = prop.get("anyOf")
        if options:
            kept = [o for o in options if o.get("type") != "null"]
            prop.pop("anyOf")
            prop.update(kept[0] if len(kept) == 1 else {"anyOf": kept})
        if "default" in prop and prop["default"] is None:
            prop.pop("default")


class Patch(NumbersAreNotBooleans):
    """A partial change: a field left out stays as it is; null is refused (a PATCH never means "remove"), and the
    OpenAPI document says so."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_not_nullable)

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("leave the field out to keep it as it is; null is not a value")
        return value
