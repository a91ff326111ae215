"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last a check character.

Positions: 1 registering authority, 2 entity type, 3–8 region code (Dongguan is 441900), 9–17 organisation code,
18 check character over the first 17.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
# Registering authority (1) with the entity types (2) it may issue; 9 = market regulation (enterprises).
_AUTHORITIES = {
    "1": "129",
    "2": "19",
    "3": "1234589",
    "4": "19",
    "5": "1239",
    "6": "129",
    "7": "129",
    "8": "19",
    "9": "123",
    "A": "19",
    "N": "12349",
    "Y": "1",
}
_REGION = re.compile(r"^\d{6}$")


class InvalidUscc(ValueError):
    """The text is not a valid USCC; the message says why, for the person who typed it, and `code` which rule."""

    def __init__(self, message: str, code: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(text: str) -> str:
    """The USCC in canonical (upper-case) form, or InvalidUscc saying what is wrong."""
    code = text.strip().upper()
    if len(code) != 18:
        raise InvalidUscc(f"a USCC has 18 characters, this has {len(code)}", "uscc_length", length=len(code))
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        raise InvalidUscc(
            f"a USCC cannot contain {', '.join(bad)} (letters I, O, S, V, Z are never used)",
            "uscc_character",
            characters=" ".join(bad),
        )
    kinds = _AUTHORITIES.get(code[0])
    if kinds is None:
        raise InvalidUscc(f"{code[0]!r} is not a registering authority", "uscc_authority")
    if code[1] not in kinds:
        raise InvalidUscc(f"{code[1]!r} is not an entity type that authority {code[0]!r} registers", "uscc_entity_type")
    if not _REGION.match(code[2:8]):
        raise InvalidUscc("positions 3–8 must be a six-digit region code", "uscc_region")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidUscc(
            "the check character (position 18) does not match: a character was mistyped", "uscc_check_character"
        )
    return code


def is_dongguan(code: str) -> bool:
    return code[2:8] == "441900"
