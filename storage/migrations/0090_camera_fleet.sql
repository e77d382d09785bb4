-- The camera fleet (视频分析集群): nodes, camera leases, the unwatched-camera watchdog, stream credentials.
-- depends: 0060_camera_liveness
--
-- Vision nodes share a department's cameras without a hand-kept assignment: each node declares how many
-- streams it can run and claims free cameras through leases held here (POST /cameras/leases). A lease not
-- renewed by its ``expires_at`` is free for any node; ``generation`` rises at every hand-over, so a node
-- renewing a lease it no longer holds is told so instead of silently running the camera twice.

CREATE TABLE vision_nodes (
    department_id  uuid NOT NULL REFERENCES departments (id),
    node           text NOT NULL,
    user_id        uuid NOT NULL REFERENCES users (id),
    max_streams    integer NOT NULL CHECK (max_streams >= 0),
    seen_at        timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    PRIMARY KEY (department_id, node)
);

CREATE TABLE camera_leases (
    site_id        text NOT NULL REFERENCES sites (id),
    camera_id      text NOT NULL,
    department_id  uuid NOT NULL REFERENCES departments (id),
    node           text,
    generation     bigint NOT NULL DEFAULT 0,
    acquired_at    timestamptz,
    expires_at     timestamptz,
    PRIMARY KEY (site_id, camera_id)
);
CREATE INDEX camera_leases_department ON camera_leases (department_id, node);

-- The watchdog's state per camera: since when it knows the camera (a camera never reported is unwatched
-- from then), and the open ``camera_unwatched`` alert if there is one.
CREATE TABLE camera_watch (
    site_id         text NOT NULL REFERENCES sites (id),
    camera_id       text NOT NULL,
    department_id   uuid NOT NULL REFERENCES departments (id),
    first_seen_at   timestamptz NOT NULL DEFAULT now(),
    alert_id        uuid,
    alert_revision  integer,
    PRIMARY KEY (site_id, camera_id)
);

-- A revision the API raised itself (the watchdog) has no delivering user.
ALTER TABLE alert_revisions ALTER COLUMN received_by DROP NOT NULL;

-- Stream credentials (取流凭据), kept out of the site config: written by operators, never answered to them,
-- handed only to the vision node that holds the camera's lease.
CREATE TABLE camera_credentials (
    site_id        text NOT NULL REFERENCES sites (id),
    camera_id      text NOT NULL,
    department_id  uuid NOT NULL REFERENCES departments (id),
    username       text NOT NULL,
    password       text NOT NULL,
    set_by         uuid NOT NULL REFERENCES users (id),
    set_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_id, camera_id)
);
