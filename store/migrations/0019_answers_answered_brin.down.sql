DROP INDEX IF EXISTS answers_answered_idx;
CREATE INDEX answers_answered_idx ON answers (answered_at);
