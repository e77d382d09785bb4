-- The discretion benchmark (行政处罚裁量基准, 行政处罚法第三十四条): numbered versions per department,
-- imported from CSV as drafts; a published version is binding and never changes.

CREATE TABLE discretion_tables (
    id             uuid PRIMARY KEY,
    department_id  uuid NOT NULL REFERENCES departments (id),
    version        integer NOT NULL CHECK (version >= 1),
    title          text NOT NULL,
    source_sha256  char(64) NOT NULL,
    imported_by    uuid REFERENCES users (id),
    imported_at    timestamptz NOT NULL DEFAULT now(),
    published_at   timestamptz,
    published_by   uuid REFERENCES users (id),
    UNIQUE (department_id, version)
);
CREATE INDEX discretion_tables_published ON discretion_tables (department_id, published_at)
    WHERE published_at IS NOT NULL;

CREATE TABLE discretion_entries (
    table_id        uuid NOT NULL REFERENCES discretion_tables (id),
    violation_code  text NOT NULL,
    circumstance    text NOT NULL CHECK (circumstance IN ('minor', 'ordinary', 'serious')),
    violation       text NOT NULL,
    legal_basis     text NOT NULL,
    kinds           text[] NOT NULL CHECK (cardinality(kinds) >= 1),
    fine_min_fen    bigint NOT NULL CHECK (fine_min_fen >= 0),
    fine_max_fen    bigint NOT NULL CHECK (fine_max_fen >= fine_min_fen),
    note            text NOT NULL DEFAULT '',
    PRIMARY KEY (table_id, violation_code, circumstance)
);

-- A published version is law for the department: its rows can no longer change.
CREATE FUNCTION discretion_refuse_published_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM discretion_tables
               WHERE id = COALESCE(OLD.table_id, NEW.table_id) AND published_at IS NOT NULL) THEN
        RAISE EXCEPTION 'discretion table % is published: % refused', COALESCE(OLD.table_id, NEW.table_id), TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END;
$$;
CREATE TRIGGER discretion_entries_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON discretion_entries
    FOR EACH ROW EXECUTE FUNCTION discretion_refuse_published_change();
