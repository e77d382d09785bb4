-- Legal review (法制审核): one row per submission of a case, and every opening of the dossier
-- by a reviewer with the result of re-checking each evidence object at that moment.

CREATE TABLE legal_reviews (
    id             uuid PRIMARY KEY,
    case_id        uuid NOT NULL REFERENCES cases (id),
    department_id  uuid NOT NULL REFERENCES departments (id),
    submitted_at   timestamptz NOT NULL DEFAULT now(),
    submitted_by   uuid NOT NULL REFERENCES users (id),
    grounds        text[] NOT NULL DEFAULT '{}',
    decided_at     timestamptz,
    decided_by     uuid REFERENCES users (id),
    outcome        text CHECK (outcome IN ('passed', 'returned')),
    reasons        text,
    CONSTRAINT decided_has_outcome CHECK ((decided_at IS NULL) = (outcome IS NULL))
);
CREATE UNIQUE INDEX legal_reviews_one_open ON legal_reviews (case_id) WHERE decided_at IS NULL;
CREATE INDEX legal_reviews_queue ON legal_reviews (department_id, submitted_at) WHERE decided_at IS NULL;

CREATE TABLE review_openings (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    review_id      uuid NOT NULL REFERENCES legal_reviews (id),
    reviewer_id    uuid NOT NULL REFERENCES users (id),
    device_id      text,
    opened_at      timestamptz NOT NULL DEFAULT now(),
    checked        integer NOT NULL,
    failed         uuid[] NOT NULL DEFAULT '{}'
);
CREATE INDEX review_openings_review ON review_openings (review_id, id);

CREATE TRIGGER review_openings_append_only
    BEFORE UPDATE OR DELETE ON review_openings
    FOR EACH ROW EXECUTE FUNCTION case_history_refuse_change();
