-- Access tokens end at once (issue 12, security 10): every API process keeps the ended
-- sign-ins and the users' token versions in memory, and PostgreSQL tells each of them about
-- a change on commit (NOTIFY token_revocations), so checking costs no query per request.

-- A change to what an access token says about its user (role, department, region), or to
-- whether the user may sign in at all (password, active), raises the token version; tokens
-- carry the version they were issued under and an older one is refused. In the database, so
-- a change made by any path (API, command line, SQL by hand) counts.
ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0;

CREATE FUNCTION users_raise_token_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.role, NEW.department_id, NEW.region_code, NEW.password_hash, NEW.active)
       IS DISTINCT FROM (OLD.role, OLD.department_id, OLD.region_code, OLD.password_hash, OLD.active) THEN
        NEW.token_version := OLD.token_version + 1;
        PERFORM pg_notify('token_revocations', 'user:' || NEW.id || ':' || NEW.token_version);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER users_token_version BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION users_raise_token_version();

-- A sign-in (the refresh-token family) ends when its live token is revoked rather than
-- rotated: sign-out, reuse detected, handheld revoked or re-bound, password change, deactivation.
CREATE FUNCTION refresh_tokens_announce_end() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('token_revocations', 'sign_in:' || NEW.family_id);
    RETURN NULL;
END $$;
CREATE TRIGGER refresh_tokens_ended AFTER UPDATE OF revoked_at ON refresh_tokens
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL AND NEW.replaced_by IS NULL)
    EXECUTE FUNCTION refresh_tokens_announce_end();

-- A process starting (or reconnecting its listener) loads the sign-ins ended within one
-- access-token lifetime.
CREATE INDEX refresh_tokens_ended_at ON refresh_tokens (revoked_at)
    WHERE replaced_by IS NULL AND revoked_at IS NOT NULL;
