-- Issue 17: read-only shares of a case's evidence package with a procuratorate or court, and the
-- items an organ marks "do not disclose" (不予披露), which a share leaves out.

CREATE TABLE case_shares (
    id               uuid PRIMARY KEY,
    case_id          uuid NOT NULL REFERENCES cases (id),
    department_id    uuid NOT NULL REFERENCES departments (id),
    token_sha256     char(64) NOT NULL UNIQUE,  -- the link's token is never stored, only its hash
    recipient_name   text NOT NULL,
    recipient_organ  text NOT NULL,
    purpose          text NOT NULL DEFAULT '',
    expires_at       timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       uuid NOT NULL REFERENCES users (id),
    revoked_at       timestamptz,
    revoked_by       uuid REFERENCES users (id),
    revoke_reason    text,
    CONSTRAINT revocation_has_reason CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL))
);
CREATE INDEX case_shares_case ON case_shares (case_id, created_at);

CREATE TABLE evidence_withheld (
    evidence_id  uuid PRIMARY KEY REFERENCES evidence_items (id),
    reason       text NOT NULL CHECK (length(reason) BETWEEN 2 AND 500),
    set_by       uuid NOT NULL REFERENCES users (id),
    set_at       timestamptz NOT NULL DEFAULT now()
);
