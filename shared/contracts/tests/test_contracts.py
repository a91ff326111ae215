"""The contracts: every event round-trips, producers are strict and readers tolerant, published schemas only ever
grow within a version, and an older version is read as the latest through its upcaster."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts import EVENT_TYPES, TOPICS, decode, encode
from contracts.envelope import utc_now
from contracts.firms import ChainPosition, FirmFacts, NeedSubmitted, NeedTerms, NeedWithdrawn
from contracts.matcher import MatchProposed, NeedEscalated, Reason, ScoreComponent
from contracts.schemas import PUBLISHED, check, expected_files, incompatibilities, schema_of, write
from contracts.values import ConsentScope, ProductType, SizeClass
from contracts.version import __version__


def need() -> NeedSubmitted:
    return NeedSubmitted(
        producer="firms",
        need_id=uuid4(),
        firm_id=uuid4(),
        chain="smart_terminal",
        terms=NeedTerms(
            amount=Decimal("1500000.00"),
            term_months=12,
            purpose="采购芯片备货",
            product_types=(ProductType.ORDER_LOAN,),
            consent_scope=ConsentScope.CHAIN_BANKS,
            consent_until=date(2030, 1, 1),
        ),
        first_loan=True,
        firm=FirmFacts(
            town="songshan_lake", employees=80, revenue_last_year=Decimal("30000000"), size_class=SizeClass.SMALL
        ),
        position=ChainPosition(),
    )


def test_every_event_type_round_trips_through_its_wire_form() -> None:
    samples = [
        need(),
        NeedWithdrawn(producer="firms", need_id=uuid4(), firm_id=uuid4()),
        MatchProposed(
            producer="matcher",
            match_id=uuid4(),
            need_id=uuid4(),
            firm_id=uuid4(),
            chain="smart_terminal",
            bank_id=uuid4(),
            bank_name="东莞农商银行",
            bank_role="lead",
            product_id=uuid4(),
            product_name="链e贷",
            officer_id=uuid4(),
            officer_name="李伟",
            reserved_amount=Decimal("1000000.00"),
            attempt=1,
            score=0.82,
            answer_by=utc_now(),
            components=(ScoreComponent(name="lead_bank", weight=0.3, value=1.0, explanation="主办行"),),
        ),
    ]
    for event in samples:
        assert decode(encode(event)) == event


def test_money_travels_as_an_exact_decimal_string() -> None:
    wire = json.loads(encode(need()))
    assert wire["terms"]["amount"] == "1500000.00"


def test_readers_ignore_fields_they_do_not_know_and_refuse_unknown_types() -> None:
    event = need()
    wire = json.loads(encode(event))
    wire["channel"] = "portal"  # a field a later contract added
    wire["terms"]["purpose_code"] = "inventory"  # also inside a nested model
    assert decode(json.dumps(wire)) == event
    with pytest.raises(ValidationError):
        decode(json.dumps({**wire, "type": "firms.NoSuchEvent"}))
    with pytest.raises(ValidationError):
        decode(json.dumps({**wire, "version": 7}))  # a version from the future: not readable, never guessed


def test_producers_stay_strict() -> None:
    with pytest.raises(ValidationError):
        NeedWithdrawn(producer="firms", need_id=uuid4(), firm_id=uuid4(), surprise=1)  # type: ignore[call-arg]


def test_a_version_1_escalation_is_read_as_version_2_through_its_upcaster() -> None:
    recorded_v1 = {
        "event_id": str(uuid4()),
        "type": "matcher.NeedEscalated",
        "version": 1,
        "occurred_at": "2026-11-20T08:00:00+00:00",
        "correlation_id": str(uuid4()),
        "causation_id": None,
        "producer": "matcher",
        "need_id": str(uuid4()),
        "firm_id": str(uuid4()),
        "chain": "smart_terminal",
        "attempts": 2,
        "reason": "no eligible candidate left among 3 (excluded by: amount_range)",
    }
    event = decode(json.dumps(recorded_v1))
    assert isinstance(event, NeedEscalated)
    assert event.version == 2
    assert event.reasons == (Reason(code="unspecified", products=0, params={"text": recorded_v1["reason"]}),)
    with_codes = {**recorded_v1, "reasons": [{"code": "amount_above_max", "products": 3, "params": {"max": "3000000"}}]}
    assert decode(json.dumps(with_codes)).reasons == (  # type: ignore[attr-defined]
        Reason(code="amount_above_max", products=3, params={"max": "3000000"}),
    )
    # The first version's schema stays published for the readers who still have it.
    assert (PUBLISHED / "schemas" / "matcher.NeedEscalated.v1.json").exists()


def test_events_are_frozen_and_keyed_by_their_aggregate() -> None:
    event = need()
    with pytest.raises(ValidationError):
        event.chain = "other"  # type: ignore[misc]
    assert event.key == str(event.need_id).encode()


def test_caused_events_share_the_correlation_and_point_at_their_cause() -> None:
    cause = need()
    effect = NeedWithdrawn(producer="firms", need_id=cause.need_id, firm_id=cause.firm_id, **cause.caused())
    assert effect.correlation_id == cause.correlation_id
    assert effect.causation_id == cause.event_id


def test_every_event_is_on_exactly_one_topic_with_explicit_partitions() -> None:
    seen = [e for t in TOPICS for e in t.events]
    assert len(seen) == len(set(seen)) == len(EVENT_TYPES)
    assert all(t.partitions >= 1 for t in TOPICS)
    assert all(t.name == e.topic for t in TOPICS for e in t.events)


def test_published_schemas_are_current_and_compatible() -> None:
    assert check() == []


def test_published_schemas_let_readers_ignore_added_fields() -> None:
    for name, text in expected_files().items():
        if name.endswith(".json"):
            assert '"additionalProperties": false' not in text, name


def test_adding_an_optional_field_is_compatible() -> None:
    old = schema_of(NeedSubmitted)
    new = copy.deepcopy(old)
    new["properties"]["note"] = {"type": "string", "default": ""}
    assert incompatibilities(old, new) == []


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda s: s["properties"].pop("first_loan"), "removed"),
        (lambda s: s["$defs"]["NeedTerms"]["required"].append("needed_by"), "newly required"),
        (lambda s: s["$defs"]["NeedTerms"]["properties"]["term_months"].update(type="string"), "type changed"),
        (lambda s: s["properties"]["version"].update(const=2), "const changed"),
        (lambda s: s["$defs"]["ConsentScope"]["enum"].append("everyone"), "enum gained"),
        (lambda s: s["$defs"]["ConsentScope"]["enum"].remove("chain_banks"), "enum lost"),
        (lambda s: s["required"].remove("first_loan"), "no longer required"),
        (
            lambda s: s["properties"].__setitem__("first_time", s["properties"].pop("first_loan")),
            "removed (or renamed)",
        ),
        (
            lambda s: s["properties"].__setitem__("channel", {"type": "string"}) or s["required"].append("channel"),
            "newly required",
        ),
    ],
)
def test_incompatible_changes_are_named(change, why: str) -> None:
    old = schema_of(NeedSubmitted)
    new = copy.deepcopy(old)
    change(new)
    assert any(why in p for p in incompatibilities(old, new))


def test_publishing_refuses_an_incompatible_change(tmp_path: Path) -> None:
    write(tmp_path)
    target = tmp_path / "schemas" / "firms.NeedSubmitted.v1.json"
    published = json.loads(target.read_text())
    published["properties"]["legacy_field"] = {"type": "string"}  # a field the current model no longer has
    target.write_text(json.dumps(published))
    with pytest.raises(SystemExit, match="incompatible"):
        write(tmp_path)


def test_asyncapi_document_names_every_topic_and_message() -> None:
    import yaml

    doc = yaml.safe_load(expected_files()["asyncapi.yaml"])
    assert set(doc["channels"]) == {t.name for t in TOPICS} | {"bankWebhook"}
    kafka = {name for name in doc["components"]["messages"] if not name.startswith("webhook.")}
    assert kafka == {e.model_fields["type"].default for e in EVENT_TYPES}
    assert doc["info"]["version"] == __version__
    assert set(doc["servers"]) == {"kafka", "webhooks"}
    proposal = doc["components"]["messages"]["matcher.MatchProposed"]
    assert set(proposal["headers"]["properties"]) >= {"event_type", "event_id", "correlation_id"}
    assert proposal["bindings"]["kafka"]["key"]["description"] == "the event's need_id"
    hook = doc["components"]["messages"]["webhook.matcher.MatchProposed"]
    assert hook["headers"]["required"] == ["webhook-id", "webhook-timestamp", "webhook-signature"]


def test_what_is_not_json_is_refused_as_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        decode(b"{not json")
    with pytest.raises(ValidationError):
        decode(b"[1, 2]")
