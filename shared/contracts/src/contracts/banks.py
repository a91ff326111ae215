"""Events published by the banks service."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from contracts.envelope import Event
from contracts.values import BankRole, ChainCode, Yuan

BANK_EVENTS = "banks.bank-events"


class LeadBankDesignated(Event):
    """The regulator designated a bank as lead bank (主办行) or cooperating bank (合作银行) of a key chain."""

    topic: ClassVar[str] = BANK_EVENTS
    key_field: ClassVar[str] = "bank_id"
    type: Literal["banks.LeadBankDesignated"] = "banks.LeadBankDesignated"
    version: Literal[1] = 1
    designation_id: UUID
    bank_id: UUID
    chain: ChainCode
    role: BankRole
    valid_from: date
    valid_until: date | None = None
    chain_credit_line: Yuan | None = None  # 整链授信, when the bank attaches one
