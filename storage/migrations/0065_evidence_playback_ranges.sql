-- Byte ranges served of an evidence item (分段读取), grouped into playbacks (一次播放).
-- depends: 0003_evidence
--
-- A video player seeks with range requests, dozens per viewing. The first range of a viewing is a
-- download in the audit log (hash-chained, naming the playback); every range, the first included,
-- is a row here with that playback's id, so the log says who watched and when, and this table says
-- which bytes each request read. A range joins the playback of the same sign-in's latest range of
-- the item if that was served within the playback window (api/evidence/playback.py); otherwise it
-- opens a new playback with its own audit entry. Append-only, like the other evidence histories.

CREATE TABLE evidence_playback_ranges (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    playback_id  uuid NOT NULL,
    evidence_id  uuid NOT NULL REFERENCES evidence_items (id),
    user_id      uuid NOT NULL REFERENCES users (id),
    sign_in_id   uuid NOT NULL,
    first_byte   bigint NOT NULL CHECK (first_byte >= 0),
    last_byte    bigint NOT NULL CHECK (last_byte >= first_byte),
    served_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evidence_playback_ranges_viewer
    ON evidence_playback_ranges (evidence_id, user_id, sign_in_id, served_at DESC);
CREATE INDEX evidence_playback_ranges_playback ON evidence_playback_ranges (playback_id, id);

CREATE TRIGGER evidence_playback_ranges_append_only
    BEFORE UPDATE OR DELETE ON evidence_playback_ranges
    FOR EACH ROW EXECUTE FUNCTION evidence_history_refuse_change();
CREATE TRIGGER evidence_playback_ranges_no_truncate
    BEFORE TRUNCATE ON evidence_playback_ranges
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_history_refuse_change();
