"""Where the published JSON Schemas and the AsyncAPI document are: inside the installed package, or beside the
sources in the repository."""

from __future__ import annotations

from pathlib import Path

_INSIDE = Path(__file__).parent / "published"  # in the wheel
_BESIDE = Path(__file__).resolve().parents[2] / "published"  # in the repository
PUBLISHED = _INSIDE if _INSIDE.is_dir() else _BESIDE


def schema_path(event_type: str, version: int) -> Path:
    return PUBLISHED / "schemas" / f"{event_type}.v{version}.json"


def asyncapi_path() -> Path:
    return PUBLISHED / "asyncapi.yaml"
