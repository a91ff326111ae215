"""structlog set-up: JSON in production, readable in a terminal, context bound per request and per message, and
redaction so that no USCC, amount or personal datum reaches a log line in clear."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

# Keys whose values are personal data, firm identity or money: never logged in clear.
SENSITIVE_KEYS = frozenset(
    {
        "uscc",
        "legal_name",
        "name",
        "contact_name",
        "contact_phone",
        "phone",
        "email",
        "id_number",
        "amount",
        "approved_amount",
        "disbursed_amount",
        "revenue",
        "annual_supply_value",
        "password",
        "token",
        "authorization",
    }
)
USCC_PATTERN = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")
REDACTED = "[redacted]"


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return USCC_PATTERN.sub(REDACTED, value)
    if isinstance(value, dict):
        return {k: REDACTED if str(k).lower() in SENSITIVE_KEYS else _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrub(v) for v in value)
    return value


def redact(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: drop sensitive keys' values and USCC-shaped strings anywhere in the event."""
    for key in list(event_dict):
        event_dict[key] = REDACTED if key.lower() in SENSITIVE_KEYS else _scrub(event_dict[key])
    return event_dict


def configure_logging(service: str, fmt: str = "auto", level: str = "INFO") -> None:
    as_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer: Any = structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    # Libraries log through the standard library: route them to stderr at WARNING so they do not drown ours.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
