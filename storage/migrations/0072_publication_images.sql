-- Issue 17: photos published with a decision, as published: faces and licence plates blurred.
-- The original evidence object is never changed; this is a separate, derived copy.

CREATE TABLE publication_images (
    publication_id  uuid NOT NULL REFERENCES publications (id),
    n               integer NOT NULL CHECK (n >= 1),
    evidence_id     uuid NOT NULL REFERENCES evidence_items (id),
    jpeg            bytea NOT NULL,
    sha256          char(64) NOT NULL,
    faces           integer NOT NULL CHECK (faces >= 0),
    plates          integer NOT NULL CHECK (plates >= 0),
    PRIMARY KEY (publication_id, n)
);
