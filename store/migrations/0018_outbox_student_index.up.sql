-- outbox_student_idx (student_id) cost every message an index entry, and a
-- second one when it was marked sent, but nothing reads it for a linked
-- student: erasure (erase.go, erase_keys.go) matches a student's messages
-- by their chat, their check-ins, their cases and the payload's forwarded
-- chat as well, and a condition on the payload cannot use an index, so
-- Postgres reads the (one week's) outbox either way. Only the erasure of a
-- student with no chat could use it, and finds few rows without it.
DROP INDEX IF EXISTS outbox_student_idx;
