-- Cases, the three kinds of supervision record, their versions, declared evidence and tasks.
-- Every row a handheld pulls carries the id of the transaction that last wrote it (txid).
-- The sync token is a snapshot's xmin: every transaction below it has finished, so a pull
-- from that point misses no row committed late (see storage/sync.py).

CREATE TABLE cases (
    id             uuid PRIMARY KEY,
    department_id  uuid NOT NULL REFERENCES departments (id),
    version        integer NOT NULL CHECK (version >= 1),
    content_sha256 char(64) NOT NULL,
    content        jsonb NOT NULL,
    created_by     uuid NOT NULL REFERENCES users (id),
    device_id      text,
    version_by     uuid NOT NULL REFERENCES users (id),
    version_device text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    txid           xid8 NOT NULL DEFAULT pg_current_xact_id(),
    participant_ids uuid[] NOT NULL DEFAULT '{}'
);
CREATE INDEX cases_sync ON cases (txid, id);
CREATE INDEX cases_participants ON cases USING gin (participant_ids);

CREATE TABLE records (
    id             uuid PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('inspection', 'penalty', 'coercive_measure')),
    case_id        uuid REFERENCES cases (id),
    department_id  uuid NOT NULL REFERENCES departments (id),
    item_code      char(14) NOT NULL,
    region_code    char(6) NOT NULL,
    occurred_at    timestamptz NOT NULL,
    version        integer NOT NULL CHECK (version >= 1),
    content_sha256 char(64) NOT NULL,
    content        jsonb NOT NULL,
    created_by     uuid NOT NULL REFERENCES users (id),
    device_id      text,
    version_by     uuid NOT NULL REFERENCES users (id),
    version_device text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    txid           xid8 NOT NULL DEFAULT pg_current_xact_id(),
    participant_ids uuid[] NOT NULL DEFAULT '{}'
);
CREATE INDEX records_department ON records (department_id, created_at);
CREATE INDEX records_sync ON records (txid, id);
CREATE INDEX records_case ON records (case_id);
CREATE INDEX records_participants ON records USING gin (participant_ids);

-- Superseded versions (the current one lives in the main table). One table per kind of
-- document keeps foreign keys honest.
CREATE TABLE record_versions (
    record_id      uuid NOT NULL REFERENCES records (id),
    version        integer NOT NULL,
    content_sha256 char(64) NOT NULL,
    content        jsonb NOT NULL,
    changed_by     uuid NOT NULL REFERENCES users (id),
    device_id      text,
    changed_at     timestamptz NOT NULL,
    PRIMARY KEY (record_id, version)
);

CREATE TABLE case_versions (
    case_id        uuid NOT NULL REFERENCES cases (id),
    version        integer NOT NULL,
    content_sha256 char(64) NOT NULL,
    content        jsonb NOT NULL,
    changed_by     uuid NOT NULL REFERENCES users (id),
    device_id      text,
    changed_at     timestamptz NOT NULL,
    PRIMARY KEY (case_id, version)
);

-- Evidence declared in a record's manifest. Bytes live in S3 under object_key; the row is
-- 'verified' only once the server confirmed the stored object's SHA-256.
CREATE TABLE evidence_items (
    id             uuid PRIMARY KEY,
    record_id      uuid NOT NULL REFERENCES records (id),
    department_id  uuid NOT NULL REFERENCES departments (id),
    kind           text NOT NULL,
    media_type     text NOT NULL,
    size           bigint NOT NULL CHECK (size > 0),
    sha256         char(64) NOT NULL,
    captured_at    timestamptz NOT NULL,
    declared_at    timestamptz NOT NULL DEFAULT now(),
    gps_lat        double precision,
    gps_lon        double precision,
    gps_accuracy_m double precision,
    device_id      text NOT NULL,
    description    text NOT NULL DEFAULT '',
    object_key     text NOT NULL UNIQUE,
    status         text NOT NULL DEFAULT 'declared'
                   CHECK (status IN ('declared', 'uploading', 'verified', 'failed')),
    verified_at    timestamptz,
    CONSTRAINT verified_has_time CHECK (status <> 'verified' OR verified_at IS NOT NULL)
);
CREATE INDEX evidence_items_record ON evidence_items (record_id);

-- Work handed to an inspector (检查任务): from a supervisor, a random draw or an alert.
CREATE TABLE tasks (
    id             uuid PRIMARY KEY,
    department_id  uuid NOT NULL REFERENCES departments (id),
    assignee_id    uuid NOT NULL REFERENCES users (id),
    source         text NOT NULL,
    title          text NOT NULL,
    item_code      char(14),
    detail         jsonb NOT NULL DEFAULT '{}',
    due_on         date,
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    created_by     uuid REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    txid           xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX tasks_sync ON tasks (assignee_id, txid, id);
