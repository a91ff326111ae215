"""A seeded synthetic Dongguan market: key chains with chain masters, banks with lead and cooperating
designations, products whose lines add up to the stated share of demand (`capacity_to_demand`: 0.6, 0.8 or 1.2; the
market reports the share it really has), 10⁴ SMEs across the 33 towns, and a Poisson stream of needs. The same seed
gives the same market."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from contracts.banks import OfficerProfile, ProductTerms
from contracts.firms import ChainPosition, FirmFacts, Honour, NeedTerms
from contracts.values import BankRole, CollateralKind, ConsentScope, HonourCode, ProductType, SizeClass
from matcher.domain.market import ChainRoles, Designation, NeedCase, Offer, OfficerSlot

DAY = date(2026, 11, 23)
CHAINS = (
    "smart_terminal",
    "semiconductors",
    "new_display",
    "new_materials",
    "new_energy",
    "robotics_equipment",
    "biomedicine",
    "artificial_intelligence",
    "low_altitude",
    "electronic_information",
)
CHAIN_WEIGHTS = (30, 12, 8, 9, 12, 10, 6, 5, 3, 5)  # smart terminals are Dongguan's core ("1+5")
CHAIN_MASTERS = {
    "smart_terminal": (
        "华为终端有限公司",
        "维沃移动通信有限公司",
        "OPPO广东移动通信有限公司",
        "东莞华贝电子科技有限公司",
    ),
    "semiconductors": ("记忆科技（深圳）有限公司东莞分公司", "安世半导体（中国）有限公司"),
    "new_energy": ("东莞新能源科技有限公司", "东莞新能德科技有限公司", "易事特集团股份有限公司"),
}
TOWNS = (
    "songshan_lake",
    "changan",
    "tangxia",
    "houjie",
    "xiegang",
    "liaobu",
    "dalang",
    "shilong",
    "nancheng",
    "fenggang",
    "chashan",
    "dongcheng",
    "huangjiang",
    "humen",
    "qingxi",
    "changping",
    "dalingshan",
    "guancheng",
    "wanjiang",
    "shijie",
    "shipai",
    "qishi",
    "hengli",
    "qiaotou",
    "dongkeng",
    "zhangmutou",
    "shatian",
    "daojiao",
    "hongmei",
    "machong",
    "wangniudun",
    "zhongtang",
    "gaobu",
)
BANK_NAMES = (
    "工商银行东莞分行",
    "农业银行东莞分行",
    "中国银行东莞分行",
    "建设银行东莞分行",
    "交通银行东莞分行",
    "邮储银行东莞分行",
    "东莞农村商业银行",
    "东莞银行",
    "招商银行东莞分行",
    "兴业银行东莞分行",
    "广发银行东莞分行",
    "平安银行东莞分行",
    "中信银行东莞分行",
    "民生银行东莞分行",
    "浦发银行东莞分行",
    "光大银行东莞分行",
    "华夏银行东莞分行",
    "广州银行东莞分行",
    "珠海华润银行东莞分行",
    "南粤银行东莞分行",
    "国家开发银行广东分行",
    "进出口银行广东分行",
    "渤海银行东莞分行",
    "浙商银行东莞分行",
    "汇丰银行东莞分行",
    "东亚银行东莞分行",
    "恒生银行东莞分行",
    "星展银行东莞分行",
    "华兴银行东莞分行",
    "农业发展银行东莞分行",
)
WAN = Decimal(10_000)


@dataclass
class Market:
    seed: int
    banks: dict[uuid.UUID, str]
    roles: ChainRoles
    offers: list[Offer]
    officers: dict[uuid.UUID, list[OfficerSlot]]
    needs: list[NeedCase]
    firms: int
    lead_of: dict[str, uuid.UUID] = field(default_factory=dict)

    @property
    def demand(self) -> Decimal:
        return sum((n.terms.amount for n in self.needs), Decimal(0))

    @property
    def lines(self) -> Decimal:
        return sum((o.terms.capacity for o in self.offers), Decimal(0))

    @property
    def lines_to_demand(self) -> float:
        """What the lines really add up to, as a share of all needs' amounts."""
        return float(self.lines / self.demand)


