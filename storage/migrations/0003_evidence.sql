-- Evidence uploads (S3 multipart state), integrity checks and legal holds.
-- Integrity checks and legal-hold changes are history: the database refuses to change them.

ALTER TABLE evidence_items
    ADD COLUMN version_id     text,
    ADD COLUMN failure_reason text,
    ADD CONSTRAINT verified_has_version CHECK (status <> 'verified' OR version_id IS NOT NULL);

-- One row per S3 multipart upload; at most one open per item, so a device that asks again
-- resumes the same upload instead of starting a second one.
CREATE TABLE evidence_uploads (
    upload_id    text PRIMARY KEY,
    evidence_id  uuid NOT NULL REFERENCES evidence_items (id),
    part_size    bigint NOT NULL CHECK (part_size >= 5242880),
    part_count   integer NOT NULL CHECK (part_count BETWEEN 1 AND 10000),
    started_by   uuid NOT NULL REFERENCES users (id),
    device_id    text,
    started_at   timestamptz NOT NULL DEFAULT now(),
    closed_at    timestamptz,
    outcome      text CHECK (outcome IN ('completed', 'expired')),
    CONSTRAINT closed_has_outcome CHECK ((closed_at IS NULL) = (outcome IS NULL))
);
CREATE UNIQUE INDEX evidence_uploads_one_open ON evidence_uploads (evidence_id) WHERE closed_at IS NULL;

-- The SHA-256 each part URL was signed for: S3's ListParts does not return it everywhere,
-- and CompleteMultipartUpload must repeat it.
CREATE TABLE evidence_upload_parts (
    upload_id    text NOT NULL REFERENCES evidence_uploads (upload_id),
    part_number  integer NOT NULL CHECK (part_number BETWEEN 1 AND 10000),
    sha256       char(64) NOT NULL,
    PRIMARY KEY (upload_id, part_number)
);

CREATE TABLE evidence_integrity_checks (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    evidence_id      uuid NOT NULL REFERENCES evidence_items (id),
    checked_at       timestamptz NOT NULL DEFAULT now(),
    trigger          text NOT NULL CHECK (trigger IN ('finalize', 'verify')),
    outcome          text NOT NULL CHECK (outcome IN ('ok', 'mismatch', 'missing', 'unreadable')),
    version_id       text,
    expected_sha256  char(64) NOT NULL,
    actual_sha256    char(64),
    expected_size    bigint NOT NULL,
    actual_size      bigint,
    detail           text NOT NULL DEFAULT '',
    checked_by       uuid REFERENCES users (id)  -- NULL: the `enforce evidence verify` command
);
CREATE INDEX evidence_integrity_checks_item ON evidence_integrity_checks (evidence_id, id);

CREATE TABLE evidence_legal_holds (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    evidence_id  uuid NOT NULL REFERENCES evidence_items (id),
    enabled      boolean NOT NULL,
    reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    version_id   text NOT NULL,
    set_by       uuid NOT NULL REFERENCES users (id),
    device_id    text,
    set_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evidence_legal_holds_item ON evidence_legal_holds (evidence_id, id);

CREATE FUNCTION evidence_history_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER evidence_integrity_checks_append_only
    BEFORE UPDATE OR DELETE ON evidence_integrity_checks
    FOR EACH ROW EXECUTE FUNCTION evidence_history_refuse_change();
CREATE TRIGGER evidence_integrity_checks_no_truncate
    BEFORE TRUNCATE ON evidence_integrity_checks
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_history_refuse_change();
CREATE TRIGGER evidence_legal_holds_append_only
    BEFORE UPDATE OR DELETE ON evidence_legal_holds
    FOR EACH ROW EXECUTE FUNCTION evidence_history_refuse_change();
CREATE TRIGGER evidence_legal_holds_no_truncate
    BEFORE TRUNCATE ON evidence_legal_holds
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_history_refuse_change();

-- A declared item is the inspector's sworn description of the bytes: once declared, what was
-- declared never changes and the row is never removed (only its upload status moves on).
CREATE FUNCTION evidence_declaration_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (OLD.id, OLD.record_id, OLD.department_id, OLD.kind, OLD.media_type, OLD.size,
                            OLD.sha256, OLD.captured_at, OLD.device_id, OLD.object_key)
                  IS DISTINCT FROM (NEW.id, NEW.record_id, NEW.department_id, NEW.kind, NEW.media_type, NEW.size,
                            NEW.sha256, NEW.captured_at, NEW.device_id, NEW.object_key) THEN
        RAISE EXCEPTION 'evidence declarations are immutable: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER evidence_items_declaration_immutable
    BEFORE UPDATE OR DELETE ON evidence_items
    FOR EACH ROW EXECUTE FUNCTION evidence_declaration_refuse_change();
