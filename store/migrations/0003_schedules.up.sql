-- Schedules (issue 3): paused students resume when their pause ends, open
-- check-ins get a reminder and expire, students are paged by id.
CREATE INDEX students_paused_idx ON students (paused_until) WHERE status = 'paused';
CREATE INDEX checkins_open_expires_idx ON checkins (expires_at) WHERE status = 'open';
CREATE INDEX checkins_open_sent_idx ON checkins (sent_at) WHERE status = 'open' AND reminded_at IS NULL;
