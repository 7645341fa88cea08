CREATE TABLE `payout_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`method` text NOT NULL,
	`format` text NOT NULL,
	`currency` text NOT NULL,
	`total` integer NOT NULL,
	`payees` integer NOT NULL,
	`file_ciphertext` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `payout_batches_workspace_time` ON `payout_batches` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `payout_methods` (
	`workspace_id` text NOT NULL,
	`learner_id` text NOT NULL,
	`kind` text NOT NULL,
	`details_ciphertext` text NOT NULL,
	`masked` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `learner_id`)
);
--> statement-breakpoint
CREATE TABLE `stripe_customers` (
	`workspace_id` text NOT NULL,
	`email_hash` text NOT NULL,
	`customer_id` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `email_hash`)
);
--> statement-breakpoint
ALTER TABLE `rewards` ADD `payout_batch_id` text;--> statement-breakpoint
ALTER TABLE `rewards` ADD `delivered_code` text;--> statement-breakpoint
ALTER TABLE `rewards` ADD `delivery_ref` text;--> statement-breakpoint
ALTER TABLE `rewards` ADD `delivery_error` text;--> statement-breakpoint
CREATE INDEX `rewards_workspace_batch` ON `rewards` (`workspace_id`,`payout_batch_id`);