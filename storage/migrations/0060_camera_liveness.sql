-- Per-camera liveness (摄像头运行状态) as vision nodes report it: the latest report per camera.
-- depends: 0005_sites_alerts
--
-- A node reports every few seconds for each camera it runs; only the latest report is kept (it is
-- telemetry, not a record: alerts and the audit log keep what happened). ``received_at`` is the
-- server's clock, so a node with a wrong clock cannot make a camera look watched. The fields are the
-- ones a fleet of nodes needs as well (frames analysed, rate achieved, lag behind live, detector time).

CREATE TABLE camera_liveness (
    site_id          text NOT NULL REFERENCES sites (id),
    camera_id        text NOT NULL,
    department_id    uuid NOT NULL REFERENCES departments (id),
    node             text NOT NULL,
    reported_by      uuid NOT NULL REFERENCES users (id),
    frames_analysed  bigint NOT NULL CHECK (frames_analysed >= 0),
    analysis_hz      real NOT NULL CHECK (analysis_hz >= 0),
    lag_s            real CHECK (lag_s >= 0),
    detector_ms      real CHECK (detector_ms >= 0),
    last_frame_at    timestamptz,
    node_time        timestamptz NOT NULL,
    received_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_id, camera_id)
);
CREATE INDEX camera_liveness_department ON camera_liveness (department_id);
