-- Alerts across a camera's hand-over (摄像头易主) and which stream an alert's evidence came from (取证码流).
-- depends: 0090_camera_fleet
--
-- ``alerts.handover``: set when the API ended a vision incident because its camera passed to a later lease
-- generation while the incident was open (its node killed, so it could not end it). Not a revision: the node's
-- revision numbers are its own, and a revision it wrote before dying may still arrive from its outbox; a row
-- with ``handover`` keeps such revisions in the history only (never reopened). What it holds: the reason in
-- Chinese, the node and lease generation that took over, when (api.alerts.handover).
ALTER TABLE alerts ADD COLUMN handover jsonb;

-- ``alert_media.stream``: main (主码流) or sub (子码流); ``width`` × ``height``: that stream's picture size.
-- NULL for media delivered by nodes older than this column.
ALTER TABLE alert_media
    ADD COLUMN stream text CHECK (stream IN ('main', 'sub')),
    ADD COLUMN width integer CHECK (width > 0),
    ADD COLUMN height integer CHECK (height > 0);
