-- Every tap inserts an answer, and every index on answers is one more entry
-- written for it. answers_student_checkin_idx (0014) served one read only: the
-- opener of a check-in finding the student's previous check-in with answers
-- (previousAnswers). That read now walks the student's check-ins newest first
-- (checkins_student_idx) and probes answers_checkin_step_idx for each, so it
-- still does not grow with all answers ever stored, and a tap writes one
-- index entry fewer.
DROP INDEX IF EXISTS answers_student_checkin_idx;
