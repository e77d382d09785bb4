-- Rotating refresh tokens (会话) and the uniqueness of enforcement certificates.
-- depends: 0001_core

-- Only the SHA-256 of a refresh token is kept; a stolen database row cannot be replayed.
-- A family is one sign-in and every token rotated from it: presenting a rotated token
-- again revokes the whole family (theft detection).
ALTER TABLE refresh_tokens
    ADD COLUMN token_hash char(64) NOT NULL UNIQUE,
    ADD COLUMN family_id  uuid NOT NULL,
    ADD COLUMN issued_at  timestamptz NOT NULL DEFAULT now();
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_live_user ON refresh_tokens (user_id) WHERE revoked_at IS NULL;
CREATE INDEX refresh_tokens_live_device ON refresh_tokens (device_id) WHERE revoked_at IS NULL;

-- 执法证号 identifies one inspector nationally.
CREATE UNIQUE INDEX users_certificate_no ON users (certificate_no) WHERE certificate_no IS NOT NULL;
CREATE INDEX devices_department ON devices (department_id);
