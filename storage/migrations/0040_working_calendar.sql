-- The working calendar (节假日安排): public holidays and make-up working days (调休上班日) as data.
-- Each version is one import: the State Council's notice for a year (国务院办公厅关于某年部分节假日安排的通知),
-- or the seed from the chinesecalendar package (migration 0041). A year's days are those of the newest
-- version that covers it; older versions stay, so every deadline can be recomputed as it was.
-- Versions and their days never change (append-only, like the audit log).

CREATE TABLE calendar_versions (
    version      integer PRIMARY KEY CHECK (version >= 1),
    source       text NOT NULL CHECK (source IN ('package', 'notice')),
    years        integer[] NOT NULL CHECK (cardinality(years) >= 1),
    document_no  text NOT NULL DEFAULT '',
    title        text NOT NULL,
    note         text NOT NULL DEFAULT '',
    file_sha256  char(64),
    imported_by  uuid REFERENCES users (id),
    imported_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE calendar_days (
    version  integer NOT NULL REFERENCES calendar_versions (version),
    day      date NOT NULL,
    kind     text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name     text NOT NULL,
    PRIMARY KEY (version, day)
);

CREATE FUNCTION calendar_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the working calendar is append-only: import a new version instead';
END;
$$;

CREATE TRIGGER calendar_versions_append_only BEFORE UPDATE OR DELETE ON calendar_versions
    FOR EACH ROW EXECUTE FUNCTION calendar_append_only();
CREATE TRIGGER calendar_days_append_only BEFORE UPDATE OR DELETE ON calendar_days
    FOR EACH ROW EXECUTE FUNCTION calendar_append_only();
CREATE TRIGGER calendar_versions_no_truncate BEFORE TRUNCATE ON calendar_versions
    FOR EACH STATEMENT EXECUTE FUNCTION calendar_append_only();
CREATE TRIGGER calendar_days_no_truncate BEFORE TRUNCATE ON calendar_days
    FOR EACH STATEMENT EXECUTE FUNCTION calendar_append_only();
