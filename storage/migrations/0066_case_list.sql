-- The case list (案件列表): a department's cases newest first, keyset-paged by (created_at, id).
-- depends: 0002_records

CREATE INDEX cases_department_registered ON cases (department_id, created_at DESC, id DESC);
