-- Monitored sites (非现场监管点位) with every config version, and vision alerts (预警)
-- with every revision received, their evidence media and the change feed streamed to operators.

CREATE TABLE sites (
    id             text PRIMARY KEY,
    department_id  uuid NOT NULL REFERENCES departments (id),
    version        integer NOT NULL CHECK (version >= 1),
    active         boolean NOT NULL DEFAULT true,
    config         jsonb NOT NULL,
    config_sha256  char(64) NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     uuid NOT NULL REFERENCES users (id)
);
CREATE INDEX sites_department ON sites (department_id, id);

CREATE TABLE site_versions (
    site_id        text NOT NULL REFERENCES sites (id),
    version        integer NOT NULL CHECK (version >= 1),
    config         jsonb NOT NULL,
    config_sha256  char(64) NOT NULL,
    changed_by     uuid NOT NULL REFERENCES users (id),
    device_id      text,
    changed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_id, version)
);

CREATE TABLE alerts (
    id               uuid PRIMARY KEY,
    department_id    uuid NOT NULL REFERENCES departments (id),
    site_id          text NOT NULL REFERENCES sites (id),
    camera_id        text NOT NULL,
    revision         integer NOT NULL CHECK (revision >= 1),
    kind             text NOT NULL,
    severity         text NOT NULL,
    started_at       timestamptz NOT NULL,
    last_seen_at     timestamptz NOT NULL,
    ended_at         timestamptz,
    summary          text NOT NULL,
    detail           jsonb NOT NULL,
    model            jsonb,
    state            text NOT NULL DEFAULT 'open'
                         CHECK (state IN ('open', 'acknowledged', 'dispatched', 'closed')),
    acknowledged_at  timestamptz,
    acknowledged_by  uuid REFERENCES users (id),
    acknowledge_note text,
    dispatched_at    timestamptz,
    dispatched_by    uuid REFERENCES users (id),
    inspector_id     uuid REFERENCES users (id),
    dispatch_note    text,
    closed_at        timestamptz,
    closed_by        uuid REFERENCES users (id),
    outcome          text,
    feedback         text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT closed_with_feedback CHECK (state <> 'closed' OR (feedback IS NOT NULL AND outcome IS NOT NULL))
);
CREATE INDEX alerts_department_created ON alerts (department_id, created_at DESC, id DESC);
CREATE INDEX alerts_site ON alerts (site_id, camera_id);

-- A revision row is the idempotency key of a delivery; it is written before the alert row
-- it belongs to (the first revision creates both), hence the deferred foreign key.
CREATE TABLE alert_revisions (
    alert_id        uuid NOT NULL REFERENCES alerts (id) DEFERRABLE INITIALLY DEFERRED,
    revision        integer NOT NULL CHECK (revision >= 1),
    content         jsonb NOT NULL,
    content_sha256  char(64) NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    received_by     uuid NOT NULL REFERENCES users (id),
    PRIMARY KEY (alert_id, revision)
);

CREATE TABLE alert_media (
    id            bigserial PRIMARY KEY,
    alert_id      uuid NOT NULL REFERENCES alerts (id) DEFERRABLE INITIALLY DEFERRED,
    object_key    text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('snapshot', 'clip')),
    sha256        char(64) NOT NULL,
    size          bigint NOT NULL CHECK (size >= 0),
    media_type    text NOT NULL,
    verification  text NOT NULL CHECK (verification IN
                      ('verified', 'missing', 'checksum_mismatch', 'checksum_unavailable', 'size_mismatch')),
    checked_at    timestamptz NOT NULL,
    revision      integer NOT NULL,
    UNIQUE (alert_id, object_key)
);

-- The change feed: the source of truth of the live stream. Writers take an advisory lock
-- before inserting (storage/alerts.py), so ids become visible in increasing order and a
-- client resuming after id N can never miss a smaller id committed later.
CREATE TABLE alert_events (
    id             bigserial PRIMARY KEY,
    department_id  uuid NOT NULL REFERENCES departments (id),
    alert_id       uuid NOT NULL REFERENCES alerts (id) DEFERRABLE INITIALLY DEFERRED,
    action         text NOT NULL,
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    payload        jsonb NOT NULL
);
CREATE INDEX alert_events_department ON alert_events (department_id, id);

-- Wake streams on commit (NOTIFY is delivered only when the transaction commits).
CREATE FUNCTION alert_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('alert_events', NEW.department_id::text);
    RETURN NULL;
END;
$$;
CREATE TRIGGER alert_events_notify
    AFTER INSERT ON alert_events
    FOR EACH ROW EXECUTE FUNCTION alert_events_notify();

-- 全程留痕: history tables only grow.
CREATE FUNCTION history_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER site_versions_append_only
    BEFORE UPDATE OR DELETE ON site_versions
    FOR EACH ROW EXECUTE FUNCTION history_refuse_change();
CREATE TRIGGER alert_revisions_append_only
    BEFORE UPDATE OR DELETE ON alert_revisions
    FOR EACH ROW EXECUTE FUNCTION history_refuse_change();
CREATE TRIGGER alert_events_append_only
    BEFORE UPDATE OR DELETE ON alert_events
    FOR EACH ROW EXECUTE FUNCTION history_refuse_change();
