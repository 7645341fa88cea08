CREATE TABLE `analytics_advocates` (
	`workspace_id` text NOT NULL,
	`course` text NOT NULL,
	`learner_id` text NOT NULL,
	`first_active_at` integer NOT NULL,
	`shares` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`signups` integer DEFAULT 0 NOT NULL,
	`enrollments` integer DEFAULT 0 NOT NULL,
	`completions` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `course`, `learner_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `analytics_advocates_cohort` ON `analytics_advocates` (`workspace_id`,`course`,`first_active_at`);--> statement-breakpoint
CREATE TABLE `analytics_daily` (
	`workspace_id` text NOT NULL,
	`dim` text NOT NULL,
	`course` text NOT NULL,
	`grain` text NOT NULL,
	`day` integer NOT NULL,
	`key` text NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`visitors` integer DEFAULT 0 NOT NULL,
	`shares` integer DEFAULT 0 NOT NULL,
	`signups` integer DEFAULT 0 NOT NULL,
	`enrollments` integer DEFAULT 0 NOT NULL,
	`completions` integer DEFAULT 0 NOT NULL,
	`refunds` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `dim`, `course`, `grain`, `day`, `key`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `analytics_delays` (
	`workspace_id` text NOT NULL,
	`course` text NOT NULL,
	`day` integer NOT NULL,
	`delay_ms` integer NOT NULL,
	`conversion_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `analytics_delays_order` ON `analytics_delays` (`workspace_id`,`course`,`delay_ms`,`day`);--> statement-breakpoint
CREATE INDEX `analytics_delays_conversion` ON `analytics_delays` (`conversion_id`);--> statement-breakpoint
CREATE TABLE `analytics_revenue` (
	`workspace_id` text NOT NULL,
	`dim` text NOT NULL,
	`course` text NOT NULL,
	`grain` text NOT NULL,
	`day` integer NOT NULL,
	`key` text NOT NULL,
	`currency` text NOT NULL,
	`enrolled` integer DEFAULT 0 NOT NULL,
	`refunded` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `dim`, `course`, `grain`, `day`, `key`, `currency`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `clicks_workspace_visitor` ON `clicks` (`workspace_id`,`visitor_hash`,`created_at`);