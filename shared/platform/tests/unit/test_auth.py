"""Tokens: signed with the issuer's private key, verified with the public key, each role naming its subject."""

from __future__ import annotations

import time
from datetime import timedelta
from uuid import uuid4

import jwt
import pytest
from pydantic import ValidationError

from lianrong_platform.auth import Principal, Role, TokenVerifier
from lianrong_platform.auth.issue import TokenIssuer, generate_key_pair
from lianrong_platform.http.problems import Unauthorized


@pytest.fixture(scope="module")
def keys() -> tuple[TokenIssuer, TokenVerifier]:
    private, public = generate_key_pair()
    return TokenIssuer(private), TokenVerifier(public, issuer="lianrong", audience="lianrong")


def test_a_token_carries_the_role_and_the_subject_acted_for(keys) -> None:
    issuer, verifier = keys
    bank, officer = uuid4(), uuid4()
    principal = verifier.verify(issuer.issue(Role.OFFICER, "li.wei", bank_id=bank, officer_id=officer))
    assert principal == Principal(subject="li.wei", role=Role.OFFICER, bank_id=bank, officer_id=officer)


def test_a_token_signed_by_another_key_is_refused(keys) -> None:
    _, verifier = keys
    stranger = TokenIssuer(generate_key_pair()[0])
    with pytest.raises(Unauthorized, match="not valid"):
        verifier.verify(stranger.issue(Role.ADMIN, "mallory"))


def test_an_expired_token_is_refused(keys) -> None:
    issuer, verifier = keys
    with pytest.raises(Unauthorized, match="expired"):
        verifier.verify(issuer.issue(Role.REGULATOR, "pboc", ttl=timedelta(seconds=-5)))


def test_a_token_for_another_audience_is_refused(keys) -> None:
    private, public = generate_key_pair()
    token = TokenIssuer(private, audience="elsewhere").issue(Role.ADMIN, "x")
    with pytest.raises(Unauthorized):
        TokenVerifier(public, issuer="lianrong", audience="lianrong").verify(token)


def test_an_unsigned_token_is_refused(keys) -> None:
    _, verifier = keys
    forged = jwt.encode(
        {"sub": "x", "role": "admin", "iss": "lianrong", "aud": "lianrong", "iat": 1, "exp": 2**40},
        key=None,
        algorithm="none",
    )
    with pytest.raises(Unauthorized):
        verifier.verify(forged)


@pytest.mark.parametrize("role", [Role.SME, Role.CHAIN_MASTER, Role.OFFICER, Role.BANK_ADMIN])
def test_a_role_without_its_subject_cannot_exist(role: Role) -> None:
    with pytest.raises(ValidationError):
        Principal(subject="x", role=role)


def test_a_token_whose_role_lacks_its_subject_is_refused(keys) -> None:
    issuer, verifier = keys
    token = jwt.encode(
        {
            "sub": "x",
            "role": "sme",
            "iss": "lianrong",
            "aud": "lianrong",
            "iat": int(time.time()),
            "exp": int(time.time()) + 3600,
        },
        issuer._key,
        algorithm="EdDSA",
    )
    with pytest.raises(Unauthorized, match="role or subject"):
        verifier.verify(token)


def test_a_token_that_lives_longer_than_allowed_is_refused(keys) -> None:
    issuer, verifier = keys
    assert verifier.verify(issuer.issue(Role.REGULATOR, "pboc", ttl=timedelta(days=30))).role is Role.REGULATOR
    with pytest.raises(Unauthorized, match="longer than allowed"):
        verifier.verify(issuer.issue(Role.ADMIN, "ops", ttl=timedelta(days=365)))
