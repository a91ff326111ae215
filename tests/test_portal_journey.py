"""The portal in a real browser (Debian's Chromium, driven by Playwright) against every service running as it does in
production, seeded with the demo market through the APIs. One running system serves the whole module:

- the journey: an SME's bad form is refused field by field; its need reaches the lead bank's officer live; the officer
  accepts, approves and disburses; the SME sees it on its timeline; the PBOC dashboard's numbers move;
- a newcomer registers with the USCC checked as it is typed;
- an SME declares a receivable on a confirmed link, its chain master confirms it, and a need is published against it;
- a bank admin publishes a product, changes its line, stops selling it, adds and pauses an officer, with the
  services' errors shown in Chinese next to the fields;
- the PBOC dashboard's weekly lines agree with the oversight API, and its CSV export downloads;
- a need can be published with the keyboard alone, and every control on every page is reachable by Tab and named;
- every page fits a phone's width.

Screenshots of each page are kept under test-artifacts/screenshots."""

from __future__ import annotations

import asyncio
import random
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from firms.domain.size import SizeThresholds
from firms.domain.uscc import ALPHABET, check_character
from firms.listing import COLUMNS

from .stack import LOGS, Stack, running_stack, seed_demo

SHOTS = LOGS / "screenshots"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 812}


@dataclass
class Demo:
    stack: Stack
    people: dict[str, dict[str, Any]]
    browser: Browser

    def first(self, role: str) -> str:
        return next(name for name, p in self.people.items() if p["role"] == role)

    async def log_in(self, person: str, viewport: dict[str, int] | None = None) -> Page:
        context = await self.browser.new_context(viewport=viewport or {"width": 1200, "height": 900}, locale="zh-CN")
        page = await context.new_page()
        await page.goto(self.stack.urls["portal"])
        await page.locator(f'button[data-person="{person}"]').click()
        return page

    async def api(self, service: str, person: str, path: str) -> Any:
        headers = {"Authorization": f"Bearer {self.people[person]['token']}"}
        async with httpx.AsyncClient(base_url=self.stack.urls[service], headers=headers) as client:
            response = await client.get(path)
            response.raise_for_status()
            return response.json()


@pytest.fixture(scope="module")
async def demo(infra, module_databases, tmp_path_factory) -> AsyncIterator[Demo]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    state: Path = tmp_path_factory.mktemp("portal")
    async with running_stack(infra, module_databases, state) as stack:
        people = await seed_demo(stack)
        await asyncio.sleep(5)  # the demo's own needs are being matched
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            yield Demo(stack, people, browser)
            await browser.close()


async def choose_terms(form) -> None:
    """What the need form leaves to the SME (nothing is chosen for it): a product type and whom it consents to."""
    await form.locator('input[name="product_types"][value="order_loan"]').check()
    await form.locator('select[name="consent_scope"]').select_option("chain_banks")


