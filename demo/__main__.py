"""`python -m demo`: seed a running Lianrong with a small Dongguan market through its APIs — chain masters, banks
with lead and cooperating designations, products, officers, SMEs with confirmed supplier links, and needs — then
print who can log in as whom. Run twice, it seeds once."""

from __future__ import annotations

import json
import os
import random
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.market import BANK_NAMES, CHAIN_MASTERS, CHAINS, TOWNS
from firms.clock import today
from firms.domain.uscc import ALPHABET, check_character
from lianrong_platform.auth import Role
from lianrong_platform.auth.issue import TokenIssuer, ensure_key_pair

FIRMS = os.environ.get("DEMO_FIRMS_URL", "http://127.0.0.1:8101")
BANKS = os.environ.get("DEMO_BANKS_URL", "http://127.0.0.1:8102")
NOTIFIER = os.environ.get("DEMO_NOTIFIER_URL", "http://127.0.0.1:8105")
STATE = Path(os.environ.get("LIANRONG_STATE", ".state"))
RNG = random.Random(20261122)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
PRODUCTS = (
    ("链融订单贷", "order_loan", True, False),
    ("科创信用贷", "credit_loan", False, False),
    ("应收账款融资", "receivable_pledge", True, True),
    ("设备融资租赁", "equipment_leasing", False, False),
)
SME_NAMES = (
    "精密五金",
    "模具科技",
    "电子元件",
    "塑胶制品",
    "智能装备",
    "新材料科技",
    "光电科技",
    "线路板",
    "电池材料",
    "自动化设备",
    "包装印刷",
    "精密注塑",
    "连接器",
    "声学科技",
    "显示器件",
)


def uscc() -> str:
    first17 = "91441900" + "".join(RNG.choices(ALPHABET, k=9))
    return first17 + check_character(first17)


