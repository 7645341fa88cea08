CREATE TABLE `mail_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`key` text NOT NULL,
	`category` text NOT NULL,
	`template` text NOT NULL,
	`locale` text NOT NULL,
	`data` text NOT NULL,
	`learner_id` text,
	`to_address` text,
	`to_name` text,
	`to_hash` text NOT NULL,
	`message_id` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_until` integer,
	`sent_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_messages_workspace_key` ON `mail_messages` (`workspace_id`,`key`);--> statement-breakpoint
CREATE INDEX `mail_messages_due` ON `mail_messages` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `mail_messages_recipient` ON `mail_messages` (`workspace_id`,`to_hash`,`sent_at`);--> statement-breakpoint
CREATE INDEX `mail_messages_workspace_time` ON `mail_messages` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `mail_suppressions` (
	`workspace_id` text NOT NULL,
	`address_hash` text NOT NULL,
	`category` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`workspace_id`, `address_hash`, `category`)
);
