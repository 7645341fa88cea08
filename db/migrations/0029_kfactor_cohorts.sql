-- Hand-written below the generated tables (as 0002's WITHOUT ROWID and 0003's triggers were):
-- the K-factor cohorts (server/services/analytics.ts kFactor). analytics_cohort_members holds each
-- customer's first enrolment per course and for '*'; analytics_cohorts the per-day sums of the
-- cohort's learners and their advocate totals. Triggers keep both exact on every write: the
-- conversion triggers recompute a customer's first enrolment; member, advocate and learner
-- triggers move their own difference into the cohort day. The existing rows are backfilled last,
-- members only (their insert trigger adds each to its cohort day with its advocate totals).
CREATE TABLE `analytics_cohort_members` (
	`workspace_id` text NOT NULL,
	`course` text NOT NULL,
	`customer_id` text NOT NULL,
	`first_enrolled_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `customer_id`, `course`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `analytics_cohorts` (
	`workspace_id` text NOT NULL,
	`course` text NOT NULL,
	`day` integer NOT NULL,
	`learners` integer DEFAULT 0 NOT NULL,
	`sharers` integer DEFAULT 0 NOT NULL,
	`shares` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`signups` integer DEFAULT 0 NOT NULL,
	`enrollments` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `course`, `day`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TRIGGER analytics_cohort_members_conversion_insert AFTER INSERT ON conversions WHEN NEW.type = 'enrollment' BEGIN
  INSERT INTO analytics_cohort_members (workspace_id, customer_id, course, first_enrolled_at)
    SELECT NEW.workspace_id, NEW.customer_id, cs.course, NEW.occurred_at FROM (SELECT '*' AS course UNION ALL SELECT NEW.course WHERE NEW.course <> '*') AS cs WHERE 1
    ON CONFLICT (workspace_id, customer_id, course) DO UPDATE SET first_enrolled_at = excluded.first_enrolled_at
      WHERE excluded.first_enrolled_at < first_enrolled_at;
END;
--> statement-breakpoint
CREATE TRIGGER analytics_cohort_members_conversion_update AFTER UPDATE OF type, course, customer_id, occurred_at, workspace_id ON conversions
  WHEN (OLD.type = 'enrollment' OR NEW.type = 'enrollment') AND (OLD.type IS NOT NEW.type OR OLD.course IS NOT NEW.course
    OR OLD.customer_id IS NOT NEW.customer_id OR OLD.occurred_at IS NOT NEW.occurred_at OR OLD.workspace_id IS NOT NEW.workspace_id) BEGIN
  DELETE FROM analytics_cohort_members
    WHERE workspace_id = OLD.workspace_id AND customer_id = OLD.customer_id AND course IN ('*', OLD.course)
      AND NOT EXISTS (SELECT 1 FROM conversions v WHERE v.workspace_id = OLD.workspace_id AND v.customer_id = OLD.customer_id
        AND v.type = 'enrollment' AND (analytics_cohort_members.course = '*' OR v.course = analytics_cohort_members.course));
  INSERT INTO analytics_cohort_members (workspace_id, customer_id, course, first_enrolled_at)
    SELECT OLD.workspace_id, OLD.customer_id, first.course, first.at FROM (
      SELECT cs.course, (SELECT min(v.occurred_at) FROM conversions v WHERE v.workspace_id = OLD.workspace_id
        AND v.customer_id = OLD.customer_id AND v.type = 'enrollment' AND (cs.course = '*' OR v.course = cs.course)) AS at
      FROM (SELECT '*' AS course UNION ALL SELECT OLD.course WHERE OLD.course <> '*') AS cs) AS first
    WHERE first.at IS NOT NULL
    ON CONFLICT (workspace_id, customer_id, course) DO UPDATE SET first_enrolled_at = excluded.first_enrolled_at
      WHERE excluded.first_enrolled_at <> first_enrolled_at;
  DELETE FROM analytics_cohort_members
    WHERE workspace_id = NEW.workspace_id AND customer_id = NEW.customer_id AND course IN ('*', NEW.course)
      AND NOT EXISTS (SELECT 1 FROM conversions v WHERE v.workspace_id = NEW.workspace_id AND v.customer_id = NEW.customer_id
        AND v.type = 'enrollment' AND (analytics_cohort_members.course = '*' OR v.course = analytics_cohort_members.course));
  INSERT INTO analytics_cohort_members (workspace_id, customer_id, course, first_enrolled_at)
    SELECT NEW.workspace_id, NEW.customer_id, first.course, first.at FROM (
      SELECT cs.course, (SELECT min(v.occurred_at) FROM conversions v WHERE v.workspace_id = NEW.workspace_id
        AND v.customer_id = NEW.customer_id AND v.type = 'enrollment' AND (cs.course = '*' OR v.course = cs.course)) AS at
      FROM (SELECT '*' AS course UNION ALL SELECT NEW.course WHERE NEW.course <> '*') AS cs) AS first
    WHERE first.at IS NOT NULL
    ON CONFLICT (workspace_id, customer_id, course) DO UPDATE SET first_enrolled_at = excluded.first_enrolled_at
      WHERE excluded.first_enrolled_at <> first_enrolled_at;
END;
--> statement-breakpoint
CREATE TRIGGER analytics_cohort_members_conversion_delete AFTER DELETE ON conversions WHEN OLD.type = 'enrollment' BEGIN
  DELETE FROM analytics_cohort_members
    WHERE workspace_id = OLD.workspace_id AND customer_id = OLD.customer_id AND course IN ('*', OLD.course)
      AND NOT EXISTS (SELECT 1 FROM conversions v WHERE v.workspace_id = OLD.workspace_id AND v.customer_id = OLD.customer_id
        AND v.type = 'enrollment' AND (analytics_cohort_members.course = '*' OR v.course = analytics_cohort_members.course));
  INSERT INTO analytics_cohort_members (workspace_id, customer_id, course, first_enrolled_at)
    SELECT OLD.workspace_id, OLD.customer_id, first.course, first.at FROM (
      SELECT cs.course, (SELECT min(v.occurred_at) FROM conversions v WHERE v.workspace_id = OLD.workspace_id
        AND v.customer_id = OLD.customer_id AND v.type = 'enrollment' AND (cs.course = '*' OR v.course = cs.course)) AS at
      FROM (SELECT '*' AS course UNION ALL SELECT OLD.course WHERE OLD.course <> '*') AS cs) AS first
    WHERE first.at IS NOT NULL
    ON CONFLICT (workspace_id, customer_id, course) DO UPDATE SET first_enrolled_at = excluded.first_enrolled_at
      WHERE excluded.first_enrolled_at <> first_enrolled_at;
END;
--> statement-breakpoint
CREATE TRIGGER analytics_cohorts_member_insert AFTER INSERT ON analytics_cohort_members BEGIN
  INSERT INTO analytics_cohorts (workspace_id, course, day, learners, sharers, shares, clicks, signups, enrollments)
    SELECT NEW.workspace_id, NEW.course, (CAST(NEW.first_enrolled_at AS INTEGER) / 86400000), 1,
      1 * coalesce(a.shares + a.clicks + a.signups + a.enrollments > 0, 0), 1 * coalesce(a.shares, 0),
      1 * coalesce(a.clicks, 0), 1 * coalesce(a.signups, 0), 1 * coalesce(a.enrollments, 0)
    FROM (SELECT 1) AS one
      LEFT JOIN learners l ON l.workspace_id = NEW.workspace_id AND l.external_id = NEW.customer_id
      LEFT JOIN analytics_advocates a ON a.workspace_id = NEW.workspace_id AND a.course = NEW.course AND a.learner_id = l.id
    WHERE 1
    ON CONFLICT (workspace_id, course, day) DO UPDATE SET learners = learners + excluded.learners,
      sharers = sharers + excluded.sharers, shares = shares + excluded.shares, clicks = clicks + excluded.clicks,
      signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments;
END;
--> statement-breakpoint
CREATE TRIGGER analytics_cohorts_member_update AFTER UPDATE ON analytics_cohort_members BEGIN
  INSERT INTO analytics_cohorts (workspace_id, course, day, learners, sharers, shares, clicks, signups, enrollments)
    SELECT OLD.workspace_id, OLD.course, (CAST(OLD.first_enrolled_at AS INTEGER) / 86400000), -1,
      -1 * coalesce(a.shares + a.clicks + a.signups + a.enrollments > 0, 0), -1 * coalesce(a.shares, 0),
      -1 * coalesce(a.clicks, 0), -1 * coalesce(a.signups, 0), -1 * coalesce(a.enrollments, 0)
    FROM (SELECT 1) AS one
      LEFT JOIN learners l ON l.workspace_id = OLD.workspace_id AND l.external_id = OLD.customer_id
      LEFT JOIN analytics_advocates a ON a.workspace_id = OLD.workspace_id AND a.course = OLD.course AND a.learner_id = l.id
    WHERE 1
    ON CONFLICT (workspace_id, course, day) DO UPDATE SET learners = learners + excluded.learners,
      sharers = sharers + excluded.sharers, shares = shares + excluded.shares, clicks = clicks + excluded.clicks,
      signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments;
  INSERT INTO analytics_cohorts (workspace_id, course, day, learners, sharers, shares, clicks, signups, enrollments)
    SELECT NEW.workspace_id, NEW.course, (CAST(NEW.first_enrolled_at AS INTEGER) / 86400000), 1,
      1 * coalesce(a.shares + a.clicks + a.signups + a.enrollments > 0, 0), 1 * coalesce(a.shares, 0),
      1 * coalesce(a.clicks, 0), 1 * coalesce(a.signups, 0), 1 * coalesce(a.enrollments, 0)
    FROM (SELECT 1) AS one
      LEFT JOIN learners l ON l.workspace_id = NEW.workspace_id AND l.external_id = NEW.customer_id
      LEFT JOIN analytics_advocates a ON a.workspace_id = NEW.workspace_id AND a.course = NEW.course AND a.learner_id = l.id
    WHERE 1
    ON CONFLICT (workspace_id, course, day) DO UPDATE SET learners = learners + excluded.learners,
      sharers = sharers + excluded.sharers, shares = shares + excluded.shares, clicks = clicks + excluded.clicks,
      signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments;
END;
--> statement-breakpoint
CREATE TRIGGER analytics_cohorts_member_delete AFTER DELETE ON analytics_cohort_members BEGIN
  INSERT INTO analytics_cohorts (workspace_id, course, day, learners, sharers, shares, clicks, signups, enrollments)
    SELECT OLD.workspace_id, OLD.course, (CAST(OLD.first_enrolled_at AS INTEGER) / 86400000), -1,
      -1 * coalesce(a.shares + a.clicks + a.signups + a.enrollments > 0, 0), -1 * coalesce(a.shares, 0),
      -1 * coalesce(a.clicks, 0), -1 * coalesce(a.signups, 0), -1 * coalesce(a.enrollments, 0)
    FROM (SELECT 1) AS one
      LEFT JOIN learners l ON l.workspace_id = OLD.workspace_id AND l.external_id = OLD.customer_id
      LEFT JOIN analytics_advocates a ON a.workspace_id = OLD.workspace_id AND a.course = OLD.course AND a.learner_id = l.id
    WHERE 1
    ON CONFLICT (workspace_id, course, day) DO UPDATE SET learners = learners + excluded.learners,
      sharers = sharers + excluded.sharers, shares = shares + excluded.shares, clicks = clicks + excluded.clicks,
      signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments;
END;
--> statement-breakpoint
CREATE TRIGGER analytics_cohorts_advocate_insert AFTER INSERT ON analytics_advocates BEGIN
  INSERT INTO analytics_cohorts (workspace_id, course, day, learners, sharers, shares, clicks, signups, enrollments)
    SELECT m.workspace_id, m.course, (CAST(m.first_enrolled_at AS INTEGER) / 86400000), 0, 1 * (NEW.shares + NEW.clicks + NEW.signups + NEW.enrollments > 0), 1 * NEW.shares, 1 * NEW.clicks, 1 * NEW.signups, 1 * NEW.enrollments
    FROM learners l JOIN analytics_cohort_members m
      ON m.workspace_id = NEW.workspace_id AND m.customer_id = l.external_id AND m.course = NEW.course
    WHERE l.id = NEW.learner_id AND l.workspace_id = NEW.workspace_id
    ON CONFLICT (workspace_id, course, day) DO UPDATE SET learners = learners + excluded.learners,
      sharers = sharers + excluded.sharers, shares = shares + excluded.shares, clicks = clicks + excluded.clicks,
      signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments;
END;
--> statement-breakpoint
CREATE TRIGGER analytics_cohorts_advocate_update AFTER UPDATE ON analytics_advocates
  WHEN OLD.workspace_id = NEW.workspace_id AND OLD.course = NEW.course AND OLD.learner_id = NEW.learner_id AND (OLD.shares <> NEW.shares OR OLD.clicks <> NEW.clicks OR OLD.signups <> NEW.signups OR OLD.enrollments <> NEW.enrollments) BEGIN
  INSERT INTO analytics_cohorts (workspace_id, course, day, learners, sharers, shares, clicks, signups, enrollments)
    SELECT m.workspace_id, m.course, (CAST(m.first_enrolled_at AS INTEGER) / 86400000), 0,
      (NEW.shares + NEW.clicks + NEW.signups + NEW.enrollments > 0) - (OLD.shares + OLD.clicks + OLD.signups + OLD.enrollments > 0),
      NEW.shares - OLD.shares, NEW.clicks - OLD.clicks, NEW.signups - OLD.signups, NEW.enrollments - OLD.enrollments
    FROM learners l JOIN analytics_cohort_members m
      ON m.workspace_id = NEW.workspace_id AND m.customer_id = l.external_id AND m.course = NEW.course
    WHERE l.id = NEW.learner_id AND l.workspace_id = NEW.workspace_id
    ON CONFLICT (workspace_id, course, day) DO UPDATE SET learners = learners + excluded.learners,
      sharers = sharers + excluded.sharers, shares = shares + excluded.shares, clicks = clicks + excluded.clicks,
      signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments;
END;
--> statement-breakpoint
CREATE TRIGGER analytics_cohorts_advocate_rekey AFTER UPDATE ON analytics_advocates WHEN NOT (OLD.workspace_id = NEW.workspace_id AND OLD.course = NEW.course AND OLD.learner_id = NEW.learner_id) BEGIN
  INSERT INTO analytics_cohorts (workspace_id, course, day, learners, sharers, shares, clicks, signups, enrollments)
    SELECT m.workspace_id, m.course, (CAST(m.first_enrolled_at AS INTEGER) / 86400000), 0, -1 * (OLD.shares + OLD.clicks + OLD.signups + OLD.enrollments > 0), -1 * OLD.shares, -1 * OLD.clicks, -1 * OLD.signups, -1 * OLD.enrollments
    FROM learners l JOIN analytics_cohort_members m
      ON m.workspace_id = OLD.workspace_id AND m.customer_id = l.external_id AND m.course = OLD.course
    WHERE l.id = OLD.learner_id AND l.workspace_id = OLD.workspace_id
    ON CONFLICT (workspace_id, course, day) DO UPDATE SET learners = learners + excluded.learners,
      sharers = sharers + excluded.sharers, shares = shares + excluded.shares, clicks = clicks + excluded.clicks,
      signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments;
  INSERT INTO analytics_cohorts (workspace_id, course, day, learners, sharers, shares, clicks, signups, enrollments)
    SELECT m.workspace_id, m.course, (CAST(m.first_enrolled_at AS INTEGER) / 86400000), 0, 1 * (NEW.shares + NEW.clicks + NEW.signups + NEW.enrollments > 0), 1 * NEW.shares, 1 * NEW.clicks, 1 * NEW.signups, 1 * NEW.enrollments
    FROM learners l JOIN analytics_cohort_members m
      ON m.workspace_id = NEW.workspace_id AND m.customer_id = l.external_id AND m.course = NEW.course
    WHERE l.id = NEW.learner_id AND l.workspace_id = NEW.workspace_id
    ON CONFLICT (workspace_id, course, day) DO UPDATE SET learners = learners + excluded.learners,
      sharers = sharers + excluded.sharers, shares = shares + excluded.shares, clicks = clicks + excluded.clicks,
      signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments;
END;
--> statement-breakpoint
CREATE TRIGGER analytics_cohorts_advocate_delete AFTER DELETE ON analytics_advocates BEGIN
  INSERT INTO analytics_cohorts (workspace_id, course, day, learners, sharers, shares, clicks, signups, enrollments)
    SELECT m.workspace_id, m.course, (CAST(m.first_enrolled_at AS INTEGER) / 86400000), 0, -1 * (OLD.shares + OLD.clicks + OLD.signups + OLD.enrollments > 0), -1 * OLD.shares, -1 * OLD.clicks, -1 * OLD.signups, -1 * OLD.enrollments
    FROM learners l JOIN analytics_cohort_members m
      ON m.workspace_id = OLD.workspace_id AND m.customer_id = l.external_id AND m.course = OLD.course
    WHERE l.id = OLD.learner_id AND l.workspace_id = OLD.workspace_id
    ON CONFLICT (workspace_id, course, day) DO UPDATE SET learners = learners + excluded.learners,
      sharers = sharers + excluded.sharers, shares = shares + excluded.shares, clicks = clicks + excluded.clicks,
      signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments;
END;
--> statement-breakpoint
CREATE TRIGGER analytics_cohorts_learner_insert AFTER INSERT ON learners BEGIN
  INSERT INTO analytics_cohorts (workspace_id, course, day, learners, sharers, shares, clicks, signups, enrollments)
    SELECT m.workspace_id, m.course, (CAST(m.first_enrolled_at AS INTEGER) / 86400000), 0,
      1 * (a.shares + a.clicks + a.signups + a.enrollments > 0), 1 * a.shares, 1 * a.clicks, 1 * a.signups, 1 * a.enrollments
    FROM analytics_cohort_members m JOIN analytics_advocates a
      ON a.workspace_id = m.workspace_id AND a.course = m.course AND a.learner_id = NEW.id
    WHERE m.workspace_id = NEW.workspace_id AND m.customer_id = NEW.external_id
    ON CONFLICT (workspace_id, course, day) DO UPDATE SET learners = learners + excluded.learners,
      sharers = sharers + excluded.sharers, shares = shares + excluded.shares, clicks = clicks + excluded.clicks,
      signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments;
END;
--> statement-breakpoint
CREATE TRIGGER analytics_cohorts_learner_update AFTER UPDATE OF id, workspace_id, external_id ON learners
  WHEN OLD.id IS NOT NEW.id OR OLD.workspace_id IS NOT NEW.workspace_id OR OLD.external_id IS NOT NEW.external_id BEGIN
  INSERT INTO analytics_cohorts (workspace_id, course, day, learners, sharers, shares, clicks, signups, enrollments)
    SELECT m.workspace_id, m.course, (CAST(m.first_enrolled_at AS INTEGER) / 86400000), 0,
      -1 * (a.shares + a.clicks + a.signups + a.enrollments > 0), -1 * a.shares, -1 * a.clicks, -1 * a.signups, -1 * a.enrollments
    FROM analytics_cohort_members m JOIN analytics_advocates a
      ON a.workspace_id = m.workspace_id AND a.course = m.course AND a.learner_id = OLD.id
    WHERE m.workspace_id = OLD.workspace_id AND m.customer_id = OLD.external_id
    ON CONFLICT (workspace_id, course, day) DO UPDATE SET learners = learners + excluded.learners,
      sharers = sharers + excluded.sharers, shares = shares + excluded.shares, clicks = clicks + excluded.clicks,
      signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments;
  INSERT INTO analytics_cohorts (workspace_id, course, day, learners, sharers, shares, clicks, signups, enrollments)
    SELECT m.workspace_id, m.course, (CAST(m.first_enrolled_at AS INTEGER) / 86400000), 0,
      1 * (a.shares + a.clicks + a.signups + a.enrollments > 0), 1 * a.shares, 1 * a.clicks, 1 * a.signups, 1 * a.enrollments
    FROM analytics_cohort_members m JOIN analytics_advocates a
      ON a.workspace_id = m.workspace_id AND a.course = m.course AND a.learner_id = NEW.id
    WHERE m.workspace_id = NEW.workspace_id AND m.customer_id = NEW.external_id
    ON CONFLICT (workspace_id, course, day) DO UPDATE SET learners = learners + excluded.learners,
      sharers = sharers + excluded.sharers, shares = shares + excluded.shares, clicks = clicks + excluded.clicks,
      signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments;
END;
--> statement-breakpoint
CREATE TRIGGER analytics_cohorts_learner_delete AFTER DELETE ON learners BEGIN
  INSERT INTO analytics_cohorts (workspace_id, course, day, learners, sharers, shares, clicks, signups, enrollments)
    SELECT m.workspace_id, m.course, (CAST(m.first_enrolled_at AS INTEGER) / 86400000), 0,
      -1 * (a.shares + a.clicks + a.signups + a.enrollments > 0), -1 * a.shares, -1 * a.clicks, -1 * a.signups, -1 * a.enrollments
    FROM analytics_cohort_members m JOIN analytics_advocates a
      ON a.workspace_id = m.workspace_id AND a.course = m.course AND a.learner_id = OLD.id
    WHERE m.workspace_id = OLD.workspace_id AND m.customer_id = OLD.external_id
    ON CONFLICT (workspace_id, course, day) DO UPDATE SET learners = learners + excluded.learners,
      sharers = sharers + excluded.sharers, shares = shares + excluded.shares, clicks = clicks + excluded.clicks,
      signups = signups + excluded.signups, enrollments = enrollments + excluded.enrollments;
END;
--> statement-breakpoint
INSERT INTO analytics_cohort_members (workspace_id, customer_id, course, first_enrolled_at)
  SELECT v.workspace_id, v.customer_id, '*', min(v.occurred_at) FROM conversions v
  WHERE v.type = 'enrollment' GROUP BY v.workspace_id, v.customer_id;
--> statement-breakpoint
INSERT INTO analytics_cohort_members (workspace_id, customer_id, course, first_enrolled_at)
  SELECT v.workspace_id, v.customer_id, v.course, min(v.occurred_at) FROM conversions v
  WHERE v.type = 'enrollment' AND v.course <> '*' GROUP BY v.workspace_id, v.customer_id, v.course;
