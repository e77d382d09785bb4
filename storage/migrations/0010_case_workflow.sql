-- The enforcement procedure of a case (办案流程), kept beside the case document so handhelds
-- keep syncing case content unchanged. case_events is the full-process record (全过程记录):
-- append-only and hash-chained per case; case_workflow holds the state derived from it.

CREATE TABLE case_workflow (
    case_id        uuid PRIMARY KEY REFERENCES cases (id),
    department_id  uuid NOT NULL REFERENCES departments (id),
    stage          text NOT NULL,
    state          jsonb NOT NULL,
    event_count    integer NOT NULL DEFAULT 0 CHECK (event_count >= 0),
    head_hash      char(64) NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_workflow_stage ON case_workflow (department_id, stage);

-- body is the exact canonical JSON that was hashed (sorted keys, UTF-8), so the chain can be
-- re-checked byte for byte anywhere; the other columns repeat it for queries.
CREATE TABLE case_events (
    id             uuid PRIMARY KEY,
    case_id        uuid NOT NULL REFERENCES cases (id),
    seq            integer NOT NULL CHECK (seq >= 1),
    action         text NOT NULL,
    from_stage     text NOT NULL,
    to_stage       text NOT NULL,
    actor_id       uuid REFERENCES users (id),
    actor_role     text NOT NULL,
    device_id      text,
    occurred_at    timestamptz NOT NULL,
    body           text NOT NULL,
    prev_hash      char(64) NOT NULL,
    event_hash     char(64) NOT NULL UNIQUE,
    UNIQUE (case_id, seq)
);

CREATE FUNCTION case_history_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER case_events_append_only
    BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION case_history_refuse_change();
CREATE TRIGGER case_events_no_truncate
    BEFORE TRUNCATE ON case_events
    FOR EACH STATEMENT EXECUTE FUNCTION case_history_refuse_change();

-- Each case's time limits as of its last step, so the supervisors' overdue list is one query.
-- due_on is NULL while a limit is paused or cannot be computed (holiday data missing).
CREATE TABLE case_deadlines (
    case_id        uuid NOT NULL REFERENCES cases (id),
    rule           text NOT NULL,
    subject        text NOT NULL DEFAULT '',
    department_id  uuid NOT NULL REFERENCES departments (id),
    obligor        text NOT NULL CHECK (obligor IN ('organ', 'party')),
    anchor_on      date NOT NULL,
    due_on         date,
    done_on        date,
    status         text NOT NULL,
    PRIMARY KEY (case_id, rule, subject)
);
CREATE INDEX case_deadlines_open ON case_deadlines (department_id, due_on)
    WHERE status IN ('running', 'incalculable');
