CREATE INDEX IF NOT EXISTS outbox_student_idx ON outbox (student_id) WHERE student_id IS NOT NULL;
