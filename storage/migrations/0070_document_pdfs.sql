-- Issue 17: every numbered document is issued as a sealed PDF with a verification code, and the
-- statutory content a decision needs that the case does not hold (复议机关, 人民法院, where to pay)
-- is kept per department.

-- Written with the document in the same INSERT (case_documents stays append-only); rows issued
-- before this migration have no PDF.
ALTER TABLE case_documents
    ADD COLUMN pdf                        bytea,
    ADD COLUMN pdf_sha256                 char(64),
    ADD COLUMN verification_code          text UNIQUE,
    ADD COLUMN signer_certificate_sha256  char(64),
    ADD CONSTRAINT pdf_is_complete CHECK (
        (pdf IS NULL) = (pdf_sha256 IS NULL)
        AND (pdf IS NULL) = (verification_code IS NULL)
        AND (pdf IS NULL) = (signer_certificate_sha256 IS NULL));

CREATE TABLE department_document_settings (
    department_id         uuid PRIMARY KEY REFERENCES departments (id),
    review_body           text NOT NULL,  -- 行政复议机关
    court                 text NOT NULL,  -- 管辖的人民法院
    payment_bank          text NOT NULL,  -- 罚款代收银行
    payment_account_name  text NOT NULL,
    payment_account_no    text NOT NULL,
    address               text NOT NULL DEFAULT '',
    phone                 text NOT NULL DEFAULT '',
    updated_at            timestamptz NOT NULL DEFAULT now(),
    updated_by            uuid REFERENCES users (id)
);
