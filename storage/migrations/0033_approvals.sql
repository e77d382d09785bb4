-- 审管联动 (双告知、双反馈): approval results pushed by the approval bureau start supervision in the
-- responsible department; findings and objections go back through an outbox that retries until
-- the bureau acknowledges them.

CREATE TABLE approval_results (
    id                    uuid PRIMARY KEY,
    bureau_ref            text NOT NULL UNIQUE,  -- the bureau's own ID: pushes are idempotent by it
    content_sha256        char(64) NOT NULL,
    content               jsonb NOT NULL,
    commitment            boolean NOT NULL,      -- 告知承诺制 approval: the promise must be verified
    department_id         uuid NOT NULL REFERENCES departments (id),
    bureau_department_id  uuid NOT NULL REFERENCES departments (id),  -- the 审批局 that pushed it: it alone answers objections
    applicant_uscc        char(18) NOT NULL,
    item_code             char(14) NOT NULL,
    decided_on            date NOT NULL,
    verify_by             date,
    promise_status        text CHECK (promise_status IN ('pending', 'kept', 'breached')),
    supervision_task_id   uuid NOT NULL REFERENCES tasks (id),
    verification_task_id  uuid REFERENCES tasks (id),
    received_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT commitment_is_verified CHECK (
        commitment = (verify_by IS NOT NULL AND promise_status IS NOT NULL AND verification_task_id IS NOT NULL))
);
CREATE INDEX approval_results_department ON approval_results (department_id, received_at);

CREATE TABLE approval_findings (
    id             uuid PRIMARY KEY,
    approval_id    uuid NOT NULL REFERENCES approval_results (id),
    department_id  uuid NOT NULL REFERENCES departments (id),
    kind           text NOT NULL CHECK (kind IN ('supervision', 'promise_kept', 'promise_breached')),
    summary        text NOT NULL,
    record_id      uuid REFERENCES records (id),
    created_by     uuid NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- Seed 001 (15): the supervising department disputes an approval; the bureau reviews and answers.
CREATE TABLE approval_objections (
    id               uuid PRIMARY KEY,
    approval_id      uuid NOT NULL REFERENCES approval_results (id),
    department_id    uuid NOT NULL REFERENCES departments (id),
    grounds          text NOT NULL,
    reason           text NOT NULL,
    raised_by        uuid NOT NULL REFERENCES users (id),
    raised_at        timestamptz NOT NULL DEFAULT now(),
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered')),
    review_decision  text,
    answer           text,
    answered_by      uuid REFERENCES users (id),
    answered_at      timestamptz,
    CONSTRAINT answered_has_answer CHECK (status = 'open' OR (answer IS NOT NULL AND answered_at IS NOT NULL))
);
CREATE INDEX approval_objections_status ON approval_objections (status, raised_at);

-- Messages to the bureau. The id is the Idempotency-Key header; a message is sent until a 2xx
-- answer, never after one. A worker claims a message by moving next_attempt_at past its HTTP
-- timeout (a lease), so two workers never send the same message at once.
CREATE TABLE feedback_outbox (
    id               uuid PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('finding', 'objection')),
    approval_id      uuid NOT NULL REFERENCES approval_results (id),
    payload          jsonb NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    last_status      integer,
    last_error       text
);
CREATE INDEX feedback_outbox_due ON feedback_outbox (next_attempt_at) WHERE delivered_at IS NULL;
