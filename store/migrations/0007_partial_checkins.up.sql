-- A check-in answered in part (every button but the optional note, say) is
-- "partial" at expiry, not missed: only a check-in with no answer at all
-- expires as missed.
ALTER TABLE checkins DROP CONSTRAINT IF EXISTS checkins_status_check;
ALTER TABLE checkins ADD CONSTRAINT checkins_status_check
    CHECK (status IN ('scheduled', 'open', 'completed', 'partial', 'expired', 'cancelled'));
