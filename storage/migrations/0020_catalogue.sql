-- The supervision item catalogue (监管事项清单): the current version of each item here,
-- superseded versions in catalogue_item_versions, with who changed them and when. The
-- columns match cases and records so storage/documents.py serves all three.

CREATE TABLE catalogue_items (
    id              uuid PRIMARY KEY,
    code            char(14) NOT NULL UNIQUE CHECK (code ~ '^[0-9]{14}$'),
    department_id   uuid NOT NULL REFERENCES departments (id),
    version         integer NOT NULL CHECK (version >= 1),
    content_sha256  char(64) NOT NULL,
    content         jsonb NOT NULL,
    created_by      uuid NOT NULL REFERENCES users (id),
    device_id       text,
    version_by      uuid NOT NULL REFERENCES users (id),
    version_device  text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    txid            xid8 NOT NULL DEFAULT pg_current_xact_id(),
    participant_ids uuid[] NOT NULL DEFAULT '{}'
);
CREATE INDEX catalogue_items_department ON catalogue_items (department_id, code);

CREATE TABLE catalogue_item_versions (
    item_id         uuid NOT NULL REFERENCES catalogue_items (id),
    version         integer NOT NULL,
    content_sha256  char(64) NOT NULL,
    content         jsonb NOT NULL,
    changed_by      uuid NOT NULL REFERENCES users (id),
    device_id       text,
    changed_at      timestamptz NOT NULL,
    PRIMARY KEY (item_id, version)
);
