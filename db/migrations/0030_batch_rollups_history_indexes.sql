CREATE TABLE `analytics_conversions_deferred` (
	`holder` text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
DROP INDEX `conversions_workspace_referrer`;--> statement-breakpoint
CREATE INDEX `conversions_workspace_referrer` ON `conversions` (`workspace_id`,`referrer_id`,`occurred_at`,`status`,`type`,`customer_id`);--> statement-breakpoint
DROP INDEX `rewards_workspace_learner`;--> statement-breakpoint
CREATE INDEX `rewards_workspace_learner` ON `rewards` (`workspace_id`,`learner_id`,`created_at`,`side`,`kind`,`status`,`customer_id`,`reason`);--> statement-breakpoint
-- Hand-written: the conversion rollup triggers of 0003, unchanged but for their WHEN clause,
-- which leaves the rollups to a conversion batch while it holds a row in
-- analytics_conversions_deferred (server/services/conversion-rollups.ts).
DROP TRIGGER analytics_conversions_insert;
--> statement-breakpoint
CREATE TRIGGER analytics_conversions_insert AFTER INSERT ON conversions WHEN NOT EXISTS (SELECT 1 FROM analytics_conversions_deferred) BEGIN
  INSERT INTO analytics_daily (workspace_id, dim, course, grain, day, key, signups, enrollments, completions, refunds)
    SELECT NEW.workspace_id, d.dim, cs.course, g.grain, g.bucket, d.key, 1 * (NEW.type = 'signup'), 1 * (NEW.type = 'enrollment'), 1 * (NEW.type = 'completion'), 1 * (NEW.type = 'refund')
    FROM (SELECT 'total' AS dim, '' AS key UNION ALL SELECT 'channel', coalesce(NEW.channel, 'direct') UNION ALL SELECT 'advocate', NEW.referrer_id UNION ALL SELECT 'story', NEW.story_id UNION ALL SELECT 'country', coalesce((SELECT country FROM clicks WHERE id = NEW.click_id), '')) AS d, (SELECT '*' AS course UNION ALL SELECT NEW.course WHERE NEW.course <> '*') AS cs, (SELECT 'd' AS grain, (CAST(NEW.occurred_at AS INTEGER) / 86400000) AS bucket
    UNION ALL SELECT 'w', (CAST(NEW.occurred_at AS INTEGER) / 86400000) - (((CAST(NEW.occurred_at AS INTEGER) / 86400000) + 3) % 7)
    UNION ALL SELECT 'm', CAST(strftime('%s', CAST(NEW.occurred_at AS INTEGER) / 1000, 'unixepoch', 'start of month') AS INTEGER) / 86400
    UNION ALL SELECT 'q', CAST(strftime('%s', CAST(NEW.occurred_at AS INTEGER) / 1000, 'unixepoch', 'start of month', printf('-%d months', (CAST(strftime('%m', CAST(NEW.occurred_at AS INTEGER) / 1000, 'unixepoch') AS INTEGER) - 1) % 3)) AS INTEGER) / 86400) AS g
    WHERE d.key IS NOT NULL AND NEW.status = 'attributed'
    ON CONFLICT (workspace_id, dim, course, grain, day, key) DO UPDATE SET signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments,
      completions = completions + excluded.completions, refunds = refunds + excluded.refunds;
  INSERT INTO analytics_revenue (workspace_id, dim, course, grain, day, key, currency, enrolled, refunded)
    SELECT NEW.workspace_id, d.dim, cs.course, g.grain, g.bucket, d.key, NEW.currency,
      1 * (CASE WHEN NEW.type = 'enrollment' THEN NEW.amount ELSE 0 END), 1 * (CASE WHEN NEW.type = 'refund' THEN NEW.amount ELSE 0 END)
    FROM (SELECT 'total' AS dim, '' AS key UNION ALL SELECT 'channel', coalesce(NEW.channel, 'direct') UNION ALL SELECT 'advocate', NEW.referrer_id UNION ALL SELECT 'story', NEW.story_id UNION ALL SELECT 'country', coalesce((SELECT country FROM clicks WHERE id = NEW.click_id), '')) AS d, (SELECT '*' AS course UNION ALL SELECT NEW.course WHERE NEW.course <> '*') AS cs, (SELECT 'd' AS grain, (CAST(NEW.occurred_at AS INTEGER) / 86400000) AS bucket
    UNION ALL SELECT 'w', (CAST(NEW.occurred_at AS INTEGER) / 86400000) - (((CAST(NEW.occurred_at AS INTEGER) / 86400000) + 3) % 7)
    UNION ALL SELECT 'm', CAST(strftime('%s', CAST(NEW.occurred_at AS INTEGER) / 1000, 'unixepoch', 'start of month') AS INTEGER) / 86400
    UNION ALL SELECT 'q', CAST(strftime('%s', CAST(NEW.occurred_at AS INTEGER) / 1000, 'unixepoch', 'start of month', printf('-%d months', (CAST(strftime('%m', CAST(NEW.occurred_at AS INTEGER) / 1000, 'unixepoch') AS INTEGER) - 1) % 3)) AS INTEGER) / 86400) AS g
    WHERE d.key IS NOT NULL AND NEW.status = 'attributed' AND NEW.type IN ('enrollment', 'refund')
      AND NEW.amount IS NOT NULL AND NEW.currency IS NOT NULL
    ON CONFLICT (workspace_id, dim, course, grain, day, key, currency) DO UPDATE SET enrolled = enrolled + excluded.enrolled,
      refunded = refunded + excluded.refunded;
  INSERT INTO analytics_advocates (workspace_id, course, learner_id, first_active_at, signups, enrollments, completions)
    SELECT NEW.workspace_id, cs.course, NEW.referrer_id, NEW.occurred_at, 1 * (NEW.type = 'signup'), 1 * (NEW.type = 'enrollment'), 1 * (NEW.type = 'completion')
    FROM (SELECT '*' AS course UNION ALL SELECT NEW.course WHERE NEW.course <> '*') AS cs
    WHERE NEW.referrer_id IS NOT NULL AND NEW.status = 'attributed'
    ON CONFLICT (workspace_id, course, learner_id) DO UPDATE SET signups = signups + excluded.signups,
      enrollments = enrollments + excluded.enrollments, completions = completions + excluded.completions,
      first_active_at = min(first_active_at, excluded.first_active_at);
  INSERT INTO analytics_delays (workspace_id, course, day, delay_ms, conversion_id)
    SELECT NEW.workspace_id, cs.course, (CAST(NEW.occurred_at AS INTEGER) / 86400000), max(0, CAST(NEW.occurred_at - c.created_at AS INTEGER)), NEW.id
    FROM clicks c, (SELECT '*' AS course UNION ALL SELECT NEW.course WHERE NEW.course <> '*') AS cs
    WHERE c.id = NEW.click_id AND NEW.status = 'attributed' AND NEW.type = 'enrollment';
END;
--> statement-breakpoint
DROP TRIGGER analytics_conversions_update;
--> statement-breakpoint
CREATE TRIGGER analytics_conversions_update AFTER UPDATE OF type, status, course, amount, currency, referrer_id, story_id, channel, click_id, occurred_at ON conversions WHEN NOT EXISTS (SELECT 1 FROM analytics_conversions_deferred) BEGIN
  INSERT INTO analytics_daily (workspace_id, dim, course, grain, day, key, signups, enrollments, completions, refunds)
    SELECT OLD.workspace_id, d.dim, cs.course, g.grain, g.bucket, d.key, -1 * (OLD.type = 'signup'), -1 * (OLD.type = 'enrollment'), -1 * (OLD.type = 'completion'), -1 * (OLD.type = 'refund')
    FROM (SELECT 'total' AS dim, '' AS key UNION ALL SELECT 'channel', coalesce(OLD.channel, 'direct') UNION ALL SELECT 'advocate', OLD.referrer_id UNION ALL SELECT 'story', OLD.story_id UNION ALL SELECT 'country', coalesce((SELECT country FROM clicks WHERE id = OLD.click_id), '')) AS d, (SELECT '*' AS course UNION ALL SELECT OLD.course WHERE OLD.course <> '*') AS cs, (SELECT 'd' AS grain, (CAST(OLD.occurred_at AS INTEGER) / 86400000) AS bucket
    UNION ALL SELECT 'w', (CAST(OLD.occurred_at AS INTEGER) / 86400000) - (((CAST(OLD.occurred_at AS INTEGER) / 86400000) + 3) % 7)
    UNION ALL SELECT 'm', CAST(strftime('%s', CAST(OLD.occurred_at AS INTEGER) / 1000, 'unixepoch', 'start of month') AS INTEGER) / 86400
    UNION ALL SELECT 'q', CAST(strftime('%s', CAST(OLD.occurred_at AS INTEGER) / 1000, 'unixepoch', 'start of month', printf('-%d months', (CAST(strftime('%m', CAST(OLD.occurred_at AS INTEGER) / 1000, 'unixepoch') AS INTEGER) - 1) % 3)) AS INTEGER) / 86400) AS g
    WHERE d.key IS NOT NULL AND OLD.status = 'attributed'
    ON CONFLICT (workspace_id, dim, course, grain, day, key) DO UPDATE SET signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments,
      completions = completions + excluded.completions, refunds = refunds + excluded.refunds;
  INSERT INTO analytics_revenue (workspace_id, dim, course, grain, day, key, currency, enrolled, refunded)
    SELECT OLD.workspace_id, d.dim, cs.course, g.grain, g.bucket, d.key, OLD.currency,
      -1 * (CASE WHEN OLD.type = 'enrollment' THEN OLD.amount ELSE 0 END), -1 * (CASE WHEN OLD.type = 'refund' THEN OLD.amount ELSE 0 END)
    FROM (SELECT 'total' AS dim, '' AS key UNION ALL SELECT 'channel', coalesce(OLD.channel, 'direct') UNION ALL SELECT 'advocate', OLD.referrer_id UNION ALL SELECT 'story', OLD.story_id UNION ALL SELECT 'country', coalesce((SELECT country FROM clicks WHERE id = OLD.click_id), '')) AS d, (SELECT '*' AS course UNION ALL SELECT OLD.course WHERE OLD.course <> '*') AS cs, (SELECT 'd' AS grain, (CAST(OLD.occurred_at AS INTEGER) / 86400000) AS bucket
    UNION ALL SELECT 'w', (CAST(OLD.occurred_at AS INTEGER) / 86400000) - (((CAST(OLD.occurred_at AS INTEGER) / 86400000) + 3) % 7)
    UNION ALL SELECT 'm', CAST(strftime('%s', CAST(OLD.occurred_at AS INTEGER) / 1000, 'unixepoch', 'start of month') AS INTEGER) / 86400
    UNION ALL SELECT 'q', CAST(strftime('%s', CAST(OLD.occurred_at AS INTEGER) / 1000, 'unixepoch', 'start of month', printf('-%d months', (CAST(strftime('%m', CAST(OLD.occurred_at AS INTEGER) / 1000, 'unixepoch') AS INTEGER) - 1) % 3)) AS INTEGER) / 86400) AS g
    WHERE d.key IS NOT NULL AND OLD.status = 'attributed' AND OLD.type IN ('enrollment', 'refund')
      AND OLD.amount IS NOT NULL AND OLD.currency IS NOT NULL
    ON CONFLICT (workspace_id, dim, course, grain, day, key, currency) DO UPDATE SET enrolled = enrolled + excluded.enrolled,
      refunded = refunded + excluded.refunded;
  INSERT INTO analytics_advocates (workspace_id, course, learner_id, first_active_at, signups, enrollments, completions)
    SELECT OLD.workspace_id, cs.course, OLD.referrer_id, OLD.occurred_at, -1 * (OLD.type = 'signup'), -1 * (OLD.type = 'enrollment'), -1 * (OLD.type = 'completion')
    FROM (SELECT '*' AS course UNION ALL SELECT OLD.course WHERE OLD.course <> '*') AS cs
    WHERE OLD.referrer_id IS NOT NULL AND OLD.status = 'attributed'
    ON CONFLICT (workspace_id, course, learner_id) DO UPDATE SET signups = signups + excluded.signups,
      enrollments = enrollments + excluded.enrollments, completions = completions + excluded.completions;
  DELETE FROM analytics_delays WHERE conversion_id = OLD.id;
  INSERT INTO analytics_daily (workspace_id, dim, course, grain, day, key, signups, enrollments, completions, refunds)
    SELECT NEW.workspace_id, d.dim, cs.course, g.grain, g.bucket, d.key, 1 * (NEW.type = 'signup'), 1 * (NEW.type = 'enrollment'), 1 * (NEW.type = 'completion'), 1 * (NEW.type = 'refund')
    FROM (SELECT 'total' AS dim, '' AS key UNION ALL SELECT 'channel', coalesce(NEW.channel, 'direct') UNION ALL SELECT 'advocate', NEW.referrer_id UNION ALL SELECT 'story', NEW.story_id UNION ALL SELECT 'country', coalesce((SELECT country FROM clicks WHERE id = NEW.click_id), '')) AS d, (SELECT '*' AS course UNION ALL SELECT NEW.course WHERE NEW.course <> '*') AS cs, (SELECT 'd' AS grain, (CAST(NEW.occurred_at AS INTEGER) / 86400000) AS bucket
    UNION ALL SELECT 'w', (CAST(NEW.occurred_at AS INTEGER) / 86400000) - (((CAST(NEW.occurred_at AS INTEGER) / 86400000) + 3) % 7)
    UNION ALL SELECT 'm', CAST(strftime('%s', CAST(NEW.occurred_at AS INTEGER) / 1000, 'unixepoch', 'start of month') AS INTEGER) / 86400
    UNION ALL SELECT 'q', CAST(strftime('%s', CAST(NEW.occurred_at AS INTEGER) / 1000, 'unixepoch', 'start of month', printf('-%d months', (CAST(strftime('%m', CAST(NEW.occurred_at AS INTEGER) / 1000, 'unixepoch') AS INTEGER) - 1) % 3)) AS INTEGER) / 86400) AS g
    WHERE d.key IS NOT NULL AND NEW.status = 'attributed'
    ON CONFLICT (workspace_id, dim, course, grain, day, key) DO UPDATE SET signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments,
      completions = completions + excluded.completions, refunds = refunds + excluded.refunds;
  INSERT INTO analytics_revenue (workspace_id, dim, course, grain, day, key, currency, enrolled, refunded)
    SELECT NEW.workspace_id, d.dim, cs.course, g.grain, g.bucket, d.key, NEW.currency,
      1 * (CASE WHEN NEW.type = 'enrollment' THEN NEW.amount ELSE 0 END), 1 * (CASE WHEN NEW.type = 'refund' THEN NEW.amount ELSE 0 END)
    FROM (SELECT 'total' AS dim, '' AS key UNION ALL SELECT 'channel', coalesce(NEW.channel, 'direct') UNION ALL SELECT 'advocate', NEW.referrer_id UNION ALL SELECT 'story', NEW.story_id UNION ALL SELECT 'country', coalesce((SELECT country FROM clicks WHERE id = NEW.click_id), '')) AS d, (SELECT '*' AS course UNION ALL SELECT NEW.course WHERE NEW.course <> '*') AS cs, (SELECT 'd' AS grain, (CAST(NEW.occurred_at AS INTEGER) / 86400000) AS bucket
    UNION ALL SELECT 'w', (CAST(NEW.occurred_at AS INTEGER) / 86400000) - (((CAST(NEW.occurred_at AS INTEGER) / 86400000) + 3) % 7)
    UNION ALL SELECT 'm', CAST(strftime('%s', CAST(NEW.occurred_at AS INTEGER) / 1000, 'unixepoch', 'start of month') AS INTEGER) / 86400
    UNION ALL SELECT 'q', CAST(strftime('%s', CAST(NEW.occurred_at AS INTEGER) / 1000, 'unixepoch', 'start of month', printf('-%d months', (CAST(strftime('%m', CAST(NEW.occurred_at AS INTEGER) / 1000, 'unixepoch') AS INTEGER) - 1) % 3)) AS INTEGER) / 86400) AS g
    WHERE d.key IS NOT NULL AND NEW.status = 'attributed' AND NEW.type IN ('enrollment', 'refund')
      AND NEW.amount IS NOT NULL AND NEW.currency IS NOT NULL
    ON CONFLICT (workspace_id, dim, course, grain, day, key, currency) DO UPDATE SET enrolled = enrolled + excluded.enrolled,
      refunded = refunded + excluded.refunded;
  INSERT INTO analytics_advocates (workspace_id, course, learner_id, first_active_at, signups, enrollments, completions)
    SELECT NEW.workspace_id, cs.course, NEW.referrer_id, NEW.occurred_at, 1 * (NEW.type = 'signup'), 1 * (NEW.type = 'enrollment'), 1 * (NEW.type = 'completion')
    FROM (SELECT '*' AS course UNION ALL SELECT NEW.course WHERE NEW.course <> '*') AS cs
    WHERE NEW.referrer_id IS NOT NULL AND NEW.status = 'attributed'
    ON CONFLICT (workspace_id, course, learner_id) DO UPDATE SET signups = signups + excluded.signups,
      enrollments = enrollments + excluded.enrollments, completions = completions + excluded.completions,
      first_active_at = min(first_active_at, excluded.first_active_at);
  INSERT INTO analytics_delays (workspace_id, course, day, delay_ms, conversion_id)
    SELECT NEW.workspace_id, cs.course, (CAST(NEW.occurred_at AS INTEGER) / 86400000), max(0, CAST(NEW.occurred_at - c.created_at AS INTEGER)), NEW.id
    FROM clicks c, (SELECT '*' AS course UNION ALL SELECT NEW.course WHERE NEW.course <> '*') AS cs
    WHERE c.id = NEW.click_id AND NEW.status = 'attributed' AND NEW.type = 'enrollment';
END;