def _firm(rng: random.Random) -> tuple[FirmFacts, str]:
    size = rng.choices([SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM], weights=(55, 35, 10))[0]
    employees, revenue = {
        SizeClass.MICRO: (rng.randint(3, 19), rng.randint(50, 299) * WAN),
        SizeClass.SMALL: (rng.randint(20, 299), rng.randint(300, 1999) * WAN),
        SizeClass.MEDIUM: (rng.randint(300, 999), rng.randint(2000, 39999) * WAN),
    }[size]
    honours = []
    for code, p in (
        (HonourCode.HIGH_TECH, 0.15),
        (HonourCode.SPECIALISED, 0.10),
        (HonourCode.LITTLE_GIANT, 0.02),
        (HonourCode.INNOVATIVE_SME, 0.12),
        (HonourCode.DOUBLING, 0.03),
    ):
        if rng.random() < p:
            honours.append(Honour(code=code, valid_from=date(2024, 1, 1), valid_until=date(2027, 12, 31)))
    town = rng.choices(TOWNS, weights=[8 if i < 6 else 2 for i in range(len(TOWNS))])[0]
    facts = FirmFacts(
        town=town, employees=employees, revenue_last_year=revenue, size_class=size, honours=tuple(honours)
    )
    return facts, rng.choices(CHAINS, weights=CHAIN_WEIGHTS)[0]


