"""TLS and SASL are settings: with KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT and the KAFKA_SASL_* variables, the same
producer and consumer code talks to the broker's SASL listener (deploy/infra.sh runs one, PLAIN, with this
installation's password) — a real handshake; a wrong password never connects, and an incomplete setting is refused
before any client starts."""

from __future__ import annotations

import os
import uuid

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from lianrong_platform.kafka import connection
from lianrong_platform.kafka.connection import KafkaConnection
from lianrong_platform.kafka.producer import idempotent_producer

SASL_SERVERS = os.environ["LIANRONG_KAFKA_SASL_SERVERS"]
SASL_PASSWORD = os.environ["LIANRONG_KAFKA_SASL_PASSWORD"]


@pytest.fixture
def sasl_settings(monkeypatch: pytest.MonkeyPatch):
    def configure(password: str) -> None:
        monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
        monkeypatch.setenv("KAFKA_SASL_MECHANISM", "PLAIN")
        monkeypatch.setenv("KAFKA_SASL_USERNAME", "lianrong")
        monkeypatch.setenv("KAFKA_SASL_PASSWORD", password)
        connection.client_options.cache_clear()

    yield configure
    connection.client_options.cache_clear()


async def test_the_services_clients_produce_and_consume_over_sasl_by_settings_alone(fresh_topic, sasl_settings) -> None:
    topic = await fresh_topic("sasl", 1)
    sasl_settings(SASL_PASSWORD)
    producer = idempotent_producer(SASL_SERVERS, client_id="sasl-test")
    await producer.start()
    try:
        marker = uuid.uuid4().hex.encode()
        await producer.send_and_wait(topic, marker, key=b"k")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=SASL_SERVERS, auto_offset_reset="earliest", **connection.client_options()
    )
    await consumer.start()
    try:
        record = await consumer.getone()
        assert record.value == marker
    finally:
        await consumer.stop()


async def test_a_wrong_password_never_connects(sasl_settings) -> None:
    sasl_settings("not-" + SASL_PASSWORD)
    producer = idempotent_producer(SASL_SERVERS, client_id="sasl-wrong")
    with pytest.raises(KafkaError):
        await producer.start()
    await producer.stop()


def test_an_incomplete_security_setting_is_refused_with_what_is_missing() -> None:
    with pytest.raises(ValidationError, match="KAFKA_SASL_USERNAME"):
        KafkaConnection(security_protocol="SASL_SSL")
    with pytest.raises(ValidationError, match="KAFKA_SSL_KEYFILE"):
        KafkaConnection(security_protocol="SSL", ssl_certfile="client.pem")
    options = KafkaConnection(security_protocol="SSL").client_options()
    assert options["security_protocol"] == "SSL"
    assert options["ssl_context"].verify_mode.name == "CERT_REQUIRED"
