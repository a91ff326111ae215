"""What each notification says, in Chinese: a title (an SMS starts with it, an e-mail's subject is it) and a body.

Each message holds no more than its reader may see: an officer and a task force read the chain, the town and the
amount, never the firm's name (they open it in the portal, where their access is checked); an SME reads its bank,
product and officer; a bank admin reads the chain. Amounts in yuan with thousands separators, times in Beijing time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from notifier.domain import names

CHINA = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Message:
    kind: str
    title: str
    body: str
    link: str = ""  # the portal page it concerns

    def sms(self) -> str:
        return f"【链融】{self.title}：{self.body}"


def yuan(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    text = f"{amount:,.2f}"
    return (text[:-3] if text.endswith(".00") else text) + " 元"


def when(at: datetime) -> str:
    local = at.astimezone(CHINA)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def within(delta: timedelta) -> str:
    minutes = max(0, round(delta.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes} 分钟"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} 小时" + (f" {minutes} 分钟" if minutes else "")
    return f"{hours // 24} 天"


def percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


# The SME


def matched(bank: str, product: str, officer: str, answer_by: datetime, recommended: bool) -> Message:
    how = "融资需求调度专班已将您的需求推荐给" if recommended else "您的融资需求已匹配到"
    return Message(
        "sme_matched",
        "需求已由调度专班推荐" if recommended else "需求已匹配银行",
        f"{how}{bank}「{product}」，制造业金融服务官{officer}将在 {when(answer_by)} 前回复。",
        "#/sme",
    )


def contacted(bank: str) -> Message:
    return Message("sme_contacted", "服务官已受理", f"{bank}的服务官已受理您的需求，将与您联系并开展审批。", "#/sme")


def declined(bank: str, reason: str) -> Message:
    why = names.DECLINE_REASONS.get(reason, names.DECLINE_REASONS["other"])
    return Message(
        "sme_declined",
        "银行未能受理",
        f"{bank}未能受理您的需求（原因：{why}）。系统正在为您匹配其他银行，无需重新提交。",
        "#/sme",
    )


def approved(amount: Decimal, rate: Decimal, term_months: int) -> Message:
    return Message(
        "sme_approved",
        "贷款审批通过",
        f"您的贷款已审批通过：{yuan(amount)}，年利率 {percent(rate)}，期限 {term_months} 个月。",
        "#/sme",
    )


def rejected(reason: str) -> Message:
    why, change = names.REJECT_REASONS.get(reason, names.REJECT_REASONS["other"])
    return Message("sme_rejected", "贷款未获批准", f"您的贷款申请未获批准（原因：{why}）。{change}。", "#/sme")


def disbursed(amount: Decimal) -> Message:
    return Message("sme_disbursed", "贷款已放款", f"您的贷款 {yuan(amount)} 已放款。", "#/sme")


def escalated(reasons: list[str]) -> Message:
    known = [names.ESCALATION_REASONS[r] for r in reasons if r in names.ESCALATION_REASONS][:2]
    why = f"（{'；'.join(known)}）" if known else ""
    return Message(
        "sme_escalated",
        "需求已转交调度专班",
        f"暂时没有银行能够受理您的需求{why}。需求已转交融资需求调度专班跟进；您也可以在链融修改需求后重新提交。",
        "#/sme",
    )


def desk_contacted(kind: str) -> Message:
    how = "走访" if kind == "visit" else "电话联系"
    return Message(
        "sme_desk_contacted", "调度专班已跟进", f"融资需求调度专班已{how}了解您的需求，并将协调银行对接。", "#/sme"
    )


def desk_closed(outcome: str) -> Message:
    return Message(
        "sme_desk_closed",
        "调度事项已办结",
        f"融资需求调度专班已办结您的需求：{names.DESK_OUTCOMES.get(outcome, outcome)}。如仍需融资，可重新提交需求。",
        "#/sme",
    )


# The officer


def new_match(chain: str, amount: Decimal, answer_by: datetime, recommended: bool) -> Message:
    source = "（调度专班推荐）" if recommended else ""
    return Message(
        "officer_match",
        "新的匹配需求",
        f"{names.chain(chain)}产业链，金额 {yuan(amount)}{source}，请在 {when(answer_by)} 前受理或转交。",
        "#/officer",
    )


def answer_due(chain: str, amount: Decimal, answer_by: datetime, now: datetime) -> Message:
    return Message(
        "officer_reminder",
        "匹配需求即将超时",
        f"{names.chain(chain)}产业链 {yuan(amount)} 的需求还有 {within(answer_by - now)}到期"
        f"（{when(answer_by)}），超时将转给其他银行。",
        "#/officer",
    )


# The task force


def listed(town: str, chain: str, amount: Decimal | None, decide_by: datetime, source: str) -> Message:
    how = "匹配未果，转入调度" if source == "escalation" else "列入推荐清单"
    return Message(
        "coordinator_listed",
        f"{names.town(town)}新增调度需求",
        f"{names.town(town)}{names.chain(chain)}产业链一笔 {yuan(amount)} 的融资需求{how}，"
        f"请在 {when(decide_by)} 前推动银行作出授信决定。",
        "#/desk",
    )


# The bank admin


def nobody_on_duty(chain: str) -> Message:
    return Message(
        "bank_no_officer",
        "产业链无在岗服务官",
        f"贵行{names.chain(chain)}产业链的产品目前没有在岗的制造业金融服务官，新的需求不会分派给贵行。"
        "请安排服务官在岗。",
        "#/bank",
    )
