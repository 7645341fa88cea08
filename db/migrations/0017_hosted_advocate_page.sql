CREATE TABLE `learner_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`learner_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `learner_sessions_token` ON `learner_sessions` (`token_hash`);--> statement-breakpoint
CREATE INDEX `learner_sessions_learner` ON `learner_sessions` (`workspace_id`,`learner_id`);--> statement-breakpoint
CREATE TABLE `magic_links` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`email_hash` text NOT NULL,
	`window` integer NOT NULL,
	`subject` text,
	`token_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `magic_links_address_window` ON `magic_links` (`workspace_id`,`email_hash`,`window`);--> statement-breakpoint
CREATE UNIQUE INDEX `magic_links_token` ON `magic_links` (`token_hash`);--> statement-breakpoint
CREATE INDEX `magic_links_workspace_expiry` ON `magic_links` (`workspace_id`,`expires_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `workspaces_slug` ON `workspaces` ((settings ->> '$.slug'));