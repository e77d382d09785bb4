-- The field loop (预警派遣闭环): a dispatched alert becomes a task on the inspector's handheld, and
-- the inspector's result (a record, a case, or nothing found) comes back to the task and the alert.

ALTER TABLE tasks
    ADD COLUMN alert_id      uuid REFERENCES alerts (id),
    ADD COLUMN result        jsonb,        -- TaskResult: what the inspector found (检查结果反馈)
    ADD COLUMN completed_at  timestamptz,
    ADD COLUMN cancel_reason text;          -- why a task was withdrawn (改派、预警已办结), shown on the handheld
CREATE INDEX tasks_alert ON tasks (alert_id) WHERE alert_id IS NOT NULL;

-- The task the alert's current dispatch created, and the result reported on it.
ALTER TABLE alerts
    ADD COLUMN task_id uuid REFERENCES tasks (id),
    ADD COLUMN result  jsonb;
