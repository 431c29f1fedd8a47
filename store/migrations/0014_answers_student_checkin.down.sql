DROP INDEX IF EXISTS answers_student_checkin_idx;
