-- The school a student left, from an import's `school` column; the report
-- groups by it (or, without it, by the prefix of the school's own ref).
ALTER TABLE students ADD COLUMN school text;
