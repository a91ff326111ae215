"""Readable labels of the fixed reason lists, for officers' screens and SMEs' timelines."""

from __future__ import annotations

from contracts.values import DeclineReason, RejectReason

DECLINE_LABELS: dict[DeclineReason, str] = {
    DeclineReason.OUTSIDE_APPETITE: "不符合准入条件",
    DeclineReason.CAPACITY_EXHAUSTED: "额度已用尽",
    DeclineReason.INSUFFICIENT_INFORMATION: "信息不足",
    DeclineReason.CONFLICT_OF_INTEREST: "利益冲突",
    DeclineReason.OFFICER_UNAVAILABLE: "服务官无法受理",
    DeclineReason.OTHER: "其他",
}
REJECT_LABELS: dict[RejectReason, str] = {
    RejectReason.CREDIT_HISTORY: "征信记录不符",
    RejectReason.INSUFFICIENT_CASH_FLOW: "现金流不足",
    RejectReason.INSUFFICIENT_COLLATERAL: "担保/抵押不足",
    RejectReason.CHAIN_RELATION_UNVERIFIED: "供应链关系未核实",
    RejectReason.POLICY_RESTRICTION: "政策限制",
    RejectReason.FIRM_WITHDREW: "企业放弃",
    RejectReason.OTHER: "其他",
}
