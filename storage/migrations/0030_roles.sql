-- Two roles for issue 5: the approval bureau's machine account (审批服务局, pushes approval
-- results and answers objections) and the complaint officer (投诉举报受理员, the only role that
-- may read a whistleblower's identity).

ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN
    ('inspector', 'monitoring_operator', 'legal_reviewer', 'supervisor', 'admin', 'vision_node',
     'approval_bureau', 'complaint_officer'));
