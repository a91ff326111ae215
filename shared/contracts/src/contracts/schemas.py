"""Publishes the contracts as JSON Schema (one file per event type and version) and one AsyncAPI document, and checks
that a change within a version works both ways: readers of the published schema read the new events, and readers
of the new schema read the events already published. Anything else needs a new version and an upcaster.

    python -m contracts.schemas write   # regenerate shared/contracts/published/ (refuses incompatible changes)
    python -m contracts.schemas check   # exit 1 if published files are stale or a change is incompatible
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from contracts.catalogue import TOPICS, WEBHOOK_EVENTS
from contracts.envelope import Event
from contracts.evolution import UPCASTERS
from contracts.published import PUBLISHED
from contracts.version import __version__


def schema_of(event: type[Event]) -> dict[str, Any]:
    """The event's JSON Schema as readers get it: open to properties added later (readers ignore what they do not
    know), while producers stay strict in code."""
    schema: dict[str, Any] = _open(event.model_json_schema(mode="serialization", ref_template="#/$defs/{model}"))
    return schema


def _open(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _open(v) for k, v in node.items() if not (k == "additionalProperties" and v is False)}
    if isinstance(node, list):
        return [_open(v) for v in node]
    return node


def file_name(event: type[Event]) -> str:
    fields = event.model_fields
    return f"{fields['type'].default}.v{fields['version'].default}.json"


KAFKA_HEADERS = {
    "type": "object",
    "properties": {
        "event_type": {"type": "string", "description": "The event's type, e.g. matcher.MatchProposed."},
        "event_id": {"type": "string", "format": "uuid", "description": "The event's id (deduplicate on it)."},
        "correlation_id": {"type": "string", "format": "uuid", "description": "The request it follows from."},
        "content-type": {"type": "string", "const": "application/json"},
    },
}
WEBHOOK_HEADERS = {
    "type": "object",
    "required": ["webhook-id", "webhook-timestamp", "webhook-signature"],
    "properties": {
        "webhook-id": {"type": "string", "description": "The event id: a receiver drops a repeat of it."},
        "webhook-timestamp": {"type": "string", "description": "Seconds since the epoch when it was sent."},
        "webhook-signature": {
            "type": "string",
            "description": "v1,<base64 HMAC-SHA256 of id.timestamp.body>, keyed by the endpoint secret.",
        },
    },
}


def _message(event: type[Event], headers: dict[str, Any]) -> dict[str, Any]:
    name = event.model_fields["type"].default
    return {
        "name": name,
        "title": event.__name__,
        "summary": (event.__doc__ or "").strip().splitlines()[0],
        "contentType": "application/json",
        "headers": headers,
        "payload": {"$ref": f"./schemas/{file_name(event)}"},
        "bindings": {"kafka": {"key": {"type": "string", "description": f"the event's {event.key_field}"}}},
    }


def asyncapi() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in TOPICS:
        refs = {}
        for event in topic.events:
            name = event.model_fields["type"].default
            messages[name] = _message(event, KAFKA_HEADERS)
            refs[name] = {"$ref": f"#/components/messages/{name}"}
        channels[topic.name] = {
            "address": topic.name,
            "description": topic.description,
            "servers": [{"$ref": "#/servers/kafka"}],
            "messages": refs,
            "bindings": {"kafka": {"topic": topic.name, "partitions": topic.partitions}},
        }
        operations[f"publish.{topic.name}"] = {"action": "send", "channel": {"$ref": f"#/channels/{topic.name}"}}
    webhook_refs = {}
    for event in WEBHOOK_EVENTS:
        name = f"webhook.{event.model_fields['type'].default}"
        messages[name] = {**_message(event, WEBHOOK_HEADERS), "name": name, "bindings": {"http": {"method": "POST"}}}
        webhook_refs[name] = {"$ref": f"#/components/messages/{name}"}
    channels["bankWebhook"] = {
        "address": "{endpointUrl}",
        "title": "A bank's webhook endpoint",
        "description": "Each bank receives only its own events (proposals to its officers, data disclosed to it, "
        "what became of its matches), POSTed in the Standard Webhooks format, signed with the endpoint's secret, "
        "retried with back-off until a 2xx. Register endpoints at POST /v1/banks/{bank_id}/webhooks (banks API).",
        "servers": [{"$ref": "#/servers/webhooks"}],
        "parameters": {"endpointUrl": {"description": "The URL the bank registered."}},
        "messages": webhook_refs,
    }
    operations["deliver.bankWebhook"] = {"action": "send", "channel": {"$ref": "#/channels/bankWebhook"}}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Lianrong events",
            "version": __version__,
            "description": "Every event on Lianrong's Kafka topics, in one envelope (see Event), and the webhooks "
            "that carry each bank's own events to its systems. Readers ignore fields they do not know; an event "
            "version's schema only ever gains optional fields; a new version comes with an upcaster "
            "(lianrong-events).",
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {
                "host": "127.0.0.1:29092",
                "protocol": "kafka",
                "description": "The installation's Kafka (KAFKA_BOOTSTRAP_SERVERS); keys are the aggregate ids, "
                "values JSON, headers as described per message.",
            },
            "webhooks": {
                "host": "{bankHost}",
                "protocol": "https",
                "description": "A bank's own receiver, registered by its bank admin.",
                "variables": {"bankHost": {"description": "The host of the registered endpoint URL."}},
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: dict[str, Any] = schema["$defs"][ref.removeprefix("#/$defs/")]
        return resolved
    return node


def incompatibilities(old: dict[str, Any], new: dict[str, Any], path: str = "") -> list[str]:
    """Why `new` could not replace `old` within one version (empty when it can).

    Both ways must hold: a reader of `old` reads events valid under `new`, and a reader of `new` reads events
    already published under `old`. So only optional properties (with defaults) may be added; removing, renaming or
    retyping a property, requiring one that was optional (or the reverse), changing an enum's values, a const
    (type, version) or a format all break one side.
    """
    problems: list[str] = []

    def walk(o: dict[str, Any], n: dict[str, Any], at: str) -> None:
        o, n = _resolve(old, o), _resolve(new, n)
        for key in ("type", "const", "format"):
            if o.get(key) != n.get(key):
                problems.append(f"{at or '/'}: {key} changed from {o.get(key)!r} to {n.get(key)!r}")
        if "enum" in o or "enum" in n:
            gained, lost = (
                set(n.get("enum", [])) - set(o.get("enum", [])),
                set(o.get("enum", [])) - set(n.get("enum", [])),
            )
            if gained:
                problems.append(f"{at}: enum gained {sorted(gained)} that readers of the published schema do not know")
            if lost:
                problems.append(f"{at}: enum lost {sorted(lost)} that published events may carry")
        for combo in ("anyOf", "oneOf"):
            if combo in o or combo in n:
                if len(o.get(combo, [])) != len(n.get(combo, [])):
                    problems.append(f"{at}: {combo} changed")
                else:
                    for i, (a, b) in enumerate(zip(o[combo], n[combo], strict=True)):
                        walk(a, b, f"{at}/{combo}/{i}")
        if "items" in o and "items" in n:
            walk(o["items"], n["items"], f"{at}/items")
        oprops, nprops = o.get("properties", {}), n.get("properties", {})
        for name, sub in oprops.items():
            if name not in nprops:
                problems.append(f"{at}/{name}: removed (or renamed)")
            else:
                walk(sub, nprops[name], f"{at}/{name}")
        oreq, nreq = set(o.get("required", [])), set(n.get("required", []))
        for name in nreq - oreq:
            problems.append(f"{at}/{name}: newly required (events already published lack it)")
        for name in (oreq - nreq) & set(nprops):
            problems.append(f"{at}/{name}: no longer required (readers of the published schema need it)")

    walk(old, new, "")
    return problems


def missing_upcasters() -> list[str]:
    """Every version after the first must be reachable from the one before it."""
    return [
        f"{event.model_fields['type'].default} v{version}: no upcaster from v{version - 1} (contracts.evolution)"
        for topic in TOPICS
        for event in topic.events
        for version in range(2, event.model_fields["version"].default + 1)
        if (event.model_fields["type"].default, version - 1) not in UPCASTERS
    ]


def expected_files() -> dict[str, str]:
    files = {}
    for topic in TOPICS:
        for event in topic.events:
            files[f"schemas/{file_name(event)}"] = json.dumps(schema_of(event), indent=2, ensure_ascii=False) + "\n"
    files["asyncapi.yaml"] = yaml.safe_dump(asyncapi(), sort_keys=False, allow_unicode=True)
    return files


def check(published: Path = PUBLISHED) -> list[str]:
    """Stale or incompatible published files. A file of an earlier version stays published (readers of it exist)
    and is never rewritten; a new version is checked for an upcaster from the one before."""
    problems = missing_upcasters()
    for rel, text in expected_files().items():
        target = published / rel
        if not target.exists():
            problems.append(f"{rel}: not published yet (run `make contracts`)")
            continue
        current = target.read_text()
        if rel.endswith(".json"):
            for why in incompatibilities(json.loads(current), json.loads(text)):
                problems.append(f"{rel}: INCOMPATIBLE {why} (publish a new version with an upcaster instead)")
        if current != text:
            problems.append(f"{rel}: stale (run `make contracts`)")
    return problems


def write(published: Path = PUBLISHED) -> None:
    breaking = [p for p in check(published) if "INCOMPATIBLE" in p]
    if breaking:
        raise SystemExit("refusing to publish incompatible schemas:\n" + "\n".join(breaking))
    expected = expected_files()
    for rel, text in expected.items():
        target = published / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    for earlier in (published / "schemas").glob("*.json"):  # earlier versions: kept, and open like the others
        if f"schemas/{earlier.name}" not in expected:
            opened = json.dumps(_open(json.loads(earlier.read_text())), indent=2, ensure_ascii=False) + "\n"
            earlier.write_text(opened)


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "write":
        write()
    elif command == "check":
        problems = check()
        print("\n".join(problems) or "published schemas are current")
        raise SystemExit(1 if problems else 0)
    else:
        raise SystemExit("usage: python -m contracts.schemas write|check")


if __name__ == "__main__":
    main()
