-- 融资需求调度: when a need was listed on the coordination desk and by when its credit decision is due; its first
-- contact and first credit decision as they happen, whatever the order the topics are read in (a rebuild reads a
-- decision before the listing it answers), so each is counted once when both sides are known.
ALTER TABLE need_keys ADD COLUMN listed_at timestamptz;
ALTER TABLE need_keys ADD COLUMN decide_by timestamptz;
ALTER TABLE need_keys ADD COLUMN first_contact_at timestamptz;
ALTER TABLE need_keys ADD COLUMN first_contact_bank text;
ALTER TABLE need_keys ADD COLUMN first_decision_at timestamptz;
ALTER TABLE need_keys ADD COLUMN first_decision_bank text;
ALTER TABLE need_keys ADD COLUMN first_decision_approved boolean;
ALTER TABLE need_keys ADD COLUMN desk_contacted boolean NOT NULL DEFAULT false;
ALTER TABLE need_keys ADD COLUMN desk_decided boolean NOT NULL DEFAULT false;
