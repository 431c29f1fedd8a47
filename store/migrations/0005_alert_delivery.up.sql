-- Alerts reach a person: a coach whose chat cannot be reached is marked (and
-- skipped by routing until they come back with /start), a delivery that failed
-- is marked, and news in a case (its severity rose, crisis language joined)
-- makes a new message for whoever has it rather than a silent edit.
ALTER TABLE coaches ADD COLUMN unreachable_at timestamptz;
ALTER TABLE alert_deliveries ADD COLUMN failed_at timestamptz;
ALTER TABLE alert_deliveries ADD COLUMN renewed_at timestamptz;
ALTER TABLE alerts ADD COLUMN news_at timestamptz;