def generate(
    *,
    seed: int = 20261122,
    products: int = 500,
    firms: int = 10_000,
    needs: int = 2_000,
    banks: int = 30,
    capacity_to_demand: float = 0.8,
    demand_seed: int | None = None,
) -> Market:
    """The market. Firms, needs and banks depend only on the seed: markets with different product counts share
    them, so their figures are comparable."""
    rng = random.Random(seed)
    bank_ids = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(banks)]
    bank_names = dict(zip(bank_ids, BANK_NAMES, strict=False))
    designations, lead_of, chains_of_bank = [], {}, {b: set() for b in bank_ids}
    for chain in CHAINS:
        lead, *coops = rng.sample(bank_ids, 4)
        lead_of[chain] = lead
        designations.append(Designation(chain, lead, BankRole.LEAD, date(2025, 1, 1)))
        chains_of_bank[lead].add(chain)
        for coop in coops[: rng.randint(2, 3)]:
            designations.append(Designation(chain, coop, BankRole.COOPERATING, date(2025, 1, 1)))
            chains_of_bank[coop].add(chain)

    firm_pool = [_firm(rng) for _ in range(firms)]
    if demand_seed is not None:  # another period's demand on the same market: the same firms, banks and products
        rng = random.Random(demand_seed)
    stream: list[NeedCase] = []
    for _ in range(needs):
        facts, chain = rng.choice(firm_pool)
        amount = Decimal(int(min(max(rng.lognormvariate(4.9, 0.8), 10), 5000))) * WAN  # median ≈ 134万
        kinds = rng.sample(list(ProductType), rng.randint(1, 3))
        confirmed = rng.random() < 0.6
        receivable = confirmed and rng.random() < 0.3
        stream.append(
            NeedCase(
                need_id=uuid.UUID(int=rng.getrandbits(128)),
                firm_id=uuid.UUID(int=rng.getrandbits(128)),
                chain=chain,
                terms=NeedTerms(
                    amount=amount,
                    term_months=rng.choice((6, 12, 12, 24, 36)),
                    purpose="经营周转",
                    product_types=tuple(kinds),
                    collateral=rng.choice(
                        (
                            (CollateralKind.NONE,),
                            (CollateralKind.GUARANTEE,),
                            (CollateralKind.EQUIPMENT, CollateralKind.RECEIVABLE),
                        )
                    ),
                    max_annual_rate=rng.choice((None, Decimal("0.045"), Decimal("0.055"), Decimal("0.07"))),
                    consent_scope=rng.choices(list(ConsentScope), weights=(20, 60, 20))[0],
                    consent_until=DAY + timedelta(days=180),
                ),
                firm=facts,
                position=ChainPosition(
                    link_confirmed=confirmed,
                    receivable_id=uuid.uuid4() if receivable else None,
                    receivable_amount=amount if receivable else None,
                    receivable_due=DAY + timedelta(days=120) if receivable else None,
                ),
            )
        )
    # Poisson arrivals: exponential gaps; only their order matters to the matcher.
    arrivals = []
    clock = 0.0
    for need in stream:
        clock += rng.expovariate(2.0)
        arrivals.append((clock, need))
    stream = [n for _, n in sorted(arrivals, key=lambda a: a[0])]

    product_rng = random.Random(seed * 31 + products)
    demand = sum((n.terms.amount for n in stream), Decimal(0))
    raw_lines = [product_rng.uniform(0.3, 1.7) for _ in range(products)]
    line_scale = float(demand) * capacity_to_demand / sum(raw_lines)
    offers = []
    for i in range(products):
        bank = bank_ids[i % banks]
        own = sorted(chains_of_bank[bank])
        pool = own if own and product_rng.random() < 0.7 else list(CHAINS)
        chains = tuple(product_rng.sample(pool, min(len(pool), product_rng.randint(1, 2))))
        kind = product_rng.choice(list(ProductType))
        low = Decimal(product_rng.choice((10, 30, 50, 100))) * WAN
        # The line is the product's share of the stated total, never raised to fit its largest loan: a product whose
        # line is smaller than its usual ceiling lends no more than its line.
        capacity = max(Decimal(int(raw_lines[i] * line_scale / 10_000)) * WAN, low)
        high = min(Decimal(product_rng.choice((300, 500, 1000, 3000, 5000))) * WAN, capacity)
        rate_min = Decimal(product_rng.choice(("0.0300", "0.0345", "0.0380", "0.0420")))
        anchored = kind in (ProductType.ORDER_LOAN, ProductType.RECEIVABLE_PLEDGE, ProductType.REVERSE_FACTORING)
        offers.append(
            Offer(
                product_id=uuid.UUID(int=product_rng.getrandbits(128)),
                bank_id=bank,
                bank_name=bank_names[bank],
                terms=ProductTerms(
                    name=f"{bank_names[bank][:4]}{kind.value}{i}",
                    product_type=kind,
                    amount_min=low,
                    amount_max=high,
                    term_min_months=3,
                    term_max_months=product_rng.choice((12, 24, 36, 60)),
                    rate_min=rate_min,
                    rate_max=rate_min + Decimal("0.03"),
                    chains=chains,
                    towns=tuple(product_rng.sample(TOWNS, 6)) if product_rng.random() < 0.2 else (),
                    size_classes=tuple(
                        product_rng.sample(
                            [SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM], product_rng.randint(2, 3)
                        )
                    ),
                    honours_required=(HonourCode.SPECIALISED, HonourCode.LITTLE_GIANT)
                    if product_rng.random() < 0.08
                    else (),
                    honours_favoured=(HonourCode.HIGH_TECH, HonourCode.SPECIALISED),
                    requires_link_confirmation=anchored and product_rng.random() < 0.5,
                    requires_receivable_confirmation=kind is ProductType.RECEIVABLE_PLEDGE,
                    collateral_accepted=product_rng.choice(
                        (
                            (CollateralKind.NONE,),
                            (CollateralKind.GUARANTEE, CollateralKind.EQUIPMENT),
                            (CollateralKind.RECEIVABLE, CollateralKind.ORDER),
                        )
                    ),
                    capacity=capacity,
                    active_from=date(2026, 1, 1),
                ),
            )
        )

    officers: dict[uuid.UUID, list[OfficerSlot]] = {}
    officer_rng = random.Random(seed + 7)
    for bank in bank_ids:
        chains = sorted(chains_of_bank[bank]) or list(CHAINS)
        officers[bank] = [
            OfficerSlot(
                uuid.UUID(int=officer_rng.getrandbits(128)),
                bank,
                OfficerProfile(
                    name=f"服务官{j + 1}",
                    centre="制造业服务中心",
                    chains=tuple(CHAINS if j == 0 else chains),
                    max_open_matches=officer_rng.randint(40, 120),
                ),
            )
            for j in range(officer_rng.randint(3, 8))
        ]
    return Market(seed, bank_names, ChainRoles(designations), offers, officers, stream, firms, lead_of)