class Demo:
    def __init__(self) -> None:
        private, _ = ensure_key_pair(STATE / "keys")
        self.issuer = TokenIssuer(private.read_bytes())
        self.tokens: dict[str, dict[str, Any]] = {}
        self.http = httpx.Client(timeout=30)
        self.channels: list[str] | None = None  # what the notifier can send by; [] when it cannot be reached

    def token(
        self, persona: str, role: Role, towns: tuple[str, ...] | None = None, **subject: uuid.UUID
    ) -> dict[str, str]:
        token = self.issuer.issue(role, persona, ttl=timedelta(days=30), towns=towns, **subject)
        self.tokens[persona] = {"role": role.value, "token": token, **{k: str(v) for k, v in subject.items()}}
        if towns is not None:
            self.tokens[persona]["towns"] = ",".join(towns)
        headers = {"Authorization": f"Bearer {token}"}
        if role in (Role.SME, Role.CHAIN_MASTER, Role.OFFICER, Role.BANK_ADMIN, Role.COORDINATOR):
            self.reachable(persona, role, headers)
        return headers

    def reachable(self, persona: str, role: Role, headers: dict[str, str]) -> None:
        """Each demo person gets e-mail (and an SME SMS too) at made-up addresses, where the installation can send
        them (make run: a local mail catcher and an SMS stand-in), so what the notifier sends can be read."""
        if self.channels is None:
            try:
                self.channels = self.http.get(f"{NOTIFIER}/v1/notifications/preferences", headers=headers).json()[
                    "available_channels"
                ]
            except (httpx.HTTPError, KeyError, ValueError):
                print(f"the notifier ({NOTIFIER}) cannot be reached: demo people are told in the portal only")
                self.channels = []
        n = len(self.tokens)
        wanted = {"email": f"{role.value.replace('_', '-')}-{n}@demo.lianrong.local", "sms": f"139{n:08d}"}
        channels = [c for c in ("email", "sms") if c in self.channels and (c == "email" or role is Role.SME)]
        if channels:
            body = {"email": wanted["email"], "phone": wanted["sms"], "channels": channels}
            self.call("PUT", f"{NOTIFIER}/v1/notifications/preferences", headers, body)

    def call(self, method: str, url: str, headers: dict[str, str], body: Any = None) -> Any:
        response = self.http.request(method, url, headers=headers, json=body)
        if response.status_code >= 400:
            raise SystemExit(f"{method} {url} → {response.status_code}: {response.text}")
        return response.json() if response.content else None

    def run(self) -> None:
        admin = self.token("运维管理员", Role.ADMIN)
        pboc = self.token("人行东莞分行分析员", Role.REGULATOR)
        # 融资需求调度: a city-wide task force officer, and one of a town's (who sees that town's needs only).
        self.token("市金融工作局调度专班", Role.COORDINATOR)
        self.token("长安镇融资调度专班", Role.COORDINATOR, towns=("changan",))
        if self.call("GET", f"{BANKS}/v1/banks", admin):
            print("the demo market is there already")
            return
        masters = self.chain_masters(admin)
        banks = self.banks(admin, pboc)
        time.sleep(3)  # the matcher reads banks, products and officers from Kafka before the first need arrives
        self.smes(masters, banks)
        for n in range(3):  # people whose firms have not registered yet: the portal shows them the registration form
            self.token(f"新注册企业{n + 1}", Role.SME, firm_id=uuid.uuid4())
        (STATE / "demo-tokens.json").write_text(json.dumps(self.tokens, ensure_ascii=False, indent=2))
        print(
            f"demo market seeded: {sum(len(m) for m in masters.values())} chain masters, {len(banks)} banks, "
            f"{sum(1 for p in self.tokens.values() if p['role'] == 'sme')} SMEs; tokens in {STATE / 'demo-tokens.json'}"
        )

    def chain_masters(self, admin: dict[str, str]) -> dict[str, list[tuple[uuid.UUID, dict[str, str]]]]:
        found: dict[str, list[tuple[uuid.UUID, dict[str, str]]]] = {}
        for chain, names in CHAIN_MASTERS.items():
            for name in names:
                firm_id = uuid.uuid4()
                self.call(
                    "POST",
                    f"{FIRMS}/v1/firms",
                    admin,
                    {
                        "firm_id": str(firm_id),
                        "uscc": uscc(),
                        "legal_name": name,
                        "town": RNG.choice(TOWNS[:6]),
                        "employees": RNG.randint(3000, 30000),
                        "revenue_last_year": f"{RNG.randint(50, 900)}00000000.00",
                        "contact": {"name": f"{RNG.choice(SURNAMES)}经理", "phone": "0769-22000000"},
                    },
                )
                self.call("POST", f"{FIRMS}/v1/chain-masters", admin, {"firm_id": str(firm_id), "chains": [chain]})
                headers = self.token(name, Role.CHAIN_MASTER, firm_id=firm_id)
                found.setdefault(chain, []).append((firm_id, headers))
        return found

    def banks(self, admin: dict[str, str], pboc: dict[str, str]) -> list[uuid.UUID]:
        bank_ids = []
        for i, name in enumerate(BANK_NAMES[:8]):
            bank = self.call(
                "POST",
                f"{BANKS}/v1/banks",
                admin,
                {"code": f"DG{i + 1:02d}", "name": name, "kind": "rural" if "农村" in name else "joint_stock"},
            )
            bank_ids.append(uuid.UUID(bank["bank_id"]))
        for n, chain in enumerate(CHAINS):
            self.call(
                "POST",
                f"{BANKS}/v1/designations",
                pboc,
                {
                    "chain": chain,
                    "bank_id": str(bank_ids[n % 8]),
                    "role": "lead",
                    "valid_from": "2026-01-01",
                    "chain_credit_line": "2000000000.00",
                },
            )
            for k in (1, 2):
                self.call(
                    "POST",
                    f"{BANKS}/v1/designations",
                    pboc,
                    {
                        "chain": chain,
                        "bank_id": str(bank_ids[(n + k * 3) % 8]),
                        "role": "cooperating",
                        "valid_from": "2026-01-01",
                    },
                )
        for i, bank_id in enumerate(bank_ids):
            name = BANK_NAMES[i]
            headers = self.token(f"{name}管理员", Role.BANK_ADMIN, bank_id=bank_id)
            chains = sorted(
                {CHAINS[j] for j in range(len(CHAINS)) if j % 8 == i or (j + 3) % 8 == i or (j + 6) % 8 == i}
            ) or list(CHAINS)
            for title, kind, link, receivable in PRODUCTS:
                self.call(
                    "POST",
                    f"{BANKS}/v1/banks/{bank_id}/products",
                    headers,
                    {
                        "name": f"{name[:4]}{title}",
                        "product_type": kind,
                        "amount_min": "100000.00",
                        "amount_max": "10000000.00",
                        "term_min_months": 3,
                        "term_max_months": 36,
                        "rate_min": "0.0320",
                        "rate_max": "0.0600",
                        "chains": chains,
                        "size_classes": ["micro", "small", "medium"],
                        "honours_favoured": ["specialised", "high_tech"],
                        "requires_link_confirmation": link,
                        "requires_receivable_confirmation": receivable,
                        "collateral_accepted": ["none"],
                        "capacity": "200000000.00",
                        "active_from": "2026-01-01",
                    },
                )
            # Two officers with different names: a person is known by bank and name on every screen.
            for surname, given in zip(RNG.sample(SURNAMES, 2), RNG.sample("伟芳敏静强磊洋艳勇军", 2), strict=True):
                officer_id = uuid.uuid4()
                officer_name = f"{surname}{given}"
                self.call(
                    "POST",
                    f"{BANKS}/v1/banks/{bank_id}/officers",
                    headers,
                    {
                        "officer_id": str(officer_id),
                        "name": officer_name,
                        "centre": f"{name[:4]}松山湖制造业服务中心",
                        "chains": chains,
                        "max_open_matches": 50,
                    },
                )
                self.token(f"{name}服务官{officer_name}", Role.OFFICER, bank_id=bank_id, officer_id=officer_id)
        return bank_ids

    def smes(self, masters: dict[str, list[tuple[uuid.UUID, dict[str, str]]]], banks: list[uuid.UUID]) -> None:
        chains = list(masters)
        for i in range(60):
            # Smart terminals are Dongguan's core chain: most suppliers are there.
            chain = chains[0] if i % 5 < 3 else chains[1 + i % (len(chains) - 1)]
            master_id, master = RNG.choice(masters[chain])
            firm_id = uuid.uuid4()
            name = f"东莞市{RNG.choice('华盛鑫达宏源永创恒通')}{RNG.choice(SME_NAMES)}有限公司"
            headers = self.token(f"{name}#{i + 1}", Role.SME, firm_id=firm_id)
            employees = RNG.choice((12, 45, 80, 160, 350))
            self.call(
                "POST",
                f"{FIRMS}/v1/firms",
                headers,
                {
                    "uscc": uscc(),
                    "legal_name": name,
                    "town": RNG.choice(TOWNS),
                    "employees": employees,
                    "revenue_last_year": f"{employees * RNG.randint(20, 60)}0000.00",
                    "honours": [{"code": "specialised", "valid_from": "2025-01-01", "valid_until": "2027-12-31"}]
                    if i % 4 == 0
                    else [],
                    "contact": {"name": f"{RNG.choice(SURNAMES)}总", "phone": f"139{RNG.randint(10000000, 99999999)}"},
                },
            )
            link = self.call(
                "POST",
                f"{FIRMS}/v1/firms/{firm_id}/links",
                headers,
                {
                    "chain_master_firm_id": str(master_id),
                    "chain": chain,
                    "tier": RNG.choice(("tier_1", "tier_2")),
                    "annual_supply_value": f"{RNG.randint(200, 5000)}0000.00",
                },
            )
            if i % 3 != 2:  # most chain masters confirm; a few links stay pending for the demo
                self.call("POST", f"{FIRMS}/v1/links/{link['link_id']}/confirm", master)
            if i % 2 == 0:
                self.call(
                    "POST",
                    f"{FIRMS}/v1/needs",
                    {**headers, "Idempotency-Key": f"demo-{i}"},
                    {
                        "chain": chain,
                        "amount": f"{RNG.randint(30, 300)}0000.00",
                        "term_months": RNG.choice((6, 12, 24)),
                        "purpose": RNG.choice(("采购原材料", "扩产设备", "订单备货", "研发投入")),
                        "product_types": ["order_loan", "credit_loan"],
                        "collateral": ["none"],
                        "max_annual_rate": "0.055",
                        "first_loan": i % 6 == 0,
                        "consent_scope": "chain_banks",
                        "consent_until": (today() + timedelta(days=180)).isoformat(),
                    },
                )