async def test_an_sme_need_travels_to_the_officer_and_back_and_the_pboc_sees_it(demo: Demo) -> None:
    pboc = await demo.log_in(demo.first("regulator"))
    row = pboc.locator('tr[data-chain="smart_terminal"] td[data-metric="disbursed"]')
    submitted = pboc.locator('tr[data-chain="smart_terminal"] td[data-metric="submitted"]')
    await expect(row).to_be_visible(timeout=20_000)
    disbursed_before = await row.inner_text()
    submitted_before = int(await submitted.inner_text())
    await pboc.screenshot(path=str(SHOTS / "pboc-before.png"), full_page=True)

    page = await demo.log_in(demo.first("sme"))
    await expect(page.locator("#needs")).to_be_visible()
    needs_before = await page.locator("#needs article").count()
    need_form = page.locator("#need-form")
    await need_form.locator('input[name="amount"]').fill("-5")
    await need_form.locator('button[type="submit"]').click()
    await expect(need_form.locator('[data-error="amount"]')).to_have_text("须大于 0")  # said in Chinese
    await page.screenshot(path=str(SHOTS / "sme-form-errors.png"), full_page=True)
    assert await page.locator("#needs article").count() == needs_before  # nothing was created

    await need_form.locator('input[name="amount"]').fill("800000")
    await need_form.locator('select[name="chain"]').select_option("smart_terminal")
    await choose_terms(need_form)
    await expect(need_form.locator("#consent-text")).to_contain_text("本产业链的主办行和合作银行")
    await need_form.locator('button[type="submit"]').click()
    await expect(page.locator("#needs article")).to_have_count(needs_before + 1, timeout=10_000)
    newest = page.locator("#needs article").first
    need_id = await newest.get_attribute("data-need")
    await expect(newest.locator('[data-status="matched"]')).to_be_visible(timeout=30_000)
    # Where it stands, how long the bank has, and why this bank, in Chinese sentences (no English, no weights shown).
    await expect(newest.locator('.stage-bar li[aria-current="step"]')).to_have_text("匹配")
    await expect(newest.locator('[data-stage-now="matched"]')).to_contain_text("等待服务官受理，剩余")
    reasons = await newest.locator('li[data-milestone="matched"] .why-bank ul.why li').all_inner_texts()
    assert reasons, "no explanation of the match"
    assert all(re.search(r"[\u4e00-\u9fff]", r) for r in reasons), reasons
    assert not await newest.locator('li[data-milestone="matched"] .why-bank details').evaluate("d => d.open")
    await page.screenshot(path=str(SHOTS / "sme-matched.png"), full_page=True)

    # The officer the matcher chose, as the SME's timeline names them.
    matched = newest.locator('li[data-milestone="matched"]')
    officer = f"{await matched.get_attribute('data-bank')}服务官{await matched.get_attribute('data-officer')}"
    assert demo.people[officer]["role"] == "officer"
    desk = await demo.log_in(officer)
    card = desk.locator(f'article[data-need="{need_id}"]')
    await expect(card).to_be_visible(timeout=20_000)
    await desk.screenshot(path=str(SHOTS / "officer-queue.png"), full_page=True)
    await card.locator('[data-action="accept"]').click()
    await expect(card.locator('form[data-form="approve"]')).to_be_visible(timeout=10_000)
    await card.locator('form[data-form="approve"] button[type="submit"]').click()
    await expect(card.locator('form[data-form="disburse"]')).to_be_visible(timeout=10_000)
    await card.locator('form[data-form="disburse"] input[name="amount"]').fill("999999999")
    await card.locator('form[data-form="disburse"] button[type="submit"]').click()
    # More than approved: refused, in Chinese, naming the approved amount.
    await expect(card.locator('[data-error="amount"]')).to_have_text("不能超过已审批金额 800,000 元")
    await card.locator('form[data-form="disburse"] input[name="amount"]').fill("800000.00")
    await card.locator('form[data-form="disburse"] button[type="submit"]').click()
    await expect(card).to_have_count(0, timeout=10_000)  # done: off the queue
    await expect(desk.locator('#closed tr[data-match] [data-status="disbursed"]').first).to_be_visible()

    await expect(newest.locator('[data-status="disbursed"]')).to_be_visible(timeout=30_000)
    # The decision's terms on the timeline, as the SME reads them.
    await expect(newest.locator('[data-terms="approved"]')).to_have_text("审批通过：800,000 元 · 年利率 4% · 12 个月")
    await expect(newest.locator('[data-terms="disbursed"]')).to_contain_text("已放款 800,000 元")
    await expect(newest.locator(".stage-bar li.done")).to_have_count(5)
    await page.screenshot(path=str(SHOTS / "sme-disbursed.png"), full_page=True)

    await expect(row).not_to_have_text(disbursed_before, timeout=30_000)  # the live feed moved it
    # One firm's disbursal is a figure of fewer than five firms: withheld (未公布, the rule on hover), never 0 or 1.
    await expect(row).to_have_text("未公布")
    assert "5" in (await row.locator(".withheld").get_attribute("title") or "")
    assert int(await submitted.inner_text()) == submitted_before + 1
    await pboc.screenshot(path=str(SHOTS / "pboc-after.png"), full_page=True)


async def test_a_newcomer_registers_with_the_uscc_checked_as_it_is_typed(demo: Demo) -> None:
    newcomer = await demo.log_in("新注册企业1")
    form = newcomer.locator("#register")
    code = "91441900" + "MA4W1TPL8"
    code += check_character(code)
    await form.locator('input[name="uscc"]').fill(code[:-1] + ("0" if code[-1] != "0" else "1"))
    await expect(form.locator('[data-error="uscc"]')).to_have_text("校验位不符，请检查是否输错")
    await form.locator('input[name="uscc"]').fill("Z" + code[1:])
    await expect(form.locator('[data-error="uscc"]')).to_contain_text("含有无效字符 Z")
    await form.locator('input[name="uscc"]').fill(code)
    await expect(form.locator('[data-error="uscc"]')).to_be_empty()
    await form.locator('button[type="submit"]').click()  # no name, no contact: refused field by field
    await expect(form.locator('[data-error="legal_name"]')).to_have_text("至少 1 个字符")
    await newcomer.screenshot(path=str(SHOTS / "sme-registration-errors.png"), full_page=True)
    await form.locator('input[name="legal_name"]').fill("东莞市新创精密科技有限公司")
    await form.locator('input[name="contact_name"]').fill("赵敏")
    await form.locator('input[name="contact_phone"]').fill("1391234")  # seven digits: not a phone number
    await form.locator('button[type="submit"]').click()
    await expect(form.locator('[data-error="contact_phone"]')).to_have_text(
        "请输入11位手机号或带区号的座机号（如 0769-22000000）"
    )
    await expect(form.locator('input[name="contact_phone"]')).to_have_attribute("aria-invalid", "true")
    await form.locator('input[name="contact_phone"]').fill("139 1234 5678")
    await form.locator('button[type="submit"]').click()
    await expect(newcomer.locator("h1")).to_have_text("东莞市新创精密科技有限公司", timeout=10_000)
    await newcomer.locator("#declare-link button[type=submit]").click()
    await expect(newcomer.locator(".status.pending")).to_be_visible(timeout=10_000)
    await newcomer.screenshot(path=str(SHOTS / "sme-registered.png"), full_page=True)


