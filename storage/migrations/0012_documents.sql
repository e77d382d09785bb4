-- Numbered documents (执法文书) and their publication (行政执法公示).
-- Numbers come from one counter row per (department, year, kind), incremented with
-- UPDATE … RETURNING inside the issuing transaction: a rolled-back transaction rolls the
-- increment back, so numbers have no gaps, and the row lock makes them unique.

CREATE TABLE document_counters (
    department_id  uuid NOT NULL REFERENCES departments (id),
    year           integer NOT NULL,
    kind           text NOT NULL,
    last_serial    integer NOT NULL CHECK (last_serial >= 0),
    PRIMARY KEY (department_id, year, kind)
);

CREATE TABLE case_documents (
    id             uuid PRIMARY KEY,
    case_id        uuid NOT NULL REFERENCES cases (id),
    department_id  uuid NOT NULL REFERENCES departments (id),
    kind           text NOT NULL,
    year           integer NOT NULL,
    serial         integer NOT NULL CHECK (serial >= 1),
    number         text NOT NULL UNIQUE,
    event_id       uuid NOT NULL,
    issued_at      timestamptz NOT NULL DEFAULT now(),
    data           jsonb NOT NULL,
    html           text NOT NULL,
    html_sha256    char(64) NOT NULL,
    UNIQUE (department_id, year, kind, serial)
);
CREATE INDEX case_documents_case ON case_documents (case_id, issued_at);

CREATE TRIGGER case_documents_append_only
    BEFORE UPDATE OR DELETE ON case_documents
    FOR EACH ROW EXECUTE FUNCTION case_history_refuse_change();

CREATE TABLE publications (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES cases (id),
    department_id   uuid NOT NULL REFERENCES departments (id),
    document_id     uuid NOT NULL REFERENCES case_documents (id),
    region_code     char(6) NOT NULL,
    public          jsonb NOT NULL,
    published_at    timestamptz NOT NULL DEFAULT now(),
    published_by    uuid NOT NULL REFERENCES users (id),
    withdrawn_at    timestamptz,
    withdrawn_by    uuid REFERENCES users (id),
    withdraw_reason text,
    CONSTRAINT withdrawal_has_reason CHECK ((withdrawn_at IS NULL) = (withdraw_reason IS NULL))
);
CREATE UNIQUE INDEX publications_one_per_case ON publications (case_id);
CREATE INDEX publications_feed ON publications (published_at DESC, id DESC);
