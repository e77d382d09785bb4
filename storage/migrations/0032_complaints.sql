-- 投诉举报: received from the public, accepted or refused within 7 working days, transferred to
-- the responsible department, handled, supervised when overdue (督办) and answered (反馈).
-- The whistleblower's identity is stored only encrypted (AES-256-GCM, key outside the database).

CREATE TABLE complaints (
    id                   uuid PRIMARY KEY,
    reference_no         text NOT NULL UNIQUE,
    kind                 text NOT NULL CHECK (kind IN ('complaint', 'report')),
    channel              text NOT NULL,
    region_code          char(6) NOT NULL CHECK (region_code ~ '^[0-9]{6}$'),
    subject_name         text NOT NULL,
    subject_uscc         char(18),
    location             text NOT NULL DEFAULT '',
    content              text NOT NULL,
    anonymous            boolean NOT NULL,
    identity_ciphertext  bytea,
    identity_key_id      text,
    token_sha256         char(64) NOT NULL UNIQUE,
    status               text NOT NULL DEFAULT 'received' CHECK (status IN
                             ('received', 'accepted', 'rejected', 'transferred', 'handled', 'closed')),
    received_at          timestamptz NOT NULL DEFAULT now(),
    acceptance_due_on    date NOT NULL,
    decided_at           timestamptz,
    decision_reason      text,
    department_id        uuid REFERENCES departments (id),
    handling_due_on      date,
    handling_result      text,
    feedback             text,
    supervision_count    integer NOT NULL DEFAULT 0,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT identity_unless_anonymous CHECK (anonymous = (identity_ciphertext IS NULL)),
    CONSTRAINT transferred_has_department CHECK (
        status NOT IN ('transferred', 'handled') OR department_id IS NOT NULL)
);
CREATE INDEX complaints_region ON complaints (region_code, status);
CREATE INDEX complaints_department ON complaints (department_id, status);

-- The timeline: every step, who took it and what the complainant may see of it.
CREATE TABLE complaint_events (
    complaint_id  uuid NOT NULL REFERENCES complaints (id),
    seq           integer NOT NULL,
    at            timestamptz NOT NULL DEFAULT now(),
    actor_id      uuid REFERENCES users (id),
    action        text NOT NULL,
    status_after  text NOT NULL,
    note          text NOT NULL DEFAULT '',
    public        boolean NOT NULL,
    PRIMARY KEY (complaint_id, seq)
);