async def test_an_smes_receivable_confirmed_by_its_chain_master_backs_a_need(demo: Demo) -> None:
    sme = demo.first("sme")
    firm_id = demo.people[sme]["firm_id"]
    links = await demo.api("firms", sme, f"/v1/firms/{firm_id}/links")
    [link, *_] = [x for x in links if x["status"] == "confirmed"]
    page = await demo.log_in(sme)
    claim = page.locator(f'form[data-form="claim"][data-link="{link["link_id"]}"]')
    await claim.locator('input[name="amount"]').fill("0")
    await claim.locator('button[type="submit"]').click()
    await expect(claim.locator('[data-error="amount"]')).to_have_text("须大于 0")
    claims_before = len(await demo.api("firms", sme, "/v1/receivables"))
    assert claims_before == await page.locator("#my-claims li[data-claim]").count()  # nothing was declared
    await claim.locator('input[name="amount"]').fill("654321")
    await claim.locator('button[type="submit"]').click()
    mine = page.locator("#my-claims li[data-claim]")
    await expect(mine).to_have_count(claims_before + 1, timeout=10_000)
    declared = {
        r["receivable_id"] for r in await demo.api("firms", sme, "/v1/receivables") if r["amount"] == "654321.00"
    }
    [claim_id] = declared

    master = await demo.log_in(link["chain_master_name"])
    card = master.locator(f'article[data-claim="{claim_id}"]')
    await expect(card).to_contain_text("应收账款 654,321 元")
    firm = await demo.api("firms", sme, f"/v1/firms/{firm_id}")
    await expect(card).to_contain_text(firm["legal_name"])
    await master.screenshot(path=str(SHOTS / "chain-master.png"), full_page=True)
    await card.locator('[data-action="confirm"]').click()
    await expect(card).to_have_count(0, timeout=10_000)

    await page.reload()
    await expect(page.locator("#needs article").first).to_be_visible()  # the needs of earlier tests are drawn
    need_form = page.locator("#need-form")
    await need_form.locator('select[name="chain"]').select_option(link["chain"])
    await need_form.locator('select[name="receivable_id"]').select_option(claim_id)
    await need_form.locator('input[name="amount"]').fill("600000")  # a receivable backs no more than its amount
    await choose_terms(need_form)
    needs_before = await page.locator("#needs article").count()
    await need_form.locator('button[type="submit"]').click()
    await expect(page.locator("#needs article")).to_have_count(needs_before + 1, timeout=10_000)
    newest = await page.locator("#needs article").first.get_attribute("data-need")
    position = (await demo.api("firms", sme, f"/v1/needs/{newest}"))["position"]
    assert (position["receivable_id"], position["receivable_amount"]) == (claim_id, "654321.00")


async def test_a_bank_admin_publishes_a_product_changes_its_line_and_manages_officers(demo: Demo) -> None:
    admin = demo.first("bank_admin")
    bank_id = demo.people[admin]["bank_id"]
    page = await demo.log_in(admin)
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    form = page.locator("#new-product")
    await expect(form).to_be_visible()
    products_before = len(await demo.api("banks", admin, f"/v1/banks/{bank_id}/products"))

    assert await form.locator('select[name="product_type"]').input_value() == ""  # no type chosen for the admin
    await form.locator('input[name="amount_min"]').fill("9000000")  # above the largest loan: a rule across fields
    await form.locator('button[type="submit"]').click()  # no name, no type, and the range runs backwards: all at once
    await expect(form.locator('[data-error="name"]')).to_have_text("至少 1 个字符")
    await expect(form.locator('[data-error="product_type"]')).not_to_be_empty()
    await expect(form.locator('[data-error="amount_min"]')).to_have_text("最低金额高于最高金额")
    await page.screenshot(path=str(SHOTS / "bank-product-errors.png"), full_page=True)
    assert len(await demo.api("banks", admin, f"/v1/banks/{bank_id}/products")) == products_before  # nothing made

    await form.locator('input[name="name"]').fill("链融测试订单贷")
    await form.locator('select[name="product_type"]').select_option("order_loan")
    await form.locator('input[name="amount_min"]').fill("10万")
    await form.locator('input[name="honours_favoured"][value="specialised"]').check()
    await form.locator('button[type="submit"]').click()
    row = page.locator('tr[data-product="链融测试订单贷"]')
    await expect(row).to_be_visible(timeout=10_000)
    await row.locator("details[data-terms] > summary").click()  # its terms, readable after publishing
    terms = row.locator("details[data-terms] dl.terms")
    await expect(terms).to_contain_text("订单贷")
    await expect(terms).to_contain_text("100,000 – 5,000,000 元")
    await expect(terms).to_contain_text("专精特新")

    line = row.locator('form[data-form="line"]')
    await line.locator('input[name="capacity"]').fill("-1")
    await line.locator('button[type="submit"]').click()
    await expect(line.locator('[data-error="capacity"]')).to_have_text("不能小于 0")
    await line.locator('input[name="capacity"]').fill("200000000")
    await line.locator('button[type="submit"]').click()
    await expect(row.locator('[data-field="remaining"]')).to_have_text("200,000,000", timeout=10_000)
    await row.locator('[data-action="withdraw"]').click()
    stop = page.locator('dialog[data-dialog="confirm"]')
    await expect(stop).to_contain_text("已在办的匹配和贷款不受影响")
    await stop.locator('[data-action="confirm"]').click()
    await expect(row.locator(".status.withdrawn")).to_be_visible(timeout=10_000)
    stored = [
        p
        for p in await demo.api("banks", admin, f"/v1/banks/{bank_id}/products")
        if p["terms"]["name"] == "链融测试订单贷"
    ]
    assert [(p["terms"]["capacity"], p["withdrawn"]) for p in stored] == [("200000000.00", True)]  # canonical

    officers = page.locator("#new-officer")
    await officers.locator('button[type="submit"]').click()
    await expect(officers.locator('[data-error="name"]')).to_have_text("至少 1 个字符")
    await officers.locator('input[name="name"]').fill("林晓")
    await officers.locator('input[name="centre"]').fill("松山湖制造业服务中心")
    await officers.locator('button[type="submit"]').click()
    officer = page.locator('tr[data-officer="林晓"]')
    await expect(officer.locator('[data-available="true"]')).to_be_visible(timeout=10_000)
    await officer.locator('[data-action="availability"]').click()
    await expect(officer.locator('[data-available="false"]')).to_be_visible(timeout=10_000)
    designated = {d["chain"] for d in await demo.api("banks", admin, "/v1/designations") if d["bank_id"] == bank_id}
    assert designated
    assert await page.locator("#coverage tr[data-chain]").count() == len(designated)
    await page.screenshot(path=str(SHOTS / "bank-admin.png"), full_page=True)


