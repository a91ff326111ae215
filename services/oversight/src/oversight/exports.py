"""The flows as a CSV an analyst can open in a spreadsheet: one quantity per column (counts, yuan and seconds never
share one), headers in Chinese by default (English on request), dimension values in words, every withheld figure
written as 未公布 / withheld (never 0 or blank), and a last line saying what was withheld and why."""

from __future__ import annotations

import csv
import io
from typing import Any, Literal

Language = Literal["zh", "en"]

DIMENSIONS = {
    "chain": ("产业链", "Chain"),
    "town": ("镇街", "Town"),
    "bank": ("银行", "Bank"),
    "size_class": ("企业规模", "Size class"),
    "week": ("周（周一）", "Week (Monday)"),
}
METRICS = {
    "submitted": ("提交需求", "Needs submitted"),
    "submitted_listed": ("推荐清单需求", "Needs from recommendation lists"),
    "matched": ("首次匹配", "Matched"),
    "rerouted": ("改派", "Re-routed"),
    "sla_breach": ("响应超时", "Answer deadline missed"),
    "escalated": ("上报调度", "Escalated"),
    "contacted": ("已对接", "Contacted"),
    "approved": ("审批通过", "Approved"),
    "disbursed": ("已放款", "Disbursed"),
    "disbursed_first_loan": ("首贷户放款", "Disbursed to first-time borrowers"),
    "disbursed_unsecured": ("信用贷款放款", "Disbursed unsecured"),
    "withdrawn": ("企业撤回", "Withdrawn"),
    "decision_breach": ("审批超期", "Decision deadline missed"),
    "declined": ("服务官转交", "Passed on"),
    "rejected": ("审批未通过", "Rejected"),
    "desk_listed": ("调度台列入", "Listed on the desk"),
    "desk_contacted": ("调度台已联系", "Contacted by the desk"),
    "desk_decided_in_time": ("30 天内作出授信结论", "Decided within 30 days"),
    "desk_approved": ("调度后获批", "Approved after the desk"),
    "desk_breach": ("调度超期", "Desk clock breached"),
    "desk_closed": ("调度结办", "Closed by the desk"),
    "to_contact": ("需求到对接", "Need to contact"),
    "to_decision": ("需求到授信结论", "Need to decision"),
}
UNITS = {"count": ("（笔）", " (count)"), "amount": ("（元）", " (yuan)"), "s": ("（秒）", " (seconds)")}
WITHHELD = ("未公布", "withheld")


def _label(metric: str, lang: Language) -> str:
    i = 0 if lang == "zh" else 1
    base, _, detail = metric.partition(":")  # declined:<reason>, rejected:<reason>, desk_closed:<outcome>
    words = METRICS.get(base, (base, base))[i]
    return f"{words}：{detail}" if detail and lang == "zh" else f"{words}: {detail}" if detail else words


def columns(report: dict[str, Any]) -> list[tuple[str, str]]:
    """(metric, quantity) for every column the cells have: counts, then amounts, then durations."""
    found: set[tuple[str, str]] = set()
    for cell in report["cells"]:
        for name, value in cell["metrics"].items():
            if isinstance(value, dict):
                found.add((name, "count"))
                if value.get("amount") is not None or name in cell.get("amounts_withheld", []):
                    found.add((name, "amount"))
            elif name.endswith(("_median_s", "_p90_s")):
                found.add((name, "s"))
        for name in cell.get("counts_withheld", []):
            found.add((name, "count"))
        for name in cell.get("amounts_withheld", []):
            found.add((name, "amount"))
    order = {"count": 0, "amount": 1, "s": 2}
    return sorted(found, key=lambda c: (order[c[1]], c[0]))


def _header(metric: str, quantity: str, lang: Language) -> str:
    i = 0 if lang == "zh" else 1
    if quantity == "s":
        base, _, stat = metric.rpartition("_")[0].rpartition("_")
        words = METRICS.get(base, (base, base))[i]
        stat_words = {"median": ("中位数", "median"), "p90": ("90 分位", "p90")}[stat][i]
        return f"{words}{'' if lang == 'zh' else ' '}{stat_words}{UNITS['s'][i]}"
    return f"{_label(metric, lang)}{UNITS[quantity][i]}"


def flows_csv(report: dict[str, Any], dims: list[str], names: dict[str, dict[str, str]], lang: Language) -> str:
    i = 0 if lang == "zh" else 1
    cols = columns(report)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([DIMENSIONS[d][i] for d in dims] + [_header(m, q, lang) for m, q in cols])
    withheld = 0
    for cell in report["cells"]:
        row: list[Any] = [names.get(d, {}).get(str(cell["key"].get(d, "")), cell["key"].get(d, "")) for d in dims]
        for metric, quantity in cols:
            value = cell["metrics"].get(metric)
            if (quantity == "count" and metric in cell.get("counts_withheld", [])) or (
                quantity == "amount" and metric in cell.get("amounts_withheld", [])
            ):
                row.append(WITHHELD[i])
                withheld += 1
            elif quantity == "count":
                row.append(value["count"] if isinstance(value, dict) else 0)
            elif quantity == "amount":
                row.append(value["amount"] if isinstance(value, dict) and value["amount"] is not None else "")
            else:
                row.append("" if value is None else value)
        writer.writerow(row)
    week_cells = report.get("week_cells_withheld", 0)
    writer.writerow(
        [
            WITHHELD[i],
            f"本表有 {withheld} 个数字、{week_cells} 个周单元格因披露控制未公布："
            "少于 5 家企业构成，或单一企业占金额 70% 以上"
            if lang == "zh"
            else f"{withheld} figures and {week_cells} week cells withheld by disclosure control: fewer than 5 firms, "
            "or one firm above 70% of an amount",
        ]
    )
    return out.getvalue()
