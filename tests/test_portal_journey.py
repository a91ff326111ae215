"""The whole journey in a real browser (Debian's Chromium, driven by Playwright) against every service running as
it does in production: an SME's bad form is refused field by field; its need reaches the lead bank's officer live;
the officer accepts, approves and disburses; the SME sees it on its timeline; the PBOC dashboard's numbers move.
Screenshots of each page are kept under test-artifacts/screenshots."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright, expect

from firms.domain.uscc import check_character

from .stack import LOGS, running_stack

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


async def log_in(browser: Browser, portal: str, person: str) -> Page:
    page = await (await browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")).new_page()
    await page.goto(portal)
    await page.locator(f'button[data-person="{person}"]').click()
    return page


async def test_an_sme_need_travels_to_the_officer_and_back_and_the_pboc_sees_it(
    infra, fresh_database, tmp_path: Path
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with running_stack(infra, fresh_database, tmp_path) as stack:
        seeding = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "demo",
            env=stack.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(seeding.communicate(), 300)
        assert seeding.returncode == 0, output.decode()
        people = json.loads((tmp_path / "demo-tokens.json").read_text())
        sme = next(name for name, p in people.items() if p["role"] == "sme")
        regulator = next(name for name, p in people.items() if p["role"] == "regulator")
        await asyncio.sleep(5)  # the demo's own needs are being matched

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            pboc = await log_in(browser, stack.urls["portal"], regulator)
            row = pboc.locator('tr[data-chain="smart_terminal"] td[data-metric="disbursed"]')
            await expect(row).to_be_visible(timeout=20_000)
            disbursed_before = int(await row.inner_text())
            await pboc.screenshot(path=str(SHOTS / "pboc-before.png"), full_page=True)

            page = await log_in(browser, stack.urls["portal"], sme)
            await expect(page.locator("#needs")).to_be_visible()
            needs_before = await page.locator("#needs article").count()
            need_form = page.locator("#need-form")
            await need_form.locator('input[name="amount"]').fill("-5")
            await need_form.locator('button[type="submit"]').click()
            await expect(need_form.locator('[data-error="amount"]')).not_to_be_empty()
            await page.screenshot(path=str(SHOTS / "sme-form-errors.png"), full_page=True)
            assert await page.locator("#needs article").count() == needs_before  # nothing was created

            await need_form.locator('input[name="amount"]').fill("800000")
            await need_form.locator('select[name="chain"]').select_option("smart_terminal")
            await need_form.locator('button[type="submit"]').click()
            await expect(page.locator("#needs article")).to_have_count(needs_before + 1, timeout=10_000)
            newest = page.locator("#needs article").first
            need_id = await newest.get_attribute("data-need")
            await expect(newest.locator('[data-status="matched"]')).to_be_visible(timeout=30_000)
            await page.screenshot(path=str(SHOTS / "sme-matched.png"), full_page=True)

            # The officer the matcher chose, as the SME's timeline names them.
            matched = newest.locator('li[data-milestone="matched"]')
            officer = f"{await matched.get_attribute('data-bank')}服务官{await matched.get_attribute('data-officer')}"
            assert people[officer]["role"] == "officer"
            desk = await log_in(browser, stack.urls["portal"], officer)
            card = desk.locator(f'article[data-need="{need_id}"]')
            await expect(card).to_be_visible(timeout=20_000)
            await desk.screenshot(path=str(SHOTS / "officer-queue.png"), full_page=True)
            await card.locator('[data-action="accept"]').click()
            await expect(card.locator('form[data-form="approve"]')).to_be_visible(timeout=10_000)
            await card.locator('form[data-form="approve"] button[type="submit"]').click()
            await expect(card.locator('form[data-form="disburse"]')).to_be_visible(timeout=10_000)
            await card.locator('form[data-form="disburse"] input[name="amount"]').fill("999999999")
            await card.locator('form[data-form="disburse"] button[type="submit"]').click()
            await expect(card.locator('[data-error="amount"]')).not_to_be_empty()  # more than approved: refused
            await card.locator('form[data-form="disburse"] input[name="amount"]').fill("800000.00")
            await card.locator('form[data-form="disburse"] button[type="submit"]').click()
            await expect(card).to_have_count(0, timeout=10_000)  # done: off the queue

            await expect(newest.locator('[data-status="disbursed"]')).to_be_visible(timeout=30_000)
            await page.screenshot(path=str(SHOTS / "sme-disbursed.png"), full_page=True)

            await expect(row).not_to_have_text(str(disbursed_before), timeout=30_000)  # the live feed moved it
            assert int(await row.inner_text()) == disbursed_before + 1
            await pboc.screenshot(path=str(SHOTS / "pboc-after.png"), full_page=True)

            # A newcomer registers: the USCC is checked while it is typed, bad fields are named, then it works.
            newcomer = await log_in(browser, stack.urls["portal"], "新注册企业1")
            form = newcomer.locator("#register")
            code = "91441900" + "MA4W1TPL8"
            code += check_character(code)
            await form.locator('input[name="uscc"]').fill(code[:-1] + ("0" if code[-1] != "0" else "1"))
            await expect(form.locator('[data-error="uscc"]')).not_to_be_empty()
            await form.locator('input[name="uscc"]').fill(code)
            await expect(form.locator('[data-error="uscc"]')).to_be_empty()
            await form.locator('button[type="submit"]').click()  # no name, no contact: refused field by field
            await expect(form.locator('[data-error="legal_name"]')).not_to_be_empty()
            await newcomer.screenshot(path=str(SHOTS / "sme-registration-errors.png"), full_page=True)
            await form.locator('input[name="legal_name"]').fill("东莞市新创精密科技有限公司")
            await form.locator('input[name="contact_name"]').fill("赵敏")
            await form.locator('input[name="contact_phone"]').fill("13912345678")
            await form.locator('button[type="submit"]').click()
            await expect(newcomer.locator("h1")).to_have_text("东莞市新创精密科技有限公司", timeout=10_000)
            await newcomer.locator("#declare-link button[type=submit]").click()
            await expect(newcomer.locator(".status.pending")).to_be_visible(timeout=10_000)
            await newcomer.screenshot(path=str(SHOTS / "sme-registered.png"), full_page=True)
            await browser.close()
    assert os.listdir(SHOTS)
