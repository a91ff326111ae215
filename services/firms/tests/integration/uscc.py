"""Fresh, valid, Dongguan USCCs for test firms (synthetic: the organisation part is random)."""

from __future__ import annotations

import random

from firms.domain.uscc import ALPHABET, check_character


def new_uscc() -> str:
    first17 = "91441900" + "".join(random.choices(ALPHABET, k=9))
    return first17 + check_character(first17)