async def test_the_pboc_dashboard_draws_weekly_lines_that_agree_with_the_oversight_api(demo: Demo) -> None:
    regulator = demo.first("regulator")
    page = await demo.log_in(regulator)
    weekly = await demo.api("oversight", regulator, "/v1/oversight/flows?by=chain,week")
    expected = {
        (c["key"]["chain"], c["key"]["week"]): c["metrics"].get("submitted", {}).get("count", 0)
        for c in weekly["cells"]
    }
    assert expected, "the demo market should publish at least one chain-week"
    lines = page.locator("#trend g[data-series]")
    await expect(lines.first).to_be_visible(timeout=20_000)
    drawn = {}
    for i in range(await lines.count()):
        chain = await lines.nth(i).get_attribute("data-series")
        for point in (await lines.nth(i).get_attribute("data-points") or "").split(","):
            week, value = point.split(":")
            drawn[(chain, week)] = int(value)
    assert drawn
    assert drawn == {k: expected[k] for k in drawn}  # the six busiest chains, as the API counts them

    await expect(page.locator("#trend figure")).to_have_attribute("data-weeks", "13")  # 12 weeks back and this one
    await page.get_by_label("期间").select_option("4")  # the period
    await expect(page.locator("#trend figure")).to_have_attribute("data-weeks", "5")
    await page.locator("#trend").locator("..").locator("select").first.select_option("bank")
    await expect(page.locator("#trend figcaption")).to_contain_text("银行")  # redrawn with a line per bank
    legend = page.locator("#trend .legend li")
    await expect(legend.first).to_be_visible()
    banks = {b["name"] for b in await demo.api("banks", regulator, "/v1/banks")} | {"尚未派单"}
    assert {await li.inner_text() for li in await legend.all()} <= banks  # names, not ids
    await expect(page.locator("#sla g[data-series]")).to_have_count(3)

    async with page.expect_download() as download:
        await page.get_by_role("button", name="导出 CSV").click()
    saved = await (await download.value).path()
    csv = await asyncio.to_thread(Path(saved).read_text, encoding="utf-8")
    header, *_, withheld = csv.splitlines()
    assert header.startswith("产业链,")  # Chinese headers, one quantity per column
    assert "提交需求（笔）" in header
    assert "提交需求（元）" in header
    assert withheld.startswith("未公布,")  # and a line on what disclosure control withheld

    # The key figures of the period, each published or said to be withheld; the axes say their units.
    cards = page.locator("#kpis [data-kpi]")
    await expect(cards).to_have_count(10)
    four_weeks = (datetime.now(UTC) - timedelta(weeks=4)).date().isoformat()  # the period chosen above
    whole = (await demo.api("oversight", regulator, f"/v1/oversight/flows?by=&from={four_weeks}"))["cells"][0]
    needs = page.locator('#kpis [data-kpi="needs"] .value')
    held = "submitted" in whole["counts_withheld"]
    await expect(needs).to_have_text("未公布" if held else str(whole["metrics"]["submitted"]["count"]))
    await expect(page.locator("#trend svg .unit").first).to_have_text("笔")
    assert await page.locator("#trend svg line.grid").count() >= 2  # a y-axis with its values
    assert "0" in await page.locator("#trend svg text.axis").all_text_contents()
    await page.get_by_label("分组方式").select_option("town")
    await expect(page.locator("#flows-heading")).to_have_text("资金流向（按镇街）")  # the heading follows the grouping
    await page.screenshot(path=str(SHOTS / "pboc-dashboard.png"), full_page=True)


