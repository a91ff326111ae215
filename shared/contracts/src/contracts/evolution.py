"""How events evolve without breaking anyone.

Within a version, a change may only add optional fields with defaults: old readers ignore what they do not know
(consumers decode as tolerant readers), new readers fill the default into old events. Anything else — a field
removed, renamed, retyped or newly required — is a new version of the event, with an upcaster here that turns the
previous version into it, so a handler only ever sees the latest version of each type, however old the message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]

# (event type, version it reads) → the function that returns the same event at version + 1
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    def register(fn: Upcaster) -> Upcaster:
        UPCASTERS[(event_type, from_version)] = fn
        return fn

    return register


def upcast(payload: Payload) -> Payload:
    """The payload raised version by version to the latest this code knows; unchanged when it is the latest."""
    while (step := UPCASTERS.get((payload.get("type", ""), payload.get("version", 0)))) is not None:
        payload = {**step(payload), "version": payload["version"] + 1}
    return payload


@upcaster("matcher.NeedEscalated", 1)
def _need_escalated_v2(payload: Payload) -> Payload:
    """v1 carried a sentence (`reason`), later also codes (`reasons`); v2 carries the codes alone. A v1 event from
    before the codes keeps its sentence as one reason of code `unspecified`."""
    v2 = {k: v for k, v in payload.items() if k != "reason"}
    if not payload.get("reasons"):
        v2["reasons"] = [{"code": "unspecified", "products": 0, "params": {"text": payload.get("reason", "")}}]
    return v2
