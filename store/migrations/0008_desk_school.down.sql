ALTER TABLE students DROP COLUMN school;