async def test_an_sme_publishes_a_need_with_the_keyboard_alone(demo: Demo) -> None:
    page = await demo.log_in(demo.first("sme"))
    await expect(page.locator("#needs")).to_be_visible()
    needs_before = await page.locator("#needs article").count()
    for _ in range(80):  # Tab from the top of the page to the amount field
        await page.keyboard.press("Tab")
        if await page.evaluate(
            "document.activeElement.name === 'amount' && !!document.activeElement.closest('#need-form')"
        ):
            break
    else:
        raise AssertionError("the amount field cannot be reached with Tab")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("650000")
    for _ in range(40):  # a product type, ticked with the space bar
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.name === 'product_types'"):
            break
    await page.keyboard.press("Space")
    for _ in range(40):  # whom it consents to, chosen with the arrow keys
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.name === 'consent_scope'"):
            break
    await page.keyboard.press("ArrowDown")
    for _ in range(40):
        await page.keyboard.press("Tab")
        if await page.evaluate(
            "document.activeElement.type === 'submit' && !!document.activeElement.closest('#need-form')"
        ):
            break
    else:
        raise AssertionError("the submit button cannot be reached with Tab")
    await page.keyboard.press("Enter")
    await expect(page.locator("#needs article")).to_have_count(needs_before + 1, timeout=10_000)
    await expect(page.locator("#needs article").first).to_contain_text("650,000")


async def test_a_chain_master_revokes_a_confirmation_and_the_sme_reads_why(demo: Demo) -> None:
    """The chain master withdraws a supplier's confirmation with a reason; the supplier's open needs lose it, and the
    SME reads on the need's timeline, in Chinese, what happened and why; an escalation says what stopped the need."""
    candidates = [name for name, p in demo.people.items() if p["role"] == "sme" and name != demo.first("sme")]
    for sme in candidates:
        firm_id = demo.people[sme]["firm_id"]
        try:
            links = await demo.api("firms", sme, f"/v1/firms/{firm_id}/links")
        except httpx.HTTPStatusError:
            continue  # a newcomer who has not registered
        needs = await demo.api("firms", sme, "/v1/needs")
        confirmed = [x for x in links if x["status"] == "confirmed"]
        open_needs = [n for n in needs if n["status"] not in ("disbursed", "withdrawn")]
        if confirmed and any(n["chain"] == confirmed[0]["chain"] for n in open_needs):
            break
    else:
        raise AssertionError("the demo has no supplier with a confirmed link and an open need on its chain")
    link = confirmed[0]
    need = next(n for n in open_needs if n["chain"] == link["chain"])

    master = await demo.log_in(link["chain_master_name"])
    row = master.locator(f'tr[data-supplier-link="{link["link_id"]}"]')
    await row.locator('[data-action="revoke"]').click()
    form = row.locator("form.revoke")
    await expect(form).to_contain_text("在途融资需求将失去确权支持")  # what follows is said before it is done
    await form.locator('button[type="button"]').click()  # cancel: nothing is sent
    assert [
        x["status"]
        for x in await demo.api("firms", sme, f"/v1/firms/{firm_id}/links")
        if x["link_id"] == link["link_id"]
    ] == ["confirmed"]
    await row.locator('[data-action="revoke"]').click()
    await form.locator('input[name="reason"]').fill("已终止供货关系")
    await master.screenshot(path=str(SHOTS / "chain-master-revoke.png"), full_page=True)
    await form.locator('[data-action="revoke-confirm"]').click()
    await expect(row).to_have_count(0, timeout=10_000)
    stored = await demo.api("firms", sme, f"/v1/firms/{firm_id}/links")
    assert [x["status"] for x in stored if x["link_id"] == link["link_id"]] == ["revoked"]

    page = await demo.log_in(sme)
    entry = page.locator(f'article[data-need="{need["need_id"]}"] li[data-milestone="confirmation_revoked"]')
    await expect(entry).to_contain_text("链主撤销了确权", timeout=15_000)
    await expect(entry).to_contain_text("已终止供货关系")
    await page.screenshot(path=str(SHOTS / "sme-confirmation-revoked.png"), full_page=True)

    # A need no product can take is escalated at once; its timeline says, in Chinese, which rules stopped it and what
    # the SME can change.
    body = {
        "chain": link["chain"],
        "amount": "400000000",
        "term_months": 12,
        "purpose": "新建厂房",
        "product_types": ["order_loan", "credit_loan"],
        "collateral": ["none"],
        "consent_scope": "any_eligible_bank",
        "consent_until": "2030-12-31",
        "first_loan": False,
    }
    headers = {"Authorization": f"Bearer {demo.people[sme]['token']}", "Idempotency-Key": str(uuid.uuid4())}
    async with httpx.AsyncClient(base_url=demo.stack.urls["firms"], headers=headers) as client:
        created = await client.post("/v1/needs", json=body)
    assert created.status_code == 201, created.text
    escalated = [created.json()]
    name = sme
    page = await demo.log_in(name)
    why = page.locator(f'article[data-need="{escalated[0]["need_id"]}"] ul.why li')
    await expect(why.first).to_be_visible(timeout=15_000)
    for text in await why.all_inner_texts():
        assert re.search(r"[\u4e00-\u9fff]", text), f"an escalation reason is not in Chinese: {text!r}"
    await page.screenshot(path=str(SHOTS / "sme-escalation-reasons.png"), full_page=True)


