-- Reference data: Dongguan's 33 towns, streets and parks, and the key industrial chains.
CREATE TABLE towns (
    code        text PRIMARY KEY,
    name_zh     text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('street', 'town', 'park'))
);
CREATE TABLE chains (
    code        text PRIMARY KEY,
    name_zh     text NOT NULL,
    name_en     text NOT NULL
);

-- Firms. Contact data is personal: kept apart, shown only to the firm itself, never in events or logs.
CREATE TABLE firms (
    firm_id            uuid PRIMARY KEY,
    uscc               text NOT NULL UNIQUE,
    legal_name         text NOT NULL,
    town               text NOT NULL REFERENCES towns (code),
    employees          integer NOT NULL CHECK (employees >= 0),
    revenue_last_year  numeric(16, 2) NOT NULL CHECK (revenue_last_year >= 0),
    size_class         text NOT NULL,
    honours            jsonb NOT NULL DEFAULT '[]',
    registered_at      timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE firm_contacts (
    firm_id  uuid PRIMARY KEY REFERENCES firms (firm_id) ON DELETE CASCADE,
    name     text NOT NULL,
    phone    text NOT NULL
);

CREATE TABLE chain_masters (
    firm_id  uuid NOT NULL REFERENCES firms (firm_id),
    chain    text NOT NULL REFERENCES chains (code),
    PRIMARY KEY (firm_id, chain)
);

CREATE TABLE supplier_links (
    link_id               uuid PRIMARY KEY,
    supplier_firm_id      uuid NOT NULL REFERENCES firms (firm_id),
    chain_master_firm_id  uuid NOT NULL REFERENCES firms (firm_id),
    chain                 text NOT NULL REFERENCES chains (code),
    tier                  text NOT NULL,
    annual_supply_value   numeric(16, 2) NOT NULL,
    status                text NOT NULL DEFAULT 'pending',
    reason                text NOT NULL DEFAULT '',
    declared_at           timestamptz NOT NULL DEFAULT now(),
    decided_at            timestamptz,
    CHECK (supplier_firm_id <> chain_master_firm_id)
);
-- One live declaration per supplier, chain master and chain; a rejected one may be declared again.
CREATE UNIQUE INDEX supplier_links_live ON supplier_links (supplier_firm_id, chain_master_firm_id, chain)
    WHERE status <> 'rejected';
CREATE INDEX supplier_links_by_master ON supplier_links (chain_master_firm_id, status);

CREATE TABLE receivables (
    receivable_id         uuid PRIMARY KEY,
    link_id               uuid NOT NULL REFERENCES supplier_links (link_id),
    supplier_firm_id      uuid NOT NULL REFERENCES firms (firm_id),
    chain_master_firm_id  uuid NOT NULL REFERENCES firms (firm_id),
    kind                  text NOT NULL,
    amount                numeric(16, 2) NOT NULL CHECK (amount > 0),
    due_date              date NOT NULL,
    status                text NOT NULL DEFAULT 'pending',
    reason                text NOT NULL DEFAULT '',
    declared_at           timestamptz NOT NULL DEFAULT now(),
    decided_at            timestamptz
);
CREATE INDEX receivables_by_master ON receivables (chain_master_firm_id, status);

CREATE TABLE needs (
    need_id     uuid PRIMARY KEY,
    firm_id     uuid NOT NULL REFERENCES firms (firm_id),
    chain       text NOT NULL REFERENCES chains (code),
    terms       jsonb NOT NULL,
    first_loan  boolean NOT NULL,
    position    jsonb NOT NULL,
    status      text NOT NULL DEFAULT 'submitted',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX needs_by_firm ON needs (firm_id, created_at DESC);

-- The need's timeline, from its own events and the matcher's and banks' events about it.
CREATE TABLE need_timeline (
    need_id    uuid NOT NULL REFERENCES needs (need_id),
    event_id   uuid NOT NULL,
    at         timestamptz NOT NULL,
    milestone  text NOT NULL,
    detail     jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (need_id, event_id)
);

-- Idempotency-Key of POST requests: the first response, replayed for a repeated key.
CREATE TABLE idempotency_keys (
    scope         text NOT NULL,
    key           text NOT NULL,
    request_hash  text NOT NULL,
    status_code   integer NOT NULL,
    response      jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);

INSERT INTO towns (code, name_zh, kind) VALUES
    ('guancheng', '莞城街道', 'street'), ('dongcheng', '东城街道', 'street'),
    ('nancheng', '南城街道', 'street'), ('wanjiang', '万江街道', 'street'),
    ('songshan_lake', '松山湖', 'park'),
    ('shijie', '石碣镇', 'town'), ('shilong', '石龙镇', 'town'), ('chashan', '茶山镇', 'town'),
    ('shipai', '石排镇', 'town'), ('qishi', '企石镇', 'town'), ('hengli', '横沥镇', 'town'),
    ('qiaotou', '桥头镇', 'town'), ('xiegang', '谢岗镇', 'town'), ('dongkeng', '东坑镇', 'town'),
    ('changping', '常平镇', 'town'), ('liaobu', '寮步镇', 'town'), ('zhangmutou', '樟木头镇', 'town'),
    ('dalang', '大朗镇', 'town'), ('huangjiang', '黄江镇', 'town'), ('qingxi', '清溪镇', 'town'),
    ('tangxia', '塘厦镇', 'town'), ('fenggang', '凤岗镇', 'town'), ('dalingshan', '大岭山镇', 'town'),
    ('changan', '长安镇', 'town'), ('humen', '虎门镇', 'town'), ('houjie', '厚街镇', 'town'),
    ('shatian', '沙田镇', 'town'), ('daojiao', '道滘镇', 'town'), ('hongmei', '洪梅镇', 'town'),
    ('machong', '麻涌镇', 'town'), ('wangniudun', '望牛墩镇', 'town'), ('zhongtang', '中堂镇', 'town'),
    ('gaobu', '高埗镇', 'town');

INSERT INTO chains (code, name_zh, name_en) VALUES
    ('smart_terminal', '智能移动终端', 'Smart mobile terminals'),
    ('semiconductors', '半导体及集成电路', 'Semiconductors and integrated circuits'),
    ('new_display', '新型显示', 'New display'),
    ('new_materials', '新材料', 'New materials'),
    ('new_energy', '新能源', 'New energy'),
    ('robotics_equipment', '智能机器人及高端装备', 'Intelligent robots and high-end equipment'),
    ('biomedicine', '生物医药及高端医疗器械', 'Biomedicine and high-end medical devices'),
    ('artificial_intelligence', '人工智能', 'Artificial intelligence'),
    ('low_altitude', '低空经济', 'Low-altitude economy'),
    ('electronic_information', '新一代电子信息', 'New-generation electronic information');
