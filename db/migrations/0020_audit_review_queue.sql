CREATE TABLE `audit_events` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` text NOT NULL,
	`action` text NOT NULL,
	`target_id` text,
	`before` text,
	`after` text,
	`request_id` text,
	`learner_id` text
);
--> statement-breakpoint
CREATE INDEX `audit_events_workspace_time` ON `audit_events` (`workspace_id`,`at`);--> statement-breakpoint
CREATE INDEX `audit_events_workspace_action` ON `audit_events` (`workspace_id`,`action`,`at`);--> statement-breakpoint
CREATE INDEX `audit_events_workspace_actor` ON `audit_events` (`workspace_id`,`actor_id`,`at`);--> statement-breakpoint
CREATE INDEX `audit_events_learner` ON `audit_events` (`workspace_id`,`learner_id`);--> statement-breakpoint
CREATE TABLE `block_list` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`reason` text NOT NULL,
	`learner_id` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `block_list_workspace_kind_value` ON `block_list` (`workspace_id`,`kind`,`value`);--> statement-breakpoint
CREATE TABLE `review_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`subject_id` text NOT NULL,
	`body` text NOT NULL,
	`actor_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `review_notes_subject` ON `review_notes` (`workspace_id`,`subject_id`,`created_at`);--> statement-breakpoint
CREATE TRIGGER `audit_events_no_delete` BEFORE DELETE ON `audit_events` BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `audit_events_only_erasure_updates` BEFORE UPDATE ON `audit_events` WHEN OLD.`learner_id` IS NULL OR NEW.`learner_id` IS NOT NULL OR NEW.`id` IS NOT OLD.`id` OR NEW.`workspace_id` IS NOT OLD.`workspace_id` OR NEW.`at` IS NOT OLD.`at` OR NEW.`actor_kind` IS NOT OLD.`actor_kind` OR NEW.`actor_id` IS NOT OLD.`actor_id` OR NEW.`action` IS NOT OLD.`action` OR NEW.`request_id` IS NOT OLD.`request_id` BEGIN SELECT RAISE(ABORT, 'audit_events is append-only (only erasure may mask a row)'); END;
