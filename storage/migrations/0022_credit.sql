-- Credit supervision (信用监管): credit facts per subject, the abnormal list and blacklist,
-- objections (异议) and credit repair (信用修复), and each subject's current grade.

CREATE TABLE credit_records (
    id              uuid PRIMARY KEY,
    subject_id      uuid NOT NULL REFERENCES subjects (id),
    department_id   uuid NOT NULL REFERENCES departments (id),
    kind            text NOT NULL CHECK (kind IN ('penalty', 'licence', 'inspection_passed', 'inspection_failed',
                        'complaint_upheld', 'commitment_kept', 'commitment_broken')),
    serious         boolean NOT NULL DEFAULT false,
    decided_on      date NOT NULL,
    summary         text NOT NULL,
    document_no     text NOT NULL DEFAULT '',
    -- Where the fact came from (a supervision record, a complaint, an approval…); one credit
    -- record per source, so collecting twice adds nothing.
    source_kind     text NOT NULL DEFAULT 'manual',
    source_id       text NOT NULL DEFAULT '',
    state           text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'corrected', 'repaired')),
    -- 双公示: penalty and licence decisions go to the credit platform within 7 days (seed 003, 三).
    platform_due_on date,
    reported_at     timestamptz,
    report_receipt  text NOT NULL DEFAULT '',
    created_by      uuid NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX credit_records_source ON credit_records (source_kind, source_id) WHERE source_kind <> 'manual';
CREATE INDEX credit_records_subject ON credit_records (subject_id, decided_on);
CREATE INDEX credit_records_platform ON credit_records (department_id, platform_due_on)
    WHERE platform_due_on IS NOT NULL;

CREATE TABLE credit_list_entries (
    id             uuid PRIMARY KEY,
    subject_id     uuid NOT NULL REFERENCES subjects (id),
    department_id  uuid NOT NULL REFERENCES departments (id),
    list           text NOT NULL CHECK (list IN ('abnormal', 'blacklist')),
    entered_on     date NOT NULL,
    entry_reason   text NOT NULL,
    entry_basis    text NOT NULL DEFAULT '',
    exited_on      date,
    exit_reason    text,
    exited_by      uuid REFERENCES users (id),
    created_by     uuid NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT exit_has_reason CHECK (exited_on IS NULL OR (exit_reason IS NOT NULL AND exited_on >= entered_on))
);
CREATE UNIQUE INDEX credit_list_entries_open ON credit_list_entries (subject_id, list) WHERE exited_on IS NULL;

CREATE TABLE credit_requests (
    id             uuid PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('objection', 'repair')),
    subject_id     uuid NOT NULL REFERENCES subjects (id),
    department_id  uuid NOT NULL REFERENCES departments (id),
    record_id      uuid REFERENCES credit_records (id),
    list_entry_id  uuid REFERENCES credit_list_entries (id),
    applicant      text NOT NULL,
    filed_on       date NOT NULL,
    statement      text NOT NULL,
    state          text NOT NULL DEFAULT 'received' CHECK (state IN ('received', 'accepted', 'rejected')),
    reply          text,
    decided_by     uuid REFERENCES users (id),
    decided_at     timestamptz,
    created_by     uuid NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT one_target CHECK ((record_id IS NULL) <> (list_entry_id IS NULL)),
    CONSTRAINT decided_has_reply CHECK (state = 'received' OR (reply IS NOT NULL AND decided_at IS NOT NULL))
);
CREATE UNIQUE INDEX credit_requests_open ON credit_requests (kind, coalesce(record_id, list_entry_id))
    WHERE state = 'received';
CREATE INDEX credit_requests_department ON credit_requests (department_id, state);

-- The grade as last computed by the documented rule (api/credit/grading.py); recomputed in the
-- transaction of every change, and on read once a fact has aged out or come into force (changes_on).
CREATE TABLE credit_grades (
    subject_id   uuid PRIMARY KEY REFERENCES subjects (id),
    grade        char(1) NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D')),
    score        integer NOT NULL,
    parts        jsonb NOT NULL,
    as_of        date NOT NULL,
    changes_on   date,
    computed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credit_grades_changes ON credit_grades (changes_on) WHERE changes_on IS NOT NULL;
