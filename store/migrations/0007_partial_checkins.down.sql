UPDATE checkins SET status = 'expired' WHERE status = 'partial';
ALTER TABLE checkins DROP CONSTRAINT IF EXISTS checkins_status_check;
ALTER TABLE checkins ADD CONSTRAINT checkins_status_check
    CHECK (status IN ('scheduled', 'open', 'completed', 'expired', 'cancelled'));
