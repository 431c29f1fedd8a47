ALTER TABLE alerts DROP COLUMN IF EXISTS news_at;
ALTER TABLE alert_deliveries DROP COLUMN IF EXISTS renewed_at;
ALTER TABLE alert_deliveries DROP COLUMN IF EXISTS failed_at;
ALTER TABLE coaches DROP COLUMN IF EXISTS unreachable_at;
