CREATE TABLE `referred_by_answers` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`visitor_hash` text NOT NULL,
	`code_id` text,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `referred_by_answers_token` ON `referred_by_answers` (`workspace_id`,`token_hash`);--> statement-breakpoint
CREATE INDEX `referred_by_answers_code` ON `referred_by_answers` (`workspace_id`,`code_id`);