"""Honours and tiers (规上, 高新技术企业, 专精特新 …): a firm may hold several, each valid for a period."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from contracts.firms import Honour
from contracts.values import HonourCode
from lianrong_platform.errors import Invalid

LABELS: dict[HonourCode, str] = {
    HonourCode.ABOVE_SCALE: "规上企业",
    HonourCode.HIGH_TECH: "高新技术企业",
    HonourCode.INNOVATIVE_SME: "创新型中小企业",
    HonourCode.SPECIALISED: "专精特新中小企业",
    HonourCode.LITTLE_GIANT: '专精特新"小巨人"',
    HonourCode.SINGLE_CHAMPION: "制造业单项冠军",
    HonourCode.DOUBLING: "东莞倍增企业",
}


def check_honours(honours: Iterable[Honour]) -> tuple[Honour, ...]:
    result = tuple(honours)
    for i, h in enumerate(result):
        if h.valid_until is not None and h.valid_until < h.valid_from:
            raise Invalid(
                "an honour cannot end before it starts", field=f"/honours/{i}/valid_until", code="ends_before_start"
            )
    codes = [h.code for h in result]
    if len(codes) != len(set(codes)):
        raise Invalid("each honour may be listed once", field="/honours", code="listed_twice")
    return result


def valid_on(honours: Iterable[Honour], day: date) -> tuple[HonourCode, ...]:
    return tuple(h.code for h in honours if h.valid_from <= day and (h.valid_until is None or day <= h.valid_until))
