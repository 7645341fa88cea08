CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`kind` text NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `api_keys_workspace` ON `api_keys` (`workspace_id`,`kind`);--> statement-breakpoint
CREATE TABLE `clicks` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`code_id` text NOT NULL,
	`learner_id` text,
	`course` text DEFAULT '' NOT NULL,
	`channel` text DEFAULT 'direct' NOT NULL,
	`story_id` text,
	`visitor_hash` text NOT NULL,
	`ip_hash` text,
	`country` text,
	`source` text NOT NULL,
	`is_bot` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `clicks_workspace_time` ON `clicks` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `clicks_workspace_code_time` ON `clicks` (`workspace_id`,`code_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `clicks_workspace_channel_time` ON `clicks` (`workspace_id`,`channel`,`created_at`);--> statement-breakpoint
CREATE INDEX `clicks_workspace_course_time` ON `clicks` (`workspace_id`,`course`,`created_at`);--> statement-breakpoint
CREATE INDEX `clicks_dedup` ON `clicks` (`code_id`,`visitor_hash`,`created_at`);--> statement-breakpoint
CREATE TABLE `conversions` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`external_id` text NOT NULL,
	`type` text NOT NULL,
	`customer_id` text NOT NULL,
	`customer_email_hash` text,
	`course` text DEFAULT '' NOT NULL,
	`amount` integer,
	`currency` text,
	`click_id` text,
	`code_id` text,
	`referrer_id` text,
	`story_id` text,
	`channel` text,
	`status` text NOT NULL,
	`flagged` integer DEFAULT false NOT NULL,
	`refund_of` text,
	`decision` text NOT NULL,
	`request_hash` text NOT NULL,
	`response` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversions_workspace_external` ON `conversions` (`workspace_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `conversions_workspace_time` ON `conversions` (`workspace_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `conversions_workspace_type_time` ON `conversions` (`workspace_id`,`type`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `conversions_workspace_referrer` ON `conversions` (`workspace_id`,`referrer_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `conversions_workspace_customer` ON `conversions` (`workspace_id`,`customer_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `conversions_click` ON `conversions` (`click_id`);--> statement-breakpoint
CREATE TABLE `courses` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`url` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `courses_workspace_slug` ON `courses` (`workspace_id`,`slug`);--> statement-breakpoint
CREATE TABLE `learners` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`external_id` text NOT NULL,
	`name` text,
	`email_hash` text,
	`email` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`erased_at` integer,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `learners_workspace_external` ON `learners` (`workspace_id`,`external_id`);--> statement-breakpoint
CREATE TABLE `referral_codes` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`code` text NOT NULL,
	`kind` text NOT NULL,
	`learner_id` text,
	`course` text DEFAULT '' NOT NULL,
	`target_url` text,
	`disabled_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`learner_id`) REFERENCES `learners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `referral_codes_code` ON `referral_codes` (`code`);--> statement-breakpoint
CREATE UNIQUE INDEX `referral_codes_learner_course` ON `referral_codes` (`workspace_id`,`learner_id`,`course`) WHERE kind = 'generated';--> statement-breakpoint
CREATE TABLE `rewards` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`conversion_id` text NOT NULL,
	`side` text NOT NULL,
	`learner_id` text,
	`customer_id` text,
	`kind` text NOT NULL,
	`amount` integer,
	`currency` text,
	`percent` integer,
	`status` text NOT NULL,
	`flagged` integer DEFAULT false NOT NULL,
	`hold_until` integer,
	`reason` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer
);
--> statement-breakpoint
CREATE INDEX `rewards_workspace_status` ON `rewards` (`workspace_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `rewards_workspace_learner` ON `rewards` (`workspace_id`,`learner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `rewards_conversion` ON `rewards` (`conversion_id`);--> statement-breakpoint
CREATE TABLE `server_settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `share_events` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`code_id` text NOT NULL,
	`learner_id` text,
	`channel` text NOT NULL,
	`course` text DEFAULT '' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `share_events_workspace_time` ON `share_events` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `share_events_workspace_learner` ON `share_events` (`workspace_id`,`learner_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `stories` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`learner_id` text,
	`course` text NOT NULL,
	`name` text NOT NULL,
	`headline` text NOT NULL,
	`body` text NOT NULL,
	`rating` integer NOT NULL,
	`outcome_type` text NOT NULL,
	`salary_increase_pct` integer,
	`months_to_outcome` integer,
	`consent_publish` integer NOT NULL,
	`consent_name` integer NOT NULL,
	`consent_photo` integer NOT NULL,
	`consent_salary` integer NOT NULL,
	`photo_url` text,
	`status` text NOT NULL,
	`featured` integer DEFAULT false NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`verification_level` text NOT NULL,
	`verification` text,
	`edit_token_hash` text NOT NULL,
	`visitor_hash` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer,
	`approved_at` integer
);
--> statement-breakpoint
CREATE INDEX `stories_workspace_status` ON `stories` (`workspace_id`,`status`,`course`,`created_at`);--> statement-breakpoint
CREATE INDEX `stories_workspace_learner` ON `stories` (`workspace_id`,`learner_id`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`event_id` text NOT NULL,
	`endpoint_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_status_code` integer,
	`last_error` text,
	`delivered_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`event_id`, `endpoint_id`)
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_due` ON `webhook_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_workspace` ON `webhook_deliveries` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`url` text NOT NULL,
	`secret` text NOT NULL,
	`events` text DEFAULT '[]' NOT NULL,
	`disabled_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_endpoints_workspace` ON `webhook_endpoints` (`workspace_id`);--> statement-breakpoint
CREATE TABLE `webhook_events` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_events_workspace_time` ON `webhook_events` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `workspaces` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`token_secret` text NOT NULL,
	`settings` text NOT NULL,
	`is_demo` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
