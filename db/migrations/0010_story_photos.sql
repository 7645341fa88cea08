CREATE TABLE `story_photos` (
	`workspace_id` text NOT NULL,
	`story_id` text NOT NULL,
	`source_url` text NOT NULL,
	`hash` text NOT NULL,
	`content_type` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`bytes` blob NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`workspace_id`, `story_id`)
);
--> statement-breakpoint
ALTER TABLE `stories` ADD `photo_hash` text;--> statement-breakpoint
ALTER TABLE `stories` ADD `photo_refusal` text;