CREATE TABLE `learner_signals` (
	`workspace_id` text NOT NULL,
	`learner_id` text NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`last_seen_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `learner_id`, `kind`, `value`)
);
--> statement-breakpoint
CREATE INDEX `learner_signals_lookup` ON `learner_signals` (`workspace_id`,`kind`,`value`);--> statement-breakpoint
ALTER TABLE `clicks` ADD `visitor_id` text;