def stream(every_s: float) -> None:
    """Keep needs flowing from the demo's registered SMEs, one every `every_s` seconds, until interrupted."""
    people = json.loads((STATE / "demo-tokens.json").read_text())
    smes = [p for name, p in people.items() if p["role"] == "sme" and not name.startswith("新注册企业")]
    client = httpx.Client(timeout=30)
    sent = 0
    while True:
        person = RNG.choice(smes)
        headers = {"Authorization": f"Bearer {person['token']}", "Idempotency-Key": str(uuid.uuid4())}
        links = client.get(f"{FIRMS}/v1/firms/{person['firm_id']}/links", headers=headers).json()
        chain = links[0]["chain"] if links else RNG.choice(CHAINS)
        reply = client.post(
            f"{FIRMS}/v1/needs",
            headers=headers,
            json={
                "chain": chain,
                "amount": f"{RNG.randint(30, 300)}0000.00",
                "term_months": RNG.choice((6, 12, 24)),
                "purpose": RNG.choice(("采购原材料", "扩产设备", "订单备货", "研发投入")),
                "product_types": ["order_loan", "credit_loan"],
                "collateral": ["none"],
                "max_annual_rate": "0.055",
                "first_loan": RNG.random() < 0.2,
                "consent_scope": "chain_banks",
                "consent_until": (today() + timedelta(days=180)).isoformat(),
            },
        )
        sent += reply.status_code == 201
        print(f"\r{sent} demo needs sent", end="", flush=True)
        time.sleep(every_s)


if __name__ == "__main__":
    if "--stream" in sys.argv:
        stream(float(os.environ.get("DEMO_EVERY_SECONDS", "10")))
    else:
        Demo().run()
