-- 双随机、一公开: the inspector register (执法检查人员名录库), declared conflicts of interest,
-- sampling plans and their published, re-runnable draws. The target register (检查对象名录库)
-- is the subjects domain's (0021); credit grades (0022) and risk scores come from their domains.

CREATE TABLE draw_inspectors (
    user_id        uuid PRIMARY KEY REFERENCES users (id),
    department_id  uuid NOT NULL REFERENCES departments (id),
    skills         text[] NOT NULL DEFAULT '{}',
    active         boolean NOT NULL DEFAULT true,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX draw_inspectors_department ON draw_inspectors (department_id);

-- 回避: an inspector's declared relationship with a subject (kin, former employer, shareholding …).
CREATE TABLE inspector_conflicts (
    inspector_id   uuid NOT NULL REFERENCES users (id),
    uscc           char(18) NOT NULL,
    relationship   text NOT NULL,
    declared_by    uuid NOT NULL REFERENCES users (id),
    declared_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (inspector_id, uscc)
);

CREATE TABLE draw_plans (
    id                    uuid PRIMARY KEY,
    department_id         uuid NOT NULL REFERENCES departments (id),  -- 牵头部门: its register is the pool
    title                 text NOT NULL,
    scope_region_prefix   text NOT NULL DEFAULT '' CHECK (scope_region_prefix ~ '^[0-9]{0,6}$'),
    sampling_permille     integer NOT NULL CHECK (sampling_permille BETWEEN 1 AND 1000),  -- 抽查比例 ‰
    period_start          date NOT NULL,
    period_end            date NOT NULL,
    inspectors_per_target integer NOT NULL CHECK (inspectors_per_target BETWEEN 2 AND 10),
    yearly_cap            integer NOT NULL CHECK (yearly_cap >= 1),
    required_skill        text,
    created_by            uuid NOT NULL REFERENCES users (id),
    created_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (period_start <= period_end),
    -- A plan's visits count against the cap of the year they fall in; one plan, one year.
    CHECK (extract(year FROM period_start) = extract(year FROM period_end))
);

-- The items checked in one visit; several departments make a joint inspection (进一次门、查多项事).
CREATE TABLE draw_plan_items (
    plan_id        uuid NOT NULL REFERENCES draw_plans (id),
    department_id  uuid NOT NULL REFERENCES departments (id),
    item_code      char(14) NOT NULL CHECK (item_code ~ '^[0-9]{14}$'),
    position       integer NOT NULL,  -- as given: the order departments' teams are drawn in
    PRIMARY KEY (plan_id, department_id, item_code),
    UNIQUE (plan_id, position)
);

-- One draw per plan: the published document holds the seed, every input and the result.
CREATE TABLE draws (
    id               uuid PRIMARY KEY,
    plan_id          uuid NOT NULL UNIQUE REFERENCES draw_plans (id),
    department_id    uuid NOT NULL REFERENCES departments (id),
    document         jsonb NOT NULL,
    document_sha256  char(64) NOT NULL,
    drawn_by         uuid NOT NULL REFERENCES users (id),
    drawn_at         timestamptz NOT NULL DEFAULT now()
);

-- One row per drawn target: what the yearly cap counts.
CREATE TABLE draw_visits (
    draw_id    uuid NOT NULL REFERENCES draws (id),
    uscc       char(18) NOT NULL,
    year       integer NOT NULL,
    PRIMARY KEY (draw_id, uscc)
);
CREATE INDEX draw_visits_cap ON draw_visits (uscc, year);

CREATE TABLE draw_assignments (
    draw_id        uuid NOT NULL REFERENCES draws (id),
    uscc           char(18) NOT NULL,
    department_id  uuid NOT NULL REFERENCES departments (id),
    inspector_id   uuid NOT NULL REFERENCES users (id),
    task_id        uuid NOT NULL REFERENCES tasks (id),
    drawn_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (draw_id, uscc, inspector_id)
);
CREATE INDEX draw_assignments_subject ON draw_assignments (uscc, drawn_at);
