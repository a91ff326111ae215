-- An event about a need can be read before the need itself (it travels on another topic; a rebuild from the start
-- of the log reads the topics in any order). It waits here, keyed by the need's pseudonym, and is counted when the
-- need arrives: however old the events, a rebuild counts exactly what the live run counted.
CREATE TABLE early_events (
    need_key     text NOT NULL,
    event_id     uuid NOT NULL,
    occurred_at  timestamptz NOT NULL,
    payload      text NOT NULL,
    PRIMARY KEY (need_key, event_id)
);
