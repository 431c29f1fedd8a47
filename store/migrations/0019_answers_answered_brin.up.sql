-- answers is written in answered_at order, and read by it only as a range:
-- the export of a period (export.go). A BRIN index serves that for a
-- fraction of a B-tree's cost per insert, as processed_updates' does (0016),
-- and without the B-tree's newest page that every tap's insert shared.
DROP INDEX IF EXISTS answers_answered_idx;
CREATE INDEX answers_answered_idx ON answers USING brin (answered_at);