async def test_amounts_and_rates_are_read_as_people_write_them(demo: Demo) -> None:
    sme = demo.first("sme")
    page = await demo.log_in(sme)
    form = page.locator("#need-form")
    await expect(page.locator("#needs article").first).to_be_visible()  # the SME's needs are drawn
    needs_before = await page.locator("#needs article").count()
    await form.locator('input[name="amount"]').fill("120万")
    await form.locator('input[name="max_annual_rate"]').fill("5.5")
    await choose_terms(form)
    await form.locator('button[type="submit"]').click()
    await expect(page.locator("#needs article")).to_have_count(needs_before + 1, timeout=10_000)
    newest = await page.locator("#needs article").first.get_attribute("data-need")
    terms = (await demo.api("firms", sme, f"/v1/needs/{newest}"))["terms"]
    assert (terms["amount"], terms["max_annual_rate"]) == ("1200000.00", "0.055")
    await expect(page.locator("#needs article").first).to_contain_text("1,200,000")


def luminance(css: str) -> float:
    """WCAG relative luminance of an rgb()/rgba() colour as the browser computed it."""
    r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", css)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


async def test_invalid_fields_are_announced_and_focus_and_borders_can_be_seen(demo: Demo) -> None:
    page = await demo.log_in(demo.first("sme"))
    form = page.locator("#need-form")
    amount = form.locator('input[name="amount"]')
    await amount.fill("-5")
    await form.locator('button[type="submit"]').click()
    await expect(amount).to_have_attribute("aria-invalid", "true")
    described = await amount.get_attribute("aria-describedby")
    await expect(page.locator(f"#{described}")).to_have_text("须大于 0")
    await expect(amount).to_be_focused()  # focus moved to the first error (waited for: the page may redraw first)
    await page.keyboard.press("Tab")  # the next field, focused from the keyboard
    seen = await page.evaluate(
        """() => { const el = document.activeElement, s = getComputedStyle(el);
                   return { tag: el.tagName, outline: s.outlineColor, width: s.outlineWidth, border: s.borderTopColor,
                            behind: getComputedStyle(el.closest('section')).backgroundColor }; }"""
    )
    assert seen["width"] != "0px"
    assert contrast(seen["outline"], seen["behind"]) >= 3, seen
    assert contrast(seen["border"], seen["behind"]) >= 3, seen
    skip = page.locator("a.skip")
    await expect(skip).to_have_attribute("href", "#view")


CONTROLS = "#view button, #view input, #view select, #view a[href], #view summary"
UNNAMED_CONTROLS = f"""() => [...document.querySelectorAll('{CONTROLS}')]
  .filter((el) => el.offsetParent !== null && el.checkVisibility())
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
  .map((el) => el.outerHTML.slice(0, 80))"""
NOT_TABBED = f"""() => [...document.querySelectorAll('{CONTROLS}')]
  .filter((el) => el.offsetParent !== null && el.checkVisibility() && !el.disabled && !el.dataset.tabbed)
  .map((el) => el.outerHTML.slice(0, 80))"""
LOADED = {  # what shows that a role's page has drawn its data
    "coordinator": "#desk-queue > *",
    "sme": "#needs article",
    "chain_master": "#receivables > *",
    "officer": "#queue > *",
    "bank_admin": "#coverage tr",
    "regulator": "#trend figure",
}


async def open_page(demo: Demo, role: str, viewport: dict[str, int] | None = None) -> Page:
    page = await demo.log_in(demo.first(role), viewport)
    await expect(page.locator(LOADED[role]).first).to_be_visible(timeout=20_000)
    return page


@pytest.mark.parametrize("role", list(LOADED))
async def test_every_control_is_named_and_reachable_by_tab(demo: Demo, role: str) -> None:
    page = await open_page(demo, role)
    assert await page.evaluate(UNNAMED_CONTROLS) == []
    await page.evaluate("document.addEventListener('focusin', (e) => { e.target.dataset.tabbed = '1'; })")
    for _ in range(2):  # a second pass for cards the live page redrew during the first (new nodes, not yet visited)
        await page.evaluate("document.getElementById('view').focus()")
        for _ in range(400):  # Tab until focus leaves the page's content (a date field takes a Tab per part)
            await page.keyboard.press("Tab")
            if not await page.evaluate("document.getElementById('view').contains(document.activeElement)"):
                break
        if not await page.evaluate(NOT_TABBED):
            break
    assert await page.evaluate(NOT_TABBED) == []


@pytest.mark.parametrize("role", list(LOADED))
async def test_every_page_fits_a_phone_screen(demo: Demo, role: str) -> None:
    page = await open_page(demo, role, PHONE)
    width = await page.evaluate("document.documentElement.scrollWidth")
    await page.screenshot(path=str(SHOTS / f"phone-{role}.png"), full_page=True)
    assert width <= PHONE["width"], f"the {role} page is {width}px wide on a {PHONE['width']}px screen"


