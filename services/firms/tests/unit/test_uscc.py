"""USCC (GB 32100-2015): every valid code passes; every single-character change of a valid one fails."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firms.domain.uscc import ALPHABET, InvalidUscc, check_character, validate_uscc

AUTHORITY_TYPES = [("9", "1"), ("9", "2"), ("9", "3"), ("1", "1"), ("5", "1"), ("Y", "1"), ("N", "2")]


@st.composite
def valid_usccs(draw: st.DrawFn) -> str:
    authority, kind = draw(st.sampled_from(AUTHORITY_TYPES))
    region = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    organisation = draw(st.text(alphabet=ALPHABET, min_size=9, max_size=9))
    first17 = authority + kind + region + organisation
    return first17 + check_character(first17)


def test_the_standard_example_is_valid() -> None:
    assert validate_uscc("91110000600037341L") == "91110000600037341L"
    assert validate_uscc(" 91110000600037341l ") == "91110000600037341L"


@given(valid_usccs())
def test_every_valid_uscc_passes(code: str) -> None:
    assert validate_uscc(code) == code


@given(valid_usccs(), st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET))
def test_every_single_character_change_fails(code: str, position: int, replacement: str) -> None:
    if code[position] == replacement:
        replacement = ALPHABET[(ALPHABET.index(replacement) + 1) % len(ALPHABET)]
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(InvalidUscc):
        validate_uscc(changed)


@given(valid_usccs(), st.integers(min_value=0, max_value=16))
def test_swapping_two_neighbours_fails_when_they_differ(code: str, position: int) -> None:
    if code[position] == code[position + 1]:
        return
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    with pytest.raises(InvalidUscc):
        validate_uscc(swapped)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("91110000600037341", "18 characters"),
        ("91110000600037341LL", "18 characters"),
        ("9111000060003734IL", "cannot contain I"),
        ("91110000600O37341L", "cannot contain"),
        ("Z1110000600037341L", "cannot contain"),
        ("B1110000600037341L", "not a registering authority"),
        ("95110000600037341L", "not an entity type"),
        ("911100A0600037341L", "region code"),
        ("91110000600037341M", "check character"),
    ],
)
def test_each_kind_of_mistake_is_explained(text: str, why: str) -> None:
    with pytest.raises(InvalidUscc, match=why):
        validate_uscc(text)
