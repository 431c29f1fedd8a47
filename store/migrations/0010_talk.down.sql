DROP INDEX IF EXISTS signals_student_idx;
DROP TABLE IF EXISTS coach_digests;
DROP TABLE IF EXISTS coach_notes;
DROP TABLE IF EXISTS known_signals;
DROP TABLE IF EXISTS stand_ins;
DROP TABLE IF EXISTS student_moves;
ALTER TABLE students DROP COLUMN IF EXISTS coach_since;
DROP TABLE IF EXISTS coach_messages;
