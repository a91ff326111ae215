"""A chain master's revocation reaches the matcher: the needs that relied on the confirmation lose it, so the next
decision neither counts it in the score nor passes products that require it."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from contracts import firms as firm_ev
from contracts import matcher as ev

from .conftest import MatcherWorld, need_event
from .test_routing import declined, proposals_of


def confirmation(proposal: ev.MatchProposed) -> float:
    return next(c.value for c in proposal.components if c.name == "chain_confirmation")


async def test_a_revoked_receivable_costs_the_need_its_confirmation_in_matching(matcher: MatcherWorld) -> None:
    await matcher.add_bank("lead", "东莞农村商业银行", "lead", products=2, officers=2)
    await matcher.add_bank(
        "factor", "招商银行东莞分行", "cooperating", product_type="receivable_pledge",
        requires_receivable_confirmation=True,
    )  # fmt: skip
    receivable_id = uuid.uuid4()
    need = need_event(product_types=("order_loan", "receivable_pledge"))
    need = need.model_copy(
        update={
            "position": firm_ev.ChainPosition(
                link_confirmed=True,
                receivable_id=receivable_id,
                receivable_kind="receivable",
                receivable_amount=Decimal("2000000"),
                receivable_due=date(2026, 1, 1) + timedelta(days=3650),
            )
        }
    )
    await matcher.publish(need)
    [first] = await proposals_of(matcher, need.need_id, 1)
    assert confirmation(first) == 1.0  # link and receivable confirmed

    revoked = firm_ev.ReceivableRevoked(
        producer="firms",
        receivable_id=receivable_id,
        link_id=uuid.uuid4(),
        supplier_firm_id=need.firm_id,
        chain_master_firm_id=uuid.uuid4(),
        reason="货物退回",
        need_ids=(need.need_id,),
    )
    await matcher.publish(revoked)
    await matcher.wait_for(
        "SELECT count(*) FROM needs WHERE need_id = $1 AND position->>'receivable_id' IS NULL", 1, need.need_id
    )
    await matcher.publish(declined(first, "insufficient_information"))
    _, second = await proposals_of(matcher, need.need_id, 2)
    assert isinstance(second, ev.MatchProposed)
    assert confirmation(second) == 0.6  # the link still stands; the receivable's part of the bonus is gone
    factor = matcher.banks["factor"].products[0]
    assert [code for p, code, _ in await matcher.exclusions(second.match_id) if p == str(factor)] == [
        "receivable_missing"
    ]


async def test_a_revoked_link_takes_the_confirmation_only_from_needs_on_that_chain_master(
    matcher: MatcherWorld,
) -> None:
    await matcher.add_bank("lead", "东莞农村商业银行", "lead")
    firm, master, other_master = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    on_master = need_event(amount="9000000").model_copy(  # escalated: stays open in the matcher
        update={"firm_id": firm, "position": firm_ev.ChainPosition(link_confirmed=True, chain_master_firm_id=master)}
    )
    on_other = need_event(amount="9000000").model_copy(
        update={
            "firm_id": firm,
            "position": firm_ev.ChainPosition(link_confirmed=True, chain_master_firm_id=other_master),
        }
    )
    await matcher.publish(on_master, on_other)
    await matcher.wait_for("SELECT count(*) FROM needs WHERE firm_id = $1", 2, firm)
    await matcher.publish(
        firm_ev.SupplierLinkRevoked(
            producer="firms",
            link_id=uuid.uuid4(),
            supplier_firm_id=firm,
            chain_master_firm_id=master,
            chain=on_master.chain,
            reason="已终止供货关系",
            need_ids=(on_master.need_id,),
        )
    )
    await matcher.wait_for(
        "SELECT count(*) FROM needs WHERE need_id = $1 AND NOT (position->>'link_confirmed')::boolean",
        1,
        on_master.need_id,
    )
    still = await matcher.pool.fetchval(
        "SELECT (position->>'link_confirmed')::boolean FROM needs WHERE need_id = $1", on_other.need_id
    )
    assert still is True  # the other chain master's confirmation stands
