-- A student's answers by check-in: the opener of a check-in reads the answers
-- of the student's previous one (previousAnswers). Without this index Postgres
-- walked answers_checkin_step_idx backwards over every student's answers to
-- find one student's latest check-in: a cost that grew with all answers ever
-- stored, paid for each check-in sent.
CREATE INDEX answers_student_checkin_idx ON answers (student_id, checkin_id) WHERE checkin_id IS NOT NULL;
