CREATE TABLE `integration_connectors` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`platform` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`signing_secret` text,
	`signature` text,
	`mapping` text,
	`courses` text DEFAULT '{}' NOT NULL,
	`currency` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `integration_connectors_workspace` ON `integration_connectors` (`workspace_id`);--> statement-breakpoint
CREATE TABLE `integration_events` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`connector_id` text NOT NULL,
	`event_type` text NOT NULL,
	`event_id` text,
	`outcome` text NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`conversion_id` text,
	`waiting_for` text,
	`pending` text,
	`customer_id` text,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `integration_events_connector_time` ON `integration_events` (`connector_id`,`received_at`);--> statement-breakpoint
CREATE INDEX `integration_events_waiting` ON `integration_events` (`workspace_id`,`waiting_for`);--> statement-breakpoint
CREATE TABLE `referral_emails` (
	`workspace_id` text NOT NULL,
	`click_id` text NOT NULL,
	`email_hash` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`workspace_id`, `click_id`)
);
--> statement-breakpoint
CREATE INDEX `referral_emails_email` ON `referral_emails` (`workspace_id`,`email_hash`,`created_at`);