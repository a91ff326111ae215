"""Names people read, for the codes events carry: the chains and towns as the firms service publishes them
(`GET /v1/reference/chains`, `/towns`), and the reasons banks and the desk give, as the portal words them."""

from __future__ import annotations

CHAINS = {
    "smart_terminal": "智能移动终端",
    "semiconductors": "半导体及集成电路",
    "new_display": "新型显示",
    "new_materials": "新材料",
    "new_energy": "新能源",
    "robotics_equipment": "智能机器人及高端装备",
    "biomedicine": "生物医药及高端医疗器械",
    "artificial_intelligence": "人工智能",
    "low_altitude": "低空经济",
    "electronic_information": "新一代电子信息",
}

TOWNS = {
    "guancheng": "莞城街道", "dongcheng": "东城街道", "nancheng": "南城街道", "wanjiang": "万江街道",
    "songshan_lake": "松山湖", "shijie": "石碣镇", "shilong": "石龙镇", "chashan": "茶山镇", "shipai": "石排镇",
    "qishi": "企石镇", "hengli": "横沥镇", "qiaotou": "桥头镇", "xiegang": "谢岗镇", "dongkeng": "东坑镇",
    "changping": "常平镇", "liaobu": "寮步镇", "zhangmutou": "樟木头镇", "dalang": "大朗镇", "huangjiang": "黄江镇",
    "qingxi": "清溪镇", "tangxia": "塘厦镇", "fenggang": "凤岗镇", "dalingshan": "大岭山镇", "changan": "长安镇",
    "humen": "虎门镇", "houjie": "厚街镇", "shatian": "沙田镇", "daojiao": "道滘镇", "hongmei": "洪梅镇",
    "machong": "麻涌镇", "wangniudun": "望牛墩镇", "zhongtang": "中堂镇", "gaobu": "高埗镇",
}  # fmt: skip

# Why an officer passed a match on, and what the SME can do about it.
DECLINE_REASONS = {
    "outside_appetite": "该产品的准入条件与您的需求不符",
    "capacity_exhausted": "该产品的额度已用完",
    "insufficient_information": "需求信息不足以评估",
    "conflict_of_interest": "该服务官需回避",
    "officer_unavailable": "服务官暂时无法受理",
    "other": "其他原因",
}

# Why a bank refused the loan after assessing it, with what the SME can change.
REJECT_REASONS = {
    "credit_history": ("征信记录不符合要求", "可先查询并修复征信记录后重新申请"),
    "insufficient_cash_flow": ("经营现金流不足以覆盖还款", "可降低金额或延长期限后重新提交"),
    "insufficient_collateral": ("担保或抵押不足", "可补充担保方式，或以链主确权的应收账款申请"),
    "chain_relation_unverified": ("与链主的供货关系未能核实", "可请链主在链融确认供货关系后重新提交"),
    "policy_restriction": ("受信贷政策限制", "可联系调度专班了解其他渠道"),
    "firm_withdrew": ("企业撤回了申请", "如仍需融资，可重新提交需求"),
    "other": ("其他原因", "可联系服务官了解详情"),
}

DESK_OUTCOMES = {
    "financed_elsewhere": "已通过其他渠道获得融资",
    "not_a_real_need": "经核实暂无融资需求",
    "firm_declined": "企业不再需要跟进",
    "no_bank_could_serve": "暂无银行能够承接",
}

# Why no bank could be proposed (the matcher's reason codes), as the SME can act on them.
ESCALATION_REASONS = {
    "no_product": "本产业链暂无银行提供您所选的产品类型，可增加可接受的产品类型",
    "product_type_not_asked": "可选产品的类型不在您所选范围内，可增加可接受的产品类型",
    "chain_not_served": "暂无银行产品覆盖您的产业链",
    "amount_below_min": "申请金额低于可选产品的起贷金额",
    "amount_above_max": "申请金额高于可选产品的上限，可降低金额或分笔申请",
    "term_below_min": "申请期限短于可选产品的最短期限",
    "term_above_max": "申请期限长于可选产品的最长期限，可缩短期限",
    "rate_above_ceiling": "可选产品的利率高于您可接受的上限，可适当放宽利率上限",
    "town_not_served": "暂无产品覆盖您所在的镇街",
    "size_not_served": "暂无产品面向您企业的规模",
    "honour_missing": "可选产品要求相应资质（如专精特新）",
    "link_unconfirmed": "可选产品需要链主确认供货关系，可请链主在链融确认",
    "receivable_missing": "可选产品需要链主确权的应收账款或订单",
    "receivable_past_due": "所附应收账款已到期",
    "collateral_not_accepted": "可选产品需要您未提供的担保方式，可增加可提供的担保",
    "consent_expired": "您的授权已过期，可延长授权期限",
    "consent_lead_bank_only": "您只授权了主办行，可扩大授权范围",
    "consent_chain_banks_only": "您只授权了本链合作银行，可扩大授权范围",
    "line_insufficient": "可选产品的额度暂时不足",
    "chain_line_insufficient": "银行的整链授信额度暂时不足",
    "no_officer": "暂无在岗的服务官",
    "already_tried": "可选银行均已处理过该需求",
}


def chain(code: str) -> str:
    return CHAINS.get(code, code)


def town(code: str | None) -> str:
    return TOWNS.get(code or "", code or "")
