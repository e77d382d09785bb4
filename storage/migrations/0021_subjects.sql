-- Supervised subjects (监管对象): market subjects keyed by the Unified Social Credit Code,
-- natural persons by citizen ID number; which departments hold each in their target
-- register (检查对象名录库); and mining permits with their boundary (WGS-84 lon/lat).

CREATE TABLE subjects (
    id                   uuid PRIMARY KEY,
    kind                 text NOT NULL CHECK (kind IN
                             ('legal_person', 'other_organisation', 'individual_business', 'natural_person')),
    -- USCC (18 characters, GB 32100) or ID number (18 characters, GB 11643); checked by the API.
    subject_key          text NOT NULL UNIQUE CHECK (subject_key ~ '^[0-9A-Z]{17}[0-9A-Z]$'),
    name                 text NOT NULL,
    region_code          char(6) NOT NULL CHECK (region_code ~ '^[0-9]{6}$'),
    address              text NOT NULL DEFAULT '',
    phone                text NOT NULL DEFAULT '',
    legal_representative text NOT NULL DEFAULT '',
    industry             text NOT NULL DEFAULT '',
    created_by           uuid NOT NULL REFERENCES users (id),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subjects_name ON subjects (name);

CREATE TABLE subject_departments (
    subject_id     uuid NOT NULL REFERENCES subjects (id),
    department_id  uuid NOT NULL REFERENCES departments (id),
    added_by       uuid NOT NULL REFERENCES users (id),
    added_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (department_id, subject_id)
);
CREATE INDEX subject_departments_subject ON subject_departments (subject_id);

CREATE TABLE mining_permits (
    id             uuid PRIMARY KEY,
    permit_no      text NOT NULL UNIQUE,
    subject_id     uuid NOT NULL REFERENCES subjects (id),
    department_id  uuid NOT NULL REFERENCES departments (id),
    mine_name      text NOT NULL,
    mineral        text NOT NULL DEFAULT '',
    valid_from     date NOT NULL,
    valid_to       date NOT NULL,
    status         text NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'suspended', 'revoked', 'cancelled')),
    -- [[lon, lat], ...] WGS-84, the ring not repeated at the end; validated by the contract.
    boundary       jsonb NOT NULL,
    version        integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    updated_by     uuid NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT permit_dates CHECK (valid_from <= valid_to)
);
CREATE INDEX mining_permits_department ON mining_permits (department_id, valid_to);
CREATE INDEX mining_permits_subject ON mining_permits (subject_id);
