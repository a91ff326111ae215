"""No USCC, amount or personal datum reaches a log line in clear."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr

import structlog

from lianrong_platform.logging import REDACTED, configure_logging, redact

VALID_USCC = "91110000600037341L"


def test_sensitive_keys_and_uscc_shaped_strings_are_redacted() -> None:
    out = redact(
        None,
        "info",
        {
            "event": f"registered firm {VALID_USCC}",
            "uscc": VALID_USCC,
            "amount": "1500000.00",
            "contact_name": "张三",
            "nested": {"phone": "13800000000", "note": f"see {VALID_USCC}"},
            "items": [VALID_USCC],
            "need_id": "3f1c",
        },
    )
    text = json.dumps(out, ensure_ascii=False)
    assert VALID_USCC not in text
    assert "1500000" not in text
    assert "张三" not in text
    assert "13800000000" not in text
    assert out["need_id"] == "3f1c"
    assert out["uscc"] == REDACTED


def test_json_logs_carry_bound_context_and_no_secrets() -> None:
    buffer = io.StringIO()
    with redirect_stderr(buffer):
        configure_logging("firms", "json", "INFO")
        with structlog.contextvars.bound_contextvars(correlation_id="c-1"):
            structlog.get_logger("t").info("need.submitted", amount="88.00", uscc=VALID_USCC)
    structlog.reset_defaults()
    line = json.loads(buffer.getvalue().strip().splitlines()[-1])
    assert line["event"] == "need.submitted"
    assert line["correlation_id"] == "c-1"
    assert line["service"] == "firms"
    assert line["amount"] == REDACTED
    assert line["uscc"] == REDACTED
