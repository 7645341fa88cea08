-- Click rollups are kept by insertClicks (server/services/click-writer.ts), which aggregates each
-- batch of clicks in memory and upserts analytics_daily and analytics_advocates in the same
-- transaction: the per-row trigger did up to 40 upserts and 40 lookups for every click.
-- Share and conversion rollups keep their triggers.
DROP TRIGGER IF EXISTS `analytics_clicks_insert`;
