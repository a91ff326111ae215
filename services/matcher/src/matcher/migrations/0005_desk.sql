-- 融资需求调度: the coordination desk. Every escalated (or recommendation-listed) need gets an item here, owned by the
-- coordinators of its town until it is closed; the clock to a credit decision runs from `listed_at`.
CREATE TABLE desk_items (
    need_id       uuid PRIMARY KEY REFERENCES needs (need_id),
    firm_id       uuid NOT NULL,
    town          text NOT NULL,
    chain         text NOT NULL,
    source        text NOT NULL CHECK (source IN ('escalation', 'recommendation_list')),
    listed_at     timestamptz NOT NULL,
    decide_by     timestamptz NOT NULL,
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'recommended', 'closed')),
    contacted_at  timestamptz,
    decided_at    timestamptz,
    approved      boolean,
    breached      boolean NOT NULL DEFAULT false,
    outcome       text,
    reason_code   text,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX desk_by_town ON desk_items (town, status, listed_at);
CREATE INDEX desk_clock ON desk_items (decide_by) WHERE decided_at IS NULL AND NOT breached AND status <> 'closed';

-- What happened to an item, in order: listed, recommended (to a bank), retried, visit, call, returned, closed,
-- breached. `actor` is the coordinator's subject, or `matcher`.
CREATE TABLE desk_actions (
    action_id  bigserial PRIMARY KEY,
    need_id    uuid NOT NULL REFERENCES desk_items (need_id),
    kind       text NOT NULL,
    actor      text NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    details    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX desk_actions_by_need ON desk_actions (need_id, action_id);