async def test_a_town_coordinator_uploads_a_list_and_works_a_listed_need_on_the_desk(
    demo: Demo, tmp_path: Path
) -> None:
    """推荐清单 → 调度台: a town task force uploads two good rows and a bad one; the page answers per row, the two
    listed needs reach its desk (routed like any need, with the clock to a credit decision written as a duration),
    and a visit recorded on one is in its history."""
    town_desk = next(n for n, p in demo.people.items() if p["role"] == "coordinator" and p.get("towns") == "changan")
    size = SizeThresholds.load().classify(60, Decimal(20_000_000)).value
    size_zh = {"micro": "微型", "small": "小型", "medium": "中型"}[size]

    def row(uscc: str, **changes: str) -> list[str]:
        values = {
            "uscc": uscc,
            "legal_name": "东莞市走访精密有限公司",
            "town": "长安镇",
            "employees": "60",
            "revenue_last_year": "20000000",
            "size_class": size_zh,
            "contact_name": "李明",
            "contact_phone": "13900139000",
            "chain": "smart_terminal",
            "amount": "900000",
            "term_months": "12",
            "purpose": "采购原材料",
            "first_loan": "是",
            "consent_scope": "产业链合作银行",
            "consent_signed_on": "2026-11-20",
            "consent_until": "2027-05-20",
        } | changes
        return [values[key] for key, _, _ in COLUMNS]

    usccs = []
    for _ in range(2):
        first17 = "91441900" + "".join(random.choices(ALPHABET, k=9))
        usccs.append(first17 + check_character(first17))
    lines = [
        ",".join(h for _, h, _ in COLUMNS),
        ",".join(row(usccs[0])),
        ",".join(row(usccs[1], amount="1200000")),
        ",".join(row(usccs[0][:-1] + "Z", legal_name="校验码错误的企业")),
    ]
    listing = tmp_path / "长安镇推荐清单.csv"
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")

    page = await demo.log_in(town_desk)
    await expect(page.locator("#desk-queue")).to_be_visible(timeout=20_000)
    before = await page.locator("#desk-queue [data-desk-item]").count()
    await page.locator('form[data-form="upload"] input[type="file"]').set_input_files(str(listing))
    await page.locator('form[data-form="upload"] button[type="submit"]').click()
    await expect(page.locator("[data-counts]")).to_have_attribute("data-counts", "2,0,1", timeout=20_000)
    await expect(page.locator('#upload-results tr[data-row="4"]')).to_contain_text("uscc")
    await page.screenshot(path=str(SHOTS / "desk-upload.png"), full_page=True)

    cards = page.locator("#desk-queue [data-desk-item]")
    for _ in range(60):  # the listed needs travel firms → matcher and land on the desk
        await page.locator("#desk-status").select_option("all")
        if await cards.count() >= before + 2:
            break
        await asyncio.sleep(1)
    assert await cards.count() >= before + 2
    clock = await cards.first.locator("[data-clock]").inner_text()
    assert re.search(r"(剩余|已超期) \d+ (天|小时|分钟)", clock), clock
    await cards.first.locator('[data-action="open"]').click()
    item = page.locator("#desk-item section")
    await expect(item).to_be_visible()
    await expect(item.locator("[data-firm]")).to_contain_text("联系人")  # whom to call, for the task force of its town
    contact = item.locator('form[data-form="contact"]')
    if await contact.count():
        await contact.locator('input[name="note"]').fill("上门走访，订单真实")
        await contact.locator('button[type="submit"]').click()
        await expect(item.locator("ol")).to_contain_text("走访", timeout=10_000)
    await page.screenshot(path=str(SHOTS / "desk-item.png"), full_page=True)


async def test_an_sme_is_told_of_its_match_under_the_bell_and_chooses_how_to_be_told(demo: Demo) -> None:
    """The notifier's list in the portal: a new need's match arrives under the bell with the bank's name, in Chinese;
    it can be marked read; the settings refuse a mistyped mobile number next to the field and keep nothing."""
    person = next(n for n, p in demo.people.items() if p["role"] == "sme" and n != demo.first("sme"))
    page = await demo.log_in(person)
    await expect(page.locator("#needs")).to_be_visible(timeout=20_000)
    bell = page.locator("#bell")
    await expect(bell).to_be_visible()
    form = page.locator("#need-form")
    await form.locator('select[name="chain"]').select_option("smart_terminal")
    await form.locator('input[name="amount"]').fill("66万")
    await choose_terms(form)
    await form.locator('button[type="submit"]').click()
    newest = page.locator("#needs article").first
    await expect(newest.locator('[data-status="matched"]')).to_be_visible(timeout=30_000)
    bank = await newest.locator('li[data-milestone="matched"]').get_attribute("data-bank")

    await bell.click()
    note = page.locator('#notes li[data-kind="sme_matched"]').first
    await expect(note).to_be_visible(timeout=20_000)
    await expect(note.locator("strong")).to_have_text("需求已匹配银行")
    await expect(note).to_contain_text(f"您的融资需求已匹配到{bank}")
    await expect(page.locator("#unread")).not_to_be_hidden(timeout=20_000)
    await page.screenshot(path=str(SHOTS / "sme-notifications.png"), full_page=True)
    await page.locator("#notes-all-read").click()
    await expect(page.locator("#notes li.unread")).to_have_count(0, timeout=10_000)
    await expect(page.locator("#unread")).to_be_hidden(timeout=20_000)

    prefs = page.locator("#notify-prefs")
    await prefs.locator('input[name="phone"]').fill("1391234")
    await prefs.locator('button[type="submit"]').click()
    await expect(prefs.locator('[data-error="phone"]')).to_have_text("请输入11位手机号（13–19开头）")
    await expect(prefs.locator('input[name="phone"]')).to_have_attribute("aria-invalid", "true")
    kept = await demo.api("notifier", person, "/v1/notifications/preferences")
    assert kept["phone"] is None
    await prefs.locator('input[name="phone"]').fill("139 1234 5678")
    await prefs.locator('input[name="quiet_start"]').fill("22:00")
    await prefs.locator('input[name="quiet_end"]').fill("08:00")
    await prefs.locator('button[type="submit"]').click()
    await expect(prefs.locator('[data-error="phone"]')).to_have_text("")
    saved = await demo.api("notifier", person, "/v1/notifications/preferences")
    assert saved["phone"] == "13912345678"
    assert saved["quiet_hours"] == {"start": "22:00:00", "end": "08:00:00"}


