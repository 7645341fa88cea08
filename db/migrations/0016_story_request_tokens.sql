CREATE TABLE `story_request_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`learner_id` text NOT NULL,
	`course` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`story_id` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `story_request_tokens_hash` ON `story_request_tokens` (`workspace_id`,`token_hash`);--> statement-breakpoint
CREATE INDEX `story_request_tokens_learner` ON `story_request_tokens` (`workspace_id`,`learner_id`);