-- Departments, users, devices and the append-only, hash-chained audit log.

CREATE TABLE departments (
    id           uuid PRIMARY KEY,
    code         text NOT NULL UNIQUE,
    name         text NOT NULL,
    region_code  char(6) NOT NULL CHECK (region_code ~ '^[0-9]{6}$'),
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id              uuid PRIMARY KEY,
    username        text NOT NULL UNIQUE,
    display_name    text NOT NULL,
    password_hash   text NOT NULL,
    role            text NOT NULL CHECK (role IN
                        ('inspector', 'monitoring_operator', 'legal_reviewer',
                         'supervisor', 'admin', 'vision_node')),
    department_id   uuid NOT NULL REFERENCES departments (id),
    region_code     char(6) NOT NULL CHECK (region_code ~ '^[0-9]{6}$'),
    certificate_no  text,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT inspector_has_certificate
        CHECK (role <> 'inspector' OR certificate_no IS NOT NULL)
);
CREATE INDEX users_department ON users (department_id);

CREATE TABLE devices (
    id             text PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES users (id),
    department_id  uuid NOT NULL REFERENCES departments (id),
    label          text NOT NULL DEFAULT '',
    registered_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz
);
CREATE INDEX devices_user ON devices (user_id);

CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id),
    device_id   text REFERENCES devices (id),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    replaced_by uuid
);

CREATE TABLE audit_log (
    seq            bigint PRIMARY KEY,
    occurred_at    timestamptz NOT NULL,
    actor_id       uuid,
    actor_role     text NOT NULL,
    department_id  uuid,
    device_id      text,
    action         text NOT NULL,
    entity_type    text NOT NULL,
    entity_id      text NOT NULL,
    before_hash    text,
    after_hash     text,
    detail         json NOT NULL DEFAULT '{}',  -- json, not jsonb: keeps the exact text that was hashed
    prev_hash      char(64) NOT NULL,
    entry_hash     char(64) NOT NULL UNIQUE
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id);
CREATE INDEX audit_log_department ON audit_log (department_id, seq);

-- The chain's head: one row, read by each append under a transaction-scoped advisory lock, so
-- entries get consecutive seq numbers and each links to its true predecessor. The verifier also
-- checks that the log ends where the head says, so a cut-off tail is noticed.
CREATE TABLE audit_head (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    seq         bigint NOT NULL,
    entry_hash  char(64) NOT NULL
);
INSERT INTO audit_head VALUES (true, 0, repeat('0', 64));

-- Lock, then read the head, in one round trip. An advisory lock queues its waiters and wakes one
-- at a time; a row lock (FOR UPDATE) would wake every waiter at each commit to race again.
-- plpgsql takes a fresh snapshot per statement, so the SELECT sees the head committed before the
-- lock was granted.
CREATE FUNCTION audit_lock_head(OUT seq bigint, OUT entry_hash char(64)) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(1635083369);  -- 'audi' as an integer: the chain's lock
    SELECT h.seq, h.entry_hash INTO seq, entry_hash FROM audit_head h;
END;
$$;

-- 全程留痕: the log only grows. Row and statement triggers refuse change.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