async def test_passing_on_refusing_and_withdrawing_are_confirmed_and_can_be_cancelled(demo: Demo) -> None:
    """No reason is chosen for the officer; passing a match on asks first, with the consequence, and 取消 leaves it as
    it was; once confirmed, the SME reads the reason in Chinese. Withdrawing a need asks too."""
    sme = next(n for n, p in demo.people.items() if p["role"] == "sme" and n.endswith("#3"))
    page = await demo.log_in(sme)
    form = page.locator("#need-form")
    await expect(page.locator("#needs")).to_be_visible(timeout=20_000)
    await form.locator('select[name="chain"]').select_option("smart_terminal")
    await form.locator('input[name="amount"]').fill("70万")
    await choose_terms(form)
    await form.locator('button[type="submit"]').click()
    newest = page.locator("#needs article").first
    await expect(newest.locator('[data-status="matched"]')).to_be_visible(timeout=30_000)
    need_id = await newest.get_attribute("data-need")
    newest = page.locator(f'article[data-need="{need_id}"]')  # this need, wherever the list puts it
    matched = newest.locator('li[data-milestone="matched"]')
    officer = f"{await matched.get_attribute('data-bank')}服务官{await matched.get_attribute('data-officer')}"

    desk = await demo.log_in(officer)
    card = desk.locator(f'article[data-need="{need_id}"]')
    await expect(card).to_be_visible(timeout=20_000)
    await expect(desk.locator('#queue-counts [data-count="proposed"]')).to_contain_text("待处理")
    decline = card.locator('form[data-form="decline"]')
    assert await decline.locator('select[name="reason"]').input_value() == ""  # nothing pre-selected
    await decline.locator('button[type="submit"]').click()
    await expect(decline.locator('[data-error="reason"]')).to_have_text("请选择原因")
    await decline.locator('select[name="reason"]').select_option("capacity_exhausted")
    await decline.locator('button[type="submit"]').click()
    dialog = desk.locator('dialog[data-dialog="confirm"]')
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text("原因「额度已用尽」会告知企业")
    await desk.screenshot(path=str(SHOTS / "officer-confirm-decline.png"))
    await dialog.locator('[data-action="cancel"]').click()
    await expect(dialog).to_have_count(0)
    await expect(card.locator('[data-status="proposed"]')).to_be_visible()  # cancelled: nothing happened
    await decline.locator('button[type="submit"]').click()
    await desk.locator('dialog[data-dialog="confirm"] [data-action="confirm"]').click()
    await expect(card).to_have_count(0, timeout=10_000)

    declined = newest.locator('li[data-milestone="declined"] [data-reason="capacity_exhausted"]')
    await expect(declined).to_have_text("原因：额度已用尽。系统会继续为您匹配其他银行，无需重新提交。", timeout=30_000)

    await newest.locator('[data-action="withdraw"]').click()
    confirm = page.locator('dialog[data-dialog="confirm"]')
    await expect(confirm).to_contain_text("撤回后不能恢复")
    await page.keyboard.press("Escape")  # Esc cancels too
    await expect(confirm).to_have_count(0)
    assert (await demo.api("firms", sme, f"/v1/needs/{need_id}"))["status"] != "withdrawn"
    await newest.locator('[data-action="withdraw"]').click()
    await page.locator('dialog[data-dialog="confirm"] [data-action="confirm"]').click()
    await expect(newest.locator('[data-status="withdrawn"]')).to_be_visible(timeout=10_000)
    await expect(newest.locator('[data-action="resubmit"]')).to_be_visible()


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_every_page_in_both_languages_on_a_laptop_and_a_phone(demo: Demo, lang: str) -> None:
    """Screenshots of every role's page (and the notifications page) at 1366 and 375 px, kept as artefacts; in
    either language no page is wider than the screen and nothing is left untranslated as a bare key."""
    for width in (1366, 375):
        viewport = {"width": width, "height": 900 if width > 400 else 812}
        for role, loaded in {**LOADED, "notifications": "#notes li"}.items():
            person = demo.first("sme" if role == "notifications" else role)
            page = await demo.log_in(person, viewport)
            if lang == "en":
                await page.locator("#lang").click()
            if role == "notifications":
                await page.goto(f"{demo.stack.urls['portal']}/#/notifications")
            await expect(page.locator(loaded).first).to_be_visible(timeout=20_000)
            await page.screenshot(path=str(SHOTS / f"{role}-{lang}-{width}.png"), full_page=True)
            scroll = await page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{role} in {lang} is {scroll}px wide on a {width}px screen"
            keys = await page.evaluate(
                r"""() => [...document.querySelectorAll('#view *')].flatMap((el) => [...el.childNodes])
                      .filter((n) => n.nodeType === 3 && /^[a-z]+(\.[a-z_]+)+$/.test(n.textContent.trim()))
                      .map((n) => n.textContent.trim())"""
            )
            assert keys == [], f"untranslated keys on the {role} page: {keys}"
            await page.context.close()
