CREATE INDEX IF NOT EXISTS answers_student_checkin_idx ON answers (student_id, checkin_id) WHERE checkin_id IS NOT NULL;
