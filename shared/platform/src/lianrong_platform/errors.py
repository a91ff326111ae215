"""Errors a domain rule raises, shared by every service's domain code (plain Python: no framework here).

The HTTP layer maps them to problem+json: Invalid → 422, NotFound → 404, Conflict → 409, with `field` as the JSON
pointer of the input concerned. `code` and `params` say the same as the English message in a form a client can
translate (the portal shows "不能超过已审批金额 500,000 元" from `above_approval` with `{"approved": "500000"}`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    """A command that the rules refuse; `field` names the input it concerns, when there is one."""

    def __init__(
        self, message: str, *, field: str | None = None, code: str = "rule", params: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.params = {k: str(v) for k, v in (params or {}).items()}


class Invalid(DomainError):
    """The input breaks a rule (422)."""


class NotFound(DomainError):
    """No such thing, or not one the caller may see (404: the two look the same on purpose)."""


class Conflict(DomainError):
    """The command contradicts the current state (409): a second registration, a late amendment."""